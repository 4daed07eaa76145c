/**
 * Exec instances as Docker's API has them: created (POST /containers/{id}/exec) with a
 * command and options, started once with streams attached (pipes, or a pty for -t),
 * inspected afterwards for the exit code. They live in the serving process's memory, as
 * dockerd's do. exec.ts makes the checks and the runtime's argv.
 */
import { spawn } from 'node:child_process';
import * as pty from 'node-pty';
import { randomBytes } from '../../core/random.js';
import { WharfError } from '../../core/errors.js';
import { childEnv } from '../../container/runtime/helper-process.js';
import type { Engine } from '../engine.js';
import { ExecRefusedError, prepareExec } from './exec.js';

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

interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  started: boolean;
}

export interface ExecProcess {
  write(d: Buffer): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
  /** The exit code once the process is gone and its output delivered. */
  done: Promise<number>;
}

const execs = new Map<string, ExecInstance>();

export function createExec(engine: Engine, ref: string, config: ExecConfig): string {
  const rec = engine.containers.get(ref);
  const st = engine.containers.state(rec.Id);
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

/** Start an exec once; output goes to `onOutput`. A refused command reports on stdout and exits 126, as docker's does. */
export async function startExec(engine: Engine, id: string, onOutput: (stream: 1 | 2, d: Buffer) => void, size?: { cols: number; rows: number }): Promise<ExecProcess> {
  const e = getExec(id);
  if (e.started) throw new WharfError('CONFLICT', `Error: Exec command ${id} has already run`);
  e.started = true;
  const cfg = e.config;
  const finish = (code: number) => {
    e.running = false;
    e.exitCode = code;
    return code;
  };
  let prepared;
  try {
    prepared = prepareExec(engine, e.containerId, { cmd: cfg.Cmd, tty: !!cfg.Tty, env: cfg.Env ?? [], user: cfg.User || undefined, workdir: cfg.WorkingDir || undefined });
  } catch (err) {
    if (!(err instanceof ExecRefusedError)) throw err;
    onOutput(1, Buffer.from(`${err.message}\r\n`));
    return { write() {}, endStdin() {}, resize() {}, done: Promise.resolve(finish(126)) };
  }
  const { runtime, args } = prepared;
  e.running = true;
  if (cfg.Tty) {
    const term = pty.spawn(runtime, args, { name: 'xterm', cols: size?.cols || 80, rows: size?.rows || 24, cwd: '/', env: childEnv() as Record<string, string> });
    e.pid = term.pid;
    term.onData((d) => onOutput(1, Buffer.from(d, 'binary')));
    const done = new Promise<number>((res) => term.onExit(({ exitCode, signal }) => res(finish(signal ? 128 + signal : exitCode))));
    return { write: (d) => term.write(d.toString('binary')), endStdin: () => term.write('\x04'), resize: (cols, rows) => term.resize(cols, rows), done };
  }
  const child = spawn(runtime, args, { stdio: [cfg.AttachStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: childEnv() });
  e.pid = child.pid ?? 0;
  child.stdout!.on('data', (d: Buffer) => onOutput(1, d));
  child.stderr!.on('data', (d: Buffer) => onOutput(2, d));
  child.stdin?.on('error', () => undefined);
  const done = new Promise<number>((res) => {
    child.on('error', () => res(finish(126)));
    child.on('close', (code, signal) => res(finish(code ?? (signal ? 137 : 1))));
  });
  return { write: (d) => void child.stdin?.write(d), endStdin: () => void child.stdin?.end(), resize: () => undefined, done };
}

/** Forget the finished exec instances of a removed container. */
export function forgetExecs(containerId: string): void {
  for (const [id, e] of execs) if (e.containerId === containerId && !e.running) execs.delete(id);
}
