/**
 * A tiny base image for tests: Debian's static busybox plus its applet symlinks, as a
 * tar. Nothing can be pulled here, so every test image starts from this.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, copyFileSync, symlinkSync, existsSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';

/** Build `DIR/rootfs` and `DIR/busybox.tar`; returns the tar path. */
export async function makeBusyboxRootfsTar(dir: string): Promise<string> {
  if (!existsSync(BUSYBOX)) throw new Error('busybox-static is not installed (apt-get install busybox-static)');
  const root = join(dir, 'rootfs');
  for (const d of ['bin', 'sbin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev', 'usr/bin', 'var']) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  const tar = join(dir, 'busybox.tar');
  execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '--sort=name', '--mtime=2024-01-01', '-C', root, '-cf', tar, '.']);
  return tar;
}
