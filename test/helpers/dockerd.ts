/**
 * A private dockerd for interop tests: its own data root, exec root and socket under a
 * temp dir, a bridge of its own and no iptables, so it leaves the host's network alone (with
 * `--bridge none`, dockerd would delete the host's docker0). Tests skip with the returned
 * reason when it cannot start.
 *
 * `certsDir` gives the daemon a private /etc/docker/certs.d: dockerd (rootful) only reads
 * certs.d from that fixed path, so the daemon runs in its own mount namespace (`unshare -m`,
 * private propagation) where a temp dir is bind-mounted over /etc/docker and `certsDir` over
 * its certs.d. The host's /etc/docker is never written, and the mounts die with the daemon.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './wharf.js';
import { createBridge } from './veth.js';

export interface Dockerd {
  host: string;
  docker(args: string[], opts?: { input?: string | Buffer }): { code: number; stdout: string; stderr: string };
  stop(): Promise<void>;
}

function dockerBinary(): string | undefined {
  for (const p of ['/usr/bin/docker', '/usr/local/bin/docker']) if (existsSync(p)) return p;
  return undefined;
}

export interface DockerdOptions {
  /** A directory laid out like /etc/docker/certs.d (HOST:PORT/ca.crt), seen only by this daemon. */
  certsDir?: string;
}

export async function startDockerd(options: DockerdOptions = {}): Promise<Dockerd | string> {
  if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd')) return 'dockerd is not installed';
  const cli = dockerBinary();
  if (!cli) return 'the docker CLI is not installed';
  if (process.getuid?.() !== 0) return 'dockerd needs root';
  const dir = tempDir('wharf-dockerd-');
  const sock = join(dir, 'docker.sock');
  mkdirSync(join(dir, 'exec'), { recursive: true });
  const bridge = createBridge();
  const args = ['--data-root', join(dir, 'root'), '--exec-root', join(dir, 'exec'), '-H', `unix://${sock}`, '--pidfile', join(dir, 'pid'), '--bridge', bridge.link, '--iptables=false', '--ip-masq=false'];
  let proc: ChildProcess;
  if (options.certsDir) {
    if (!existsSync('/etc/docker') || !existsSync('/usr/bin/unshare')) return 'a private certs.d needs /etc/docker and unshare(1)';
    const etc = join(dir, 'etc-docker');
    mkdirSync(join(etc, 'certs.d'), { recursive: true });
    // sh execs dockerd, so proc.pid is the daemon's and SIGTERM reaches it directly.
    const script = 'mount --bind "$0" /etc/docker && mount --bind "$1" /etc/docker/certs.d && shift && exec dockerd --config-file /etc/docker/daemon.json "$@"';
    writeFileSync(join(etc, 'daemon.json'), '{}');
    proc = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, etc, options.certsDir, ...args], { stdio: 'ignore' });
  } else {
    proc = spawn('dockerd', args, { stdio: 'ignore', detached: false });
  }
  const host = `unix://${sock}`;
  const docker: Dockerd['docker'] = (args, opts = {}) => {
    const r = spawnSync(cli, args, { input: opts.input ?? '', env: { ...process.env, DOCKER_HOST: host }, maxBuffer: 1 << 30 });
    return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };
  const stop = async () => {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    spawnSync('umount', ['-R', join(dir, 'root')], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
    bridge.remove();
  };
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      bridge.remove();
      return 'dockerd exited at start';
    }
    if (existsSync(sock) && docker(['version', '--format', '{{.Server.Version}}']).code === 0) return { host, docker, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  return 'dockerd did not answer within 20 s';
}
