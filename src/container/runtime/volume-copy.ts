/**
 * Docker's volume copy-up: the first time an empty named or anonymous volume is mounted over a
 * path that holds content in the container's root filesystem (the image's files there), that
 * content is copied into the volume, keeping owners, modes and times, and the volume directory
 * takes the image directory's mode and owner. A volume that holds anything is left alone, as is
 * one mounted with `nocopy`; bind mounts never copy.
 */
import { chmodSync, chownSync, lstatSync, readdirSync } from 'node:fs';
import { run } from '../../snapshot/mount.js';
import { resolveInRoot } from '../rootpath.js';
import type { MountPoint } from '../types.js';

function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

export async function copyUpVolumes(rootfs: string, mounts: MountPoint[]): Promise<void> {
  for (const m of mounts) {
    if (m.Type !== 'volume' || !m.Source || /(^|,)nocopy(,|$)/.test(m.Mode ?? '') || !isEmptyDir(m.Source)) continue;
    let src: string;
    try {
      src = resolveInRoot(rootfs, m.Destination);
    } catch {
      continue;
    }
    const st = lstatSync(src, { throwIfNoEntry: false });
    if (!st?.isDirectory()) continue;
    chmodSync(m.Source, st.mode & 0o7777);
    chownSync(m.Source, st.uid, st.gid);
    if (!isEmptyDir(src)) await run('cp', ['-a', '--', `${src}/.`, `${m.Source}/`]);
  }
}
