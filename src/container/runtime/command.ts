/**
 * Check a container's command before handing it to the runtime, so the errors and exit codes
 * match Docker's: 127 when the executable is not found, 126 when it cannot be executed.
 */
import { statSync } from 'node:fs';
import { WharfError } from '../../core/errors.js';
import { resolveInRoot } from '../rootpath.js';

const OCI_PREFIX = 'failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ';

export function execError(cmd: string, reason: string, exitCode: number): WharfError {
  return new WharfError('INVALID_ARGUMENT', `${OCI_PREFIX}exec: "${cmd}": ${reason}: unknown`, { exitCode });
}

function executable(host: string): 'ok' | 'missing' | 'denied' {
  try {
    const st = statSync(host);
    if (st.isDirectory() || (st.mode & 0o111) === 0) return 'denied';
    return 'ok';
  } catch {
    return 'missing';
  }
}

export function checkCommand(rootfs: string, cmd: string, env: string[], cwd: string): void {
  if (!cmd) throw new WharfError('INVALID_ARGUMENT', 'No command specified', { exitCode: 125 });
  if (cmd.includes('/')) {
    const abs = cmd.startsWith('/') ? cmd : `${cwd || '/'}/${cmd}`;
    const r = executable(resolveInRoot(rootfs, abs));
    if (r === 'missing') throw execError(cmd, 'stat ' + cmd + ': no such file or directory', 127);
    if (r === 'denied') throw execError(cmd, 'permission denied', 126);
    return;
  }
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  let denied = false;
  for (const dir of pathVar.split(':')) {
    const r = executable(resolveInRoot(rootfs, `${dir || '.'}/${cmd}`));
    if (r === 'ok') return;
    if (r === 'denied') denied = true;
  }
  if (denied) throw execError(cmd, 'permission denied', 126);
  throw execError(cmd, 'executable file not found in $PATH', 127);
}
