/**
 * `wharf serve` for API tests: a temp data root with the busybox image, the server on a
 * unix socket in that dir, and a docker CLI runner pointed at it. Everything listens on
 * the socket only (or 127.0.0.1 where a test says so).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { busybox } from '../helpers/images.js';
import { removeDir, tempDir, WHARF_BIN, wharfOk } from '../helpers/wharf.js';
import { call } from './reference.js';

export const DOCKER_CLI = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => existsSync(p));

export interface Served {
  dir: string;
  root: string;
  sock: string;
  host: string;
  image: string;
  child: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

export async function serve(extraArgs: string[] = []): Promise<Served> {
  const dir = tempDir('wharf-api-');
  const root = join(dir, 'root');
  const sock = join(dir, 'wharf.sock');
  const image = 'api-test-bb:1';
  wharfOk(root, ['import', await busybox(), image]);
  let log = '';
  const child = spawn(WHARF_BIN, ['--root', root, 'serve', '-H', `unix://${sock}`, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      if ((await call(sock, 'GET', '/_ping')).status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`wharf serve did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    dir, root, sock, host: `unix://${sock}`, image, child, log: () => log,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      // Containers the test left: removed with the engine's own CLI.
      const ids = (spawnSync(WHARF_BIN, ['--root', root, 'ps', '-aq', '--no-trunc'], { encoding: 'utf8', timeout: 30000 }).stdout ?? '').split('\n').filter(Boolean);
      if (ids.length) spawnSync(WHARF_BIN, ['--root', root, 'rm', '-f', ...ids], { timeout: 60000 });
      removeDir(dir);
    },
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the docker CLI against `host`. */
export function docker(host: string, args: string[], o: { input?: string; cli?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(o.cli ?? DOCKER_CLI!, args, { input: o.input ?? '', encoding: 'utf8', maxBuffer: 1 << 28, timeout: o.timeout ?? 60000, env: { ...process.env, ...o.env, DOCKER_HOST: host, DOCKER_CONFIG: join(tempDirOnce(), 'docker-config') } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let configDir: string | undefined;
/** One empty DOCKER_CONFIG per test process: no user credentials or contexts leak in. */
function tempDirOnce(): string {
  if (!configDir) {
    configDir = tempDir('wharf-api-cfg-');
    process.once('exit', () => removeDir(configDir!));
  }
  return configDir;
}
