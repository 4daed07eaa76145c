/** Shared bench helpers: timing, medians, ratio lines. Benchmarks print; they never assert. */
import { spawnSync } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

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

/** Regular files under `root` (a sorted walk; symlinks not followed), each under `maxFile` bytes, until `budget` bytes. */
export function pickFiles(root: string, budget: number, maxFile: number): string[] {
  const out: string[] = [];
  let total = 0;
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (total >= budget) return;
      const p = join(dir, name);
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
      else if (st?.isFile() && st.size < maxFile) {
        out.push(relative('/', p));
        total += st.size;
      }
    }
  };
  walk(root);
  return out;
}
