/**
 * The terminal side of attaching to a container (the protocol is the engine's): output to
 * this terminal, stdin and SIGWINCH's sizes to the container, raw mode for TTYs, and the
 * Ctrl-P Ctrl-Q detach sequence. Resolves with the exit code, 'detached', or -1 when the
 * monitor went away without saying.
 */
import type { CliContext } from '../context.js';
import { ExitError } from '../context.js';
import { attachContainer } from '../../engine/containers.js';

export interface AttachOptions {
  tty: boolean;
  stdin: boolean;
  /** Called on the 'started' event (run -it waits for it before anything else). */
  onStarted?: () => void;
}

const DETACH = [0x10, 0x11]; // Ctrl-P Ctrl-Q

export async function attachSession(id: string, o: AttachOptions): Promise<number | 'detached'> {
  const stdin = process.stdin;
  const raw = o.tty && o.stdin && stdin.isTTY;
  const size = () => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 });
  const session = await attachContainer(id, {
    stdin: o.stdin,
    size: o.tty ? size() : undefined,
    onOutput: (s, d) => void (s === 'stdout' ? process.stdout : process.stderr).write(d),
    onStarted: o.onStarted,
  });
  let matched = 0;
  const onStdin = (d: Buffer) => {
    if (o.tty) {
      for (let i = 0; i < d.length; i++) {
        if (d[i] === DETACH[matched]) {
          matched++;
          if (matched === DETACH.length) {
            const before = d.subarray(0, Math.max(0, i + 1 - DETACH.length));
            if (before.length) session.write(before);
            return session.detach();
          }
        } else matched = d[i] === DETACH[0] ? 1 : 0;
      }
    }
    session.write(d);
  };
  const onEnd = () => session.endStdin();
  const onResize = () => session.resize(size().cols, size().rows);
  if (o.stdin) {
    if (raw) stdin.setRawMode(true);
    stdin.on('data', onStdin);
    stdin.on('end', onEnd);
    stdin.resume();
  }
  if (o.tty) process.stdout.on('resize', onResize);
  try {
    const res = await session.done;
    return res === 'closed' ? -1 : res;
  } finally {
    if (raw) stdin.setRawMode(false);
    stdin.off('data', onStdin);
    stdin.off('end', onEnd);
    stdin.pause();
    process.stdout.off('resize', onResize);
  }
}

/** Docker's client-side check: `-it` needs a terminal on stdin ("the input device is not a TTY", exit 1). */
export function requireTtyStdin(ctx: CliContext, interactive: boolean | undefined, tty: boolean | undefined): void {
  if (interactive && tty && !process.stdin.isTTY) {
    ctx.err('the input device is not a TTY');
    throw new ExitError(1);
  }
}
