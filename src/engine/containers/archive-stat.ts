/**
 * What `docker cp` asks before it copies (HEAD /containers/{id}/archive): a path's name,
 * size, mode (as Go's os.FileMode bits), mtime and link target, inside the container's root.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { notFound } from '../../core/errors.js';
import { resolveInRoot } from '../../container/rootpath.js';
import { withRootfs } from './fs.js';

export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Go's FileMode type bits for the file types a container path can be. */
function goMode(mode: number): number {
  const perm = mode & 0o777;
  const type = mode & 0o170000;
  const bits: Record<number, number> = { 0o040000: 2 ** 31, 0o120000: 2 ** 27, 0o010000: 2 ** 25, 0o140000: 2 ** 24, 0o020000: 2 ** 26 + 2 ** 21, 0o060000: 2 ** 26 };
  let m = perm + (bits[type] ?? 0);
  if (mode & 0o4000) m += 2 ** 23;
  if (mode & 0o2000) m += 2 ** 22;
  if (mode & 0o1000) m += 2 ** 20;
  return m;
}

export async function statContainerPath(root: string, ref: string, path: string): Promise<PathStat> {
  return withRootfs(root, ref, async (rootfs) => {
    const full = resolveInRoot(rootfs, path, true);
    let st;
    try {
      st = lstatSync(full);
    } catch {
      throw notFound(`Could not find the file ${path} in container ${ref}`);
    }
    const linkTarget = st.isSymbolicLink() ? readlinkSync(full) : '';
    return { name: basename(path) || '/', size: st.size, mode: goMode(st.mode), mtime: st.mtime.toISOString(), linkTarget };
  });
}
