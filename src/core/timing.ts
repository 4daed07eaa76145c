/**
 * Opt-in timing marks for finding where a short command spends its time: with WHARF_TIMING=1
 * every `mark(label)` records the milliseconds since node started (performance.now counts
 * from the process's time origin), and the table goes to stderr when the process exits.
 * Disabled, a mark is one boolean test.
 */
const enabled = !!process.env.WHARF_TIMING;
const marks: [string, number][] = [];

export function mark(label: string): void {
  if (!enabled) return;
  if (marks.length === 0) process.once('exit', report);
  marks.push([label, performance.now()]);
}

function report(): void {
  marks.push(['process exiting', performance.now()]);
  let prev = 0;
  const lines = marks.map(([label, t]) => {
    const line = `${t.toFixed(1).padStart(7)} ms  +${(t - prev).toFixed(1).padStart(5)}  ${label}`;
    prev = t;
    return line;
  });
  const origin = `node's time origin: ${performance.timeOrigin.toFixed(1)} ms after the epoch`;
  process.stderr.write(`wharf timing (pid ${process.pid}; ${origin}):\n${lines.join('\n')}\n`);
}
