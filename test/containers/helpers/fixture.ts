/**
 * Shared fixture for the container end-to-end tests: a temp data root, a CLI runner, a
 * busybox image built from Debian's busybox-static, and a host-leak probe (mounts, netns,
 * cgroups, monitor processes) to run after failing cases.
 */
import { after, before } from 'node:test';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The CLI as a user runs it: bin/wharf (built dist/).
const wharfBin = fileURLToPath(new URL('../../../bin/wharf', import.meta.url));

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export class Fixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'wharf-ctr-'));
  readonly root = join(this.dir, 'root');
  /** The busybox image's tag, once busyboxFixture's `before` has made it. */
  img = '';

  wharf(args: string[], o: { input?: string; timeout?: number } = {}): Result {
    const r = spawnSync(wharfBin, ['--root', this.root, ...args], {
      input: o.input ?? '',
      encoding: 'utf8',
      timeout: o.timeout ?? 60000,
    });
    return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  }

  /** Shell command line that runs wharf (for tmux). */
  command(args: string): string {
    return `${wharfBin} --root ${this.root} ${args}`;
  }

  ok(args: string[], o: { input?: string } = {}): string {
    const r = this.wharf(args, o);
    if (r.code !== 0) throw new Error(`wharf ${args.join(' ')} -> ${r.code}\n${r.stderr}`);
    return r.stdout;
  }

  /** Import a busybox rootfs as `tag`. */
  busybox(tag = 'bb:test'): string {
    const rootfs = join(this.dir, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    mkdirSync(join(rootfs, 'etc'), { recursive: true });
    mkdirSync(join(rootfs, 'tmp'), { recursive: true });
    copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
    execFileSync('chmod', ['755', join(rootfs, 'bin', 'busybox')]);
    for (const a of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
      if (a !== 'busybox' && !existsSync(join(rootfs, 'bin', a))) symlinkSync('busybox', join(rootfs, 'bin', a));
    }
    writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
    writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
    writeFileSync(join(rootfs, 'notexec'), 'data\n');
    const tar = join(this.dir, 'rootfs.tar');
    execFileSync('tar', ['-C', rootfs, '-cf', tar, '.']);
    this.ok(['import', '-c', 'CMD ["sh"]', tar, tag]);
    return tag;
  }

  /** Everything a container could leave on the host; empty when clean. */
  leaks(): string[] {
    const out: string[] = [];
    for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const mp = line.split(' ')[4];
      if (mp?.startsWith(this.root)) out.push(`mount ${mp}`);
    }
    const ids = existsSync(join(this.root, 'containers')) ? readdirSync(join(this.root, 'containers')) : [];
    const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
    for (const id of ids) {
      if (netns.includes(`wharf-${id.slice(0, 12)}`)) out.push(`netns ${id}`);
      for (const ctl of ['memory', 'pids', 'cpu']) if (existsSync(`/sys/fs/cgroup/${ctl}/wharf/${id}`)) out.push(`cgroup ${ctl} ${id}`);
      if (existsSync(`/run/wharf/runc/${id}`)) out.push(`runc state ${id}`);
    }
    const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
    for (const id of ids) if (ps.includes(`wharf-monitor ${id.slice(0, 12)}`)) out.push(`monitor ${id}`);
    return out;
  }

  cleanup(): void {
    const r = this.wharf(['ps', '-aq']);
    const ids = r.stdout.split('\n').filter(Boolean);
    if (ids.length) this.wharf(['rm', '-f', ...ids]);
    for (const l of this.leaks()) if (l.startsWith('mount ')) spawnSync('umount', ['-l', l.slice(6)]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` until it holds; throws after `ms`. */
export async function waitFor(fn: () => boolean, ms = 15000, every = 100): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(every);
  }
}

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0;
}

/** A suite's fixture: a fresh data root with the busybox image (`fx.img`) made before the tests, removed after. */
export function busyboxFixture(): Fixture {
  const fx = new Fixture();
  before(() => {
    fx.img = fx.busybox();
  });
  after(() => fx.cleanup());
  return fx;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
