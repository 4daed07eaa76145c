/**
 * Exec instances as Docker's API has them: created (POST /containers/{id}/exec) with a
 * command and options, started once with its streams attached (pipes, or a pty for -t),
 * inspected afterwards for the exit code. They live in the serving process's memory, as
 * dockerd's do.
 */
import { spawn } from 'node:child_process';
import * as pty from 'node-pty';
import { randomBytes } from '../../core/random.js';
import { WharfError } from '../../core/errors.js';
import { resolveUser } from '../../container/runtime/user.js';
import { commandProblem } from '../../container/runtime/command.js';
import { DEFAULT_PATH, mergeEnv } from '../../container/runtime/prepare.js';
import { DirView, isDirectoryIn } from '../../archive/layer-stack.js';
import { runtimeArgs } from '../../container/runtime/runc.js';
import { childEnv } from '../../container/runtime/helper-process.js';
import { snapshotter } from '../../snapshot/snapshotter.js';
import { getContainer } from './api-ops.js';

export interface ExecConfig {
  Cmd: string[];
  Tty?: boolean;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  DetachKeys?: string;
  Privileged?: boolean;
}

export interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
}

export interface ExecStreams {
  onOutput(stream: 1 | 2, data: Buffer): void;
}

export interface ExecProcess {
  write(d: Buffer): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
  /** Resolves with the exit code once the process is gone and its output delivered. */
  done: Promise<number>;
}

const execs = new Map<string, ExecInstance>();

export function createExec(root: string, ref: string, config: ExecConfig): string {
  const { rec, st } = getContainer(root, ref);
  if (!Array.isArray(config.Cmd) || !config.Cmd.length || config.Cmd.some((c) => typeof c !== 'string')) throw new WharfError('INVALID_ARGUMENT', 'No exec command specified');
  if (!st.Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
  if (st.Paused) throw new WharfError('CONFLICT', `Container ${ref} is paused, unpause the container before exec`);
  const id = randomBytes(32).toString('hex');
  execs.set(id, { id, containerId: rec.Id, config, running: false, exitCode: null, pid: 0, started: false });
  return id;
}

export function getExec(id: string): ExecInstance {
  const e = execs.get(id);
  if (!e) throw new WharfError('NOT_FOUND', `No such exec instance: ${id}`);
  return e;
}

export function inspectExec(id: string): Record<string, unknown> {
  const e = getExec(id);
  const [entrypoint, ...args] = e.config.Cmd;
  return {
    ID: e.id, Running: e.running, ExitCode: e.exitCode, ProcessConfig: { tty: !!e.config.Tty, entrypoint, arguments: args, privileged: !!e.config.Privileged, user: e.config.User ?? '' },
    OpenStdin: !!e.config.AttachStdin, OpenStderr: !!e.config.AttachStderr, OpenStdout: !!e.config.AttachStdout, CanRemove: false, ContainerID: e.containerId, DetachKeys: e.config.DetachKeys ?? '', Pid: e.pid,
  };
}

/** A check the runtime would fail, as docker reports it (through the exec's own output). */
function problemOf(root: string, containerId: string, cfg: ExecConfig): string | undefined {
  const { rec, st } = getContainer(root, containerId);
  const view = new DirView(`/proc/${st.Pid}/root`);
  const cwd = cfg.WorkingDir || rec.Config.WorkingDir || '/';
  const fail = (why: string) => `OCI runtime exec failed: exec failed: ${why}: unknown`;
  if (!isDirectoryIn(view, cwd)) return fail(`unable to start container process: chdir to cwd (${JSON.stringify(cwd)}) set in config.json failed: no such file or directory`);
  const problem = commandProblem(view, cfg.Cmd[0]!, mergeEnv([`PATH=${DEFAULT_PATH}`, ...(rec.Config.Env ?? [])], cfg.Env ?? []), cwd);
  return problem ? fail(`unable to start container process: exec: ${JSON.stringify(cfg.Cmd[0])}: ${problem.reason}`) : undefined;
}

/** Start an exec once; output goes to `streams`. A refused command reports on stdout and exits 126. */
export async function startExec(root: string, id: string, streams: ExecStreams, size?: { cols: number; rows: number }): Promise<ExecProcess> {
  const e = getExec(id);
  if (e.started) throw new WharfError('CONFLICT', `Error: Exec command ${id} has already run`);
  e.started = true;
  const { rec, st } = getContainer(root, e.containerId);
  if (!st.Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
  const cfg = e.config;
  const finish = (code: number) => {
    e.running = false;
    e.exitCode = code;
    return code;
  };
  let problem = problemOf(root, rec.Id, cfg);
  const args = [...runtimeArgs(rec.HostConfig.Runtime || 'runc'), 'exec'];
  if (cfg.Tty) args.push('-t');
  for (const env of cfg.Env ?? []) args.push('--env', env);
  if (cfg.WorkingDir) args.push('--cwd', cfg.WorkingDir);
  if (cfg.User && !problem) {
    try {
      const u = resolveUser(snapshotter(root, rec.Driver).view(rec.Id, rec.Layers), cfg.User);
      args.push('--user', `${u.uid}:${u.gid}`);
      for (const g of u.additionalGids) args.push('--additional-gids', String(g));
    } catch (err) {
      problem = (err as Error).message;
    }
  }
  if (problem) {
    streams.onOutput(1, Buffer.from(`${problem}\r\n`));
    return { write() {}, endStdin() {}, resize() {}, done: Promise.resolve(finish(126)) };
  }
  args.push(rec.Id, ...cfg.Cmd);
  const runtime = rec.HostConfig.Runtime || 'runc';
  e.running = true;
  if (cfg.Tty) {
    const term = pty.spawn(runtime, args, { name: 'xterm', cols: size?.cols || 80, rows: size?.rows || 24, cwd: '/', env: childEnv() as Record<string, string> });
    e.pid = term.pid;
    term.onData((d) => streams.onOutput(1, Buffer.from(d, 'binary')));
    const done = new Promise<number>((res) => term.onExit(({ exitCode, signal }) => res(finish(signal ? 128 + signal : exitCode))));
    return {
      write: (d) => term.write(d.toString('binary')),
      endStdin: () => term.write('\x04'),
      resize: (cols, rows) => term.resize(cols, rows),
      done,
    };
  }
  const child = spawn(runtime, args, { stdio: [cfg.AttachStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: childEnv() });
  e.pid = child.pid ?? 0;
  child.stdout!.on('data', (d: Buffer) => streams.onOutput(1, d));
  child.stderr!.on('data', (d: Buffer) => streams.onOutput(2, d));
  child.stdin?.on('error', () => undefined);
  const done = new Promise<number>((res) => {
    child.on('error', () => res(finish(126)));
    child.on('close', (code, signal) => res(finish(code ?? (signal ? 128 + 9 : 1))));
  });
  return {
    write: (d) => void child.stdin?.write(d),
    endStdin: () => void child.stdin?.end(),
    resize: () => undefined,
    done,
  };
}

/** Forget exec instances of containers that are gone (keeps the map bounded). */
export function forgetExecs(containerId: string): void {
  for (const [id, e] of execs) if (e.containerId === containerId && !e.running) execs.delete(id);
}
