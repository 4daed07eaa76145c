/** Shared bench helpers: timing, medians, ratio lines. Benchmarks print; they never assert. */
import { spawnSync } from 'node:child_process';

export function timeMs(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.toString();
}

export function report(name: string, wharfMs: number, dockerMs: number): string {
  const line = `${name.padEnd(36)} wharf ${wharfMs.toFixed(0).padStart(6)} ms   docker ${dockerMs.toFixed(0).padStart(6)} ms   ratio ${(wharfMs / dockerMs).toFixed(2)}x`;
  console.log(line);
  return line;
}
