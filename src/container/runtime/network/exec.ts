/**
 * Running the host's network tools (ip, nft, iptables) and turning their failures into
 * WharfErrors that carry the tool's own stderr line.
 */
import { WharfError } from '../../../core/errors.js';
import { run as runProcess, type RunResult } from '../../../core/process.js';

export type { RunResult } from '../../../core/process.js';

/** Run a network tool with the caller's environment; never throws for a non-zero exit (see `mustRun`). */
export function run(cmd: string, args: string[], input?: string): Promise<RunResult> {
  return runProcess(cmd, args, { input });
}

/** Run a command and throw on failure, unless its stderr matches `ignore`. */
export async function mustRun(cmd: string, args: string[], opts: { input?: string; ignore?: RegExp } = {}) {
  const res = await run(cmd, args, opts.input);
  if (res.code !== 0 && !(opts.ignore && opts.ignore.test(res.stderr))) {
    const detail = res.stderr.trim().split('\n')[0] ?? '';
    throw new WharfError('INTERNAL', `${cmd} ${args.join(' ')}: ${detail || `exit status ${res.code}`}`);
  }
  return res;
}

/** Tolerated "already gone" errors of ip(8) and nft(8) during teardown. */
export const GONE = /Cannot find device|No such file|does not exist|not found|No such process|Invalid argument/i;
