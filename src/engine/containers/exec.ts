/**
 * `exec`: run a command in a running container through its runtime. What the runtime would
 * refuse (a missing working dir or command, an unknown user) is refused first, as a typed
 * ExecRefusedError carrying docker's message, rather than as runc's log line; the front end
 * decides how to show it (docker's CLI prints it on the exec's stdout and exits 126).
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { WharfError } from '../../core/errors.js';
import { DirView, isDirectoryIn } from '../../archive/layer-stack.js';
import { commandProblem } from '../../container/runtime/command.js';
import { DEFAULT_PATH, mergeEnv } from '../../container/runtime/prepare.js';
import { runtimeArgs } from '../../container/runtime/runc.js';
import { resolveUser } from '../../container/runtime/user.js';
import type { ContainerRecord } from '../../container/types.js';
import type { Engine } from '../engine.js';

/** The exec could not start; `exitCode` is the exec's (126), the message docker's. */
export class ExecRefusedError extends WharfError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('INVALID_ARGUMENT', message, { exitCode: 126, cause: options.cause });
    this.name = 'ExecRefusedError';
  }
}

export interface ExecOptions {
  cmd: string[];
  tty?: boolean;
  detach?: boolean;
  env?: string[];
  user?: string;
  workdir?: string;
}

function refused(why: string): ExecRefusedError {
  return new ExecRefusedError(`OCI runtime exec failed: exec failed: ${why}: unknown`);
}

function checkExec(rec: ContainerRecord, pid: number, o: ExecOptions): void {
  // The running container's own view of its root, volumes included.
  const view = new DirView(`/proc/${pid}/root`);
  const cwd = o.workdir || rec.Config.WorkingDir || '/';
  if (!isDirectoryIn(view, cwd)) throw refused(`unable to start container process: chdir to cwd (${JSON.stringify(cwd)}) set in config.json failed: no such file or directory`);
  const problem = commandProblem(view, o.cmd[0]!, mergeEnv([`PATH=${DEFAULT_PATH}`, ...(rec.Config.Env ?? [])], o.env ?? []), cwd);
  if (problem) throw refused(`unable to start container process: exec: ${JSON.stringify(o.cmd[0])}: ${problem.reason}`);
}

/** The runtime's argv for the exec, after docker's checks (state, user, cwd, command). */
export function prepareExec(engine: Engine, ref: string, o: ExecOptions): { runtime: string; args: string[] } {
  const store = engine.containers;
  const rec = store.get(ref);
  const st = store.state(rec.Id);
  if (!st.Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
  if (st.Paused) throw new WharfError('CONFLICT', `Container ${ref} is paused, unpause the container before exec`);
  const runtime = rec.HostConfig.Runtime || 'runc';
  const args = [...runtimeArgs(runtime), 'exec'];
  if (o.tty) args.push('-t');
  if (o.detach) args.push('-d');
  for (const e of o.env ?? []) args.push('--env', e);
  if (o.workdir) args.push('--cwd', o.workdir);
  if (o.user) {
    let u;
    try {
      u = resolveUser(engine.snapshotter(rec.Driver).view(rec.Id, rec.Layers), o.user);
    } catch (err) {
      throw new ExecRefusedError((err as Error).message, { cause: err });
    }
    args.push('--user', `${u.uid}:${u.gid}`);
    for (const g of u.additionalGids) args.push('--additional-gids', String(g));
  }
  checkExec(rec, st.Pid, o);
  args.push(rec.Id, ...o.cmd);
  return { runtime, args };
}

/** Run the exec with the given stdio; resolves with its exit code. */
export async function execContainer(engine: Engine, ref: string, o: ExecOptions, stdio: StdioOptions): Promise<number> {
  const { runtime, args } = prepareExec(engine, ref, o);
  const child = spawn(runtime, args, { stdio: o.detach ? 'ignore' : stdio });
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
}
