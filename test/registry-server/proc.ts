/**
 * Running real clients (docker, skopeo, podman, curl) from tests whose registry lives in the
 * same process: asynchronous spawns that never block the event loop, with a hard timeout.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, tempDir, type TestRegistry } from './helpers.js';

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Synchronous runs only where no in-process server has to answer (setup). */
export const runSync = (cmd: string, args: string[], env?: NodeJS.ProcessEnv) =>
  execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

/** Run a client without blocking the event loop; resolves with its exit status and output. */
export function exec(cmd: string, args: string[], env?: NodeJS.ProcessEnv, input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Like exec, but a non-zero exit throws with the client's stderr. */
export async function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv, input?: string): Promise<string> {
  const r = await exec(cmd, args, env, input);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A registry serving TLS on 127.0.0.1 with a fresh self-signed certificate; `certDir` holds its ca.crt. */
export async function startTlsRegistry(): Promise<{ reg: TestRegistry; host: string; certDir: string }> {
  const dir = tempDir();
  const certDir = join(dir, 'certs');
  mkdirSync(certDir);
  runSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(certDir, 'ca.crt')]);
  const reg = await startRegistry({ tls: { cert: join(certDir, 'ca.crt'), key: join(dir, 'key.pem') } }, dir);
  return { reg, host: `127.0.0.1:${reg.port}`, certDir };
}
