/**
 * One way to run a host tool and collect its output: `run(cmd, args, {env, input, timeout,
 * signal, cwd})` resolves with the exit code and both streams and never throws for a non-zero
 * exit (127 when the program is missing, as a shell reports it). The environment is a choice
 * made per call, not inherited by accident:
 *   'inherit'  the caller's (network tools, which honour the user's locale and paths)
 *   'path'     PATH only (mount, umount: they need nothing else)
 *   'wharf'    PATH and wharf's own WHARF_* settings (runtimes and helpers: copying the whole
 *              environment costs time on every spawn and leaks the user's variables into
 *              long-lived processes)
 */
import { execFile } from 'node:child_process';

export type EnvPolicy = 'inherit' | 'path' | 'wharf' | NodeJS.ProcessEnv;

export interface RunOptions {
  env?: EnvPolicy;
  input?: string | Buffer;
  /** ms; the child gets SIGTERM after it. */
  timeout?: number;
  signal?: AbortSignal;
  cwd?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function processEnv(policy: EnvPolicy = 'inherit', from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (typeof policy === 'object') return policy;
  if (policy === 'inherit') return from;
  const env: NodeJS.ProcessEnv = { PATH: from.PATH || DEFAULT_PATH };
  if (policy === 'wharf') for (const [k, v] of Object.entries(from)) if (k.startsWith('WHARF_') && v !== undefined) env[k] = v;
  return env;
}

export function run(cmd: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { encoding: 'utf8', maxBuffer: 64 << 20, env: processEnv(o.env), timeout: o.timeout, signal: o.signal, cwd: o.cwd },
      (err, stdout, stderr) => {
        const errno = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
        const code = !errno ? 0 : typeof errno.code === 'number' ? errno.code : errno.code === 'ENOENT' ? 127 : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) || (code === 127 && errno ? errno.message : '') });
      },
    );
    child.stdin?.on('error', () => undefined);
    if (o.input !== undefined) child.stdin?.end(o.input);
  });
}
