/**
 * Docker's volume copy-up: the first time an empty named or anonymous volume is mounted over a
 * path that holds content in the container's root filesystem (the image's files there), that
 * content is copied into the volume, keeping owners, modes and times, and the volume directory
 * takes the image directory's mode and owner. A volume that holds anything is left alone, as is
 * one mounted with `nocopy`; bind mounts never copy. The copy is two confined workers (one
 * chrooted into the root taring, one chrooted into the volume extracting), like `cp`.
 */
import { chmodSync, chownSync, readdirSync } from 'node:fs';
import { DirView, resolvePath, type FsView } from '../../archive/layer-stack.js';
import { confine, tarOf } from '../../archive/confined.js';
import type { MountPoint } from '../types.js';

function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

/** The container path whose content volume `m` takes on its first mount, if it takes any. */
export function copyUpSource(view: FsView, m: MountPoint): string | undefined {
  if (m.Type !== 'volume' || !m.Source || /(^|,)nocopy(,|$)/.test(m.Mode ?? '') || !isEmptyDir(m.Source)) return undefined;
  try {
    const src = resolvePath(view, m.Destination);
    return view.lstat(src)?.isDirectory() ? src : undefined;
  } catch {
    return undefined;
  }
}

export async function copyUpVolumes(rootfs: string, mounts: MountPoint[]): Promise<void> {
  const view = new DirView(rootfs);
  for (const m of mounts) {
    const path = copyUpSource(view, m);
    if (!path) continue;
    const src = view.hostPath(path);
    const st = view.lstat(path)!;
    chmodSync(m.Source, st.mode & 0o7777);
    chownSync(m.Source, st.uid, st.gid);
    if (isEmptyDir(src)) continue;
    const from = confine(rootfs, { op: 'tar', path, content: true });
    const into = confine(m.Source, { op: 'apply', opts: { whiteouts: 'none' } }, tarOf(from));
    into.stdout.resume();
    await into.done;
  }
}
