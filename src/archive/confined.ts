/**
 * Running file work confined to a root: the parent side of confined-main.ts. Each call
 * spawns one worker (node, ~40 ms) that chroots into `root` and runs one operation; tars
 * flow through its stdin/stdout. This is the one mechanism that keeps layer apply, `cp` in
 * both directions, `export` and commit's diff inside their root: the kernel resolves the
 * worker's paths, so symlinks (absolute, relative, swapped mid-way by a running container)
 * and `..` cannot lead out of it, with no check that a race could get between.
 */
import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { helperArgs } from '../core/helpers.js';
import { WharfError, type ErrorCode } from '../core/errors.js';
import type { ApplyOptions, ApplyResult } from './apply.js';
import type { ConfinedOp, OpResult, TreeCount } from './confined-ops.js';

export type { ConfinedOp, OpResult, TreeCount };

const workerArgs = () => helperArgs('archive/confined-main', 'fs', import.meta.url);

export interface Worker {
  /** The tar the worker writes (ops that produce one). */
  stdout: Readable;
  /** The first early message (`tell`), or the end result if there was none. */
  told: Promise<OpResult>;
  /** The operation's result; rejects with the worker's error. */
  done: Promise<OpResult>;
  kill(): void;
}

/**
 * Starts a worker confined to `root` running `op`; `stdin` is piped to it when given, or is
 * the worker's own stdin when it is a file descriptor (a layer file: no bytes through us).
 */
export function confine(root: string, op: ConfinedOp, stdin?: Readable | number): Worker {
  const p = spawn(process.execPath, [...workerArgs(), root, JSON.stringify(op)], {
    stdio: [typeof stdin === 'number' ? stdin : stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'pipe'],
    // nothing of the caller's environment (NODE_OPTIONS...) reaches it
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  let stderr = '';
  p.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-4000)));
  if (stdin && typeof stdin !== 'number') {
    const sink = p.stdin as Writable;
    sink.on('error', () => undefined); // the worker failed early: its error says why
    stdin.on('error', () => p.kill('SIGKILL'));
    stdin.pipe(sink);
  }
  let lines = '';
  let first: ((r: OpResult) => void) | undefined;
  const told = new Promise<OpResult>((resolve) => (first = resolve));
  let outcome: { ok?: OpResult; error?: { code: ErrorCode; message: string } } = {};
  (p.stdio[3] as Readable).on('data', (d: Buffer) => {
    lines += d.toString();
    for (let i = lines.indexOf('\n'); i >= 0; i = lines.indexOf('\n')) {
      const msg = JSON.parse(lines.slice(0, i)) as { tell?: OpResult; ok?: OpResult; error?: { code: ErrorCode; message: string } };
      lines = lines.slice(i + 1);
      if (msg.tell) first?.(msg.tell);
      else outcome = msg;
      if (msg.ok) first?.(msg.ok);
    }
  });
  const done = new Promise<OpResult>((resolve, reject) => {
    p.on('error', (err) => reject(new WharfError('INTERNAL', `cannot start the file worker: ${err.message}`, { cause: err })));
    p.on('close', (code, signal) => {
      if (code === 0 && outcome.ok) return resolve(outcome.ok);
      const e = outcome.error;
      const detail = e ? e.message : `file worker ${signal ?? `exit ${code}`}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-1)[0]}` : ''}`;
      reject(new WharfError(e?.code ?? 'INTERNAL', detail));
    });
  });
  done.catch(() => undefined);
  const toldOrFail = Promise.race([told, done]);
  toldOrFail.catch(() => undefined);
  return { stdout: p.stdout!, told: toldOrFail, done, kill: () => p.kill('SIGKILL') };
}

/** applyLayer's confined implementation (see apply.ts). */
export async function confinedApply(tar: Readable | number, root: string, opts: ApplyOptions, count = false): Promise<ApplyResult & { count?: TreeCount }> {
  const w = confine(root, { op: 'apply', opts, count }, tar);
  w.stdout.resume();
  const r = await w.done;
  return { size: r.size ?? 0, ...(r.count ? { count: r.count } : {}) };
}

/**
 * The worker's tar as a stream that ends only once the worker has succeeded (and fails with
 * its error otherwise), so a consumer never takes a cut-off tar for a whole one.
 */
export function tarOf(w: Worker): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  w.stdout.pipe(out, { end: false });
  w.stdout.on('end', () => w.done.then(() => out.end(), (err: Error) => out.destroy(err)));
  w.done.catch((err: Error) => out.destroy(err));
  out.on('close', () => {
    if (!w.stdout.readableEnded) w.kill();
  });
  return out;
}

/** A tar of `root` as a whole (export, commit's diff). */
export function confinedTar(root: string, o: { overlay?: boolean; tolerant?: boolean; names?: boolean } = {}): Readable {
  return tarOf(confine(root, { op: 'tar', path: '/', whole: true, ...o }));
}
