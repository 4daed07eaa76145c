/**
 * Container paths to host paths in a mounted root dir, by archive/layer-stack.ts's
 * resolvePath (symlinks followed, never out of the root). Used by `cp` and volume targets.
 */
import { join } from 'node:path';
import { DirView, resolvePath } from '../archive/layer-stack.js';

/** Host path for `path` inside the mounted root `root`. */
export function resolveInRoot(root: string, path: string, noFollowLast = false): string {
  return join(root, resolvePath(new DirView(root), path, noFollowLast));
}
