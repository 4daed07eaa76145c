/**
 * Check a container's command before handing it to the runtime, so the errors and exit codes
 * match Docker's: 127 when the executable is not found, 126 when it cannot be executed.
 */
import { WharfError } from '../../core/errors.js';
import { resolvePath, type FsView } from '../../archive/layer-stack.js';
import { ociCreateFailed } from './runc.js';

export function execError(cmd: string, reason: string, exitCode: number): WharfError {
  const prefix = `${ociCreateFailed('runc')}unable to start container process: `;
  return new WharfError('INVALID_ARGUMENT', `${prefix}exec: "${cmd}": ${reason}: unknown`, { exitCode });
}

function executable(view: FsView, path: string): 'ok' | 'missing' | 'denied' {
  let st;
  try {
    st = view.lstat(resolvePath(view, path));
  } catch {
    return 'missing';
  }
  if (!st) return 'missing';
  return st.isDirectory() || (st.mode & 0o111) === 0 ? 'denied' : 'ok';
}

/** Why `cmd` cannot be executed (runc's reason, and docker's exit code for a run), if it cannot. */
export function commandProblem(view: FsView, cmd: string, env: string[], cwd: string): { reason: string; exitCode: number } | undefined {
  if (cmd.includes('/')) {
    const abs = cmd.startsWith('/') ? cmd : `${cwd || '/'}/${cmd}`;
    const r = executable(view, abs);
    if (r === 'missing') return { reason: `stat ${cmd}: no such file or directory`, exitCode: 127 };
    if (r === 'denied') return { reason: 'permission denied', exitCode: 126 };
    return undefined;
  }
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  let denied = false;
  for (const dir of pathVar.split(':')) {
    const r = executable(view, `${dir || '.'}/${cmd}`);
    if (r === 'ok') return undefined;
    if (r === 'denied') denied = true;
  }
  return denied ? { reason: 'permission denied', exitCode: 126 } : { reason: 'executable file not found in $PATH', exitCode: 127 };
}

export function checkCommand(view: FsView, cmd: string, env: string[], cwd: string): void {
  if (!cmd) throw new WharfError('INVALID_ARGUMENT', 'No command specified', { exitCode: 125 });
  const problem = commandProblem(view, cmd, env, cwd);
  if (problem) throw execError(cmd, problem.reason, problem.exitCode);
}
