/**
 * Resolve a path inside a container's root filesystem the way the container would see it:
 * symlinks (absolute or relative) are followed but never lead outside the root (`..` stops
 * at `/`), like Go's securejoin. Used by `cp`, command checks and volume targets.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { WharfError } from '../core/errors.js';

/** Host path for `path` inside `root`; the last component is followed too unless `noFollowLast`. */
export function resolveInRoot(root: string, path: string, noFollowLast = false): string {
  let pending = posix.normalize('/' + path).split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, part);
    let st;
    try {
      st = lstatSync(host);
    } catch {
      done.push(part);
      continue;
    }
    if (st.isSymbolicLink() && !(noFollowLast && pending.length === 0)) {
      if (++links > 255) throw new WharfError('INVALID_ARGUMENT', `too many levels of symbolic links: ${path}`);
      const target = readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      pending = [...target.split('/').filter(Boolean), ...pending];
      continue;
    }
    done.push(part);
  }
  return join(root, ...done);
}
