/**
 * The OCI runtime driver: runc (default) or crun, each with its own state dir under
 * /run/wharf/ (tmpfs, so a reboot leaves no stale runtime state). Containers run in runc's
 * foreground mode as a child of the monitor; this module covers the side commands.
 */
import { existsSync } from 'node:fs';
import { WharfError } from '../../core/errors.js';
import { run, type RunResult } from '../../core/process.js';

export const RUNTIMES = ['runc', 'crun'] as const;

export function runtimeArgs(runtime: string): string[] {
  return ['--root', `/run/wharf/${runtime}`];
}

export function checkRuntime(runtime: string): void {
  if (!(RUNTIMES as readonly string[]).includes(runtime)) {
    throw new WharfError('INVALID_ARGUMENT', `unknown or invalid runtime name: ${runtime}`, { exitCode: 125 });
  }
}

export function runtimeCmd(runtime: string, args: string[], timeoutMs = 30000): Promise<RunResult> {
  return run(runtime, [...runtimeArgs(runtime), ...args], { timeout: timeoutMs, env: 'wharf' });
}

/** Send a signal to the container's init process. */
export async function runtimeKill(runtime: string, id: string, signal: string): Promise<boolean> {
  const r = await runtimeCmd(runtime, ['kill', id, signal]);
  return r.code === 0;
}

/** Freeze (`pause`) or thaw (`resume`) every process of the container (cgroup freezer). */
export async function runtimeFreeze(runtime: string, id: string, op: 'pause' | 'resume'): Promise<void> {
  const r = await runtimeCmd(runtime, [op, id]);
  if (r.code !== 0) throw new WharfError('INTERNAL', runtimeErrorMessage(r.stderr) || `${runtime} ${op} failed`);
}

/** Remove any runtime state left for a container (after a crash), ignoring "does not exist". */
export async function runtimeDelete(runtime: string, id: string): Promise<void> {
  // `runc run` in the foreground deletes its own state on exit: skip the call when it did.
  if (!existsSync(`/run/wharf/${runtime}/${id}`)) return;
  await runtimeCmd(runtime, ['delete', '--force', id]);
}

/** PIDs (host namespace) of every process in the container. */
export async function runtimePids(runtime: string, id: string): Promise<number[]> {
  const r = await runtimeCmd(runtime, ['ps', '--format', 'json', id]);
  if (r.code !== 0) throw new WharfError('CONFLICT', `Container ${id} is not running`);
  return (JSON.parse(r.stdout || '[]') as number[]) ?? [];
}

/** Docker's wording for a container the runtime could not start, before the runtime's reason. */
export const ociCreateFailed = (runtime: string) => `failed to create shim task: OCI runtime create failed: ${runtime} create failed: `;

/** The runtime's own reason a start failed, as Docker reports it (exit 125). */
export function runtimeStartError(runtime: string, reason: string): WharfError {
  return new WharfError('INTERNAL', `${ociCreateFailed(runtime)}${reason}: unknown`, { exitCode: 125 });
}

/** runc's error text (its log lines are JSON or `level=error msg=...`) reduced to the message. */
export function runtimeErrorMessage(stderr: string): string {
  const lines = stderr.trim().split('\n').filter(Boolean);
  const last = lines[lines.length - 1] ?? '';
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(last);
  const msg = m ? m[1]!.replace(/\\"/g, '"') : last.replace(/^(runc|crun)( run failed)?: /, '');
  return msg;
}

/** Docker's signal names: `SIGTERM`, `TERM` or a number. */
export function normalizeSignal(sig: string | undefined, fallback = 'SIGTERM'): string {
  const s = (sig || fallback).toUpperCase();
  if (/^\d+$/.test(s)) return s;
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  const known = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];
  if (!known.includes(name)) throw new WharfError('INVALID_ARGUMENT', `Invalid signal: ${sig}`);
  return name;
}
