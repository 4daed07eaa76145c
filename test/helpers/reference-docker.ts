/**
 * The reference dockerd for tests that compare wharf's output with Docker's: the one named by
 * WHARF_TEST_DOCKER_HOST (scripts/test.sh starts a private one). `referenceDocker()` is the
 * runner, or a one-line reason to skip when there is none.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface DockerRun {
  code: number;
  stdout: string;
  stderr: string;
}

export type DockerRunner = (args: string[], opts?: { input?: string | Buffer; env?: NodeJS.ProcessEnv }) => DockerRun;

let cached: DockerRunner | string | undefined;

export function referenceDocker(): DockerRunner | string {
  if (cached !== undefined) return cached;
  const host = process.env.WHARF_TEST_DOCKER_HOST;
  const cli = ['/usr/local/bin/docker', '/usr/bin/docker'].find((p) => existsSync(p));
  if (!host) return (cached = 'WHARF_TEST_DOCKER_HOST is not set (no reference dockerd)');
  if (!cli) return (cached = 'the docker CLI is not installed');
  const run: DockerRunner = (args, opts = {}) => {
    const r = spawnSync(cli, args, { input: opts.input ?? '', env: { ...process.env, ...opts.env, DOCKER_HOST: host }, encoding: 'utf8', timeout: 120000, maxBuffer: 1 << 28 });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  if (run(['version']).code !== 0) return (cached = `the reference dockerd at ${host} does not answer`);
  return (cached = run);
}
