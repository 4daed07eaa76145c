/**
 * Resolving archive paths inside a root directory as if the root were `/`: `..` stops at the
 * root, absolute names and absolute symlink targets are re-rooted, and symlinks in parent
 * components are followed within the root only. This gives a clean tree and clear errors
 * ("not a directory"); confinement itself is the kernel's: extraction runs in a worker
 * chrooted into its target (confined.ts), so a check here that a race defeats cannot leak.
 *
 * Resolved parent directories are cached: a layer writes thousands of files into the same few
 * directories, and re-walking each path with lstat would cost a syscall per component per file.
 * The cache is dropped whenever a directory or symlink is removed or replaced.
 */
import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { invalidArgument } from '../core/errors.js';

const MAX_SYMLINK_HOPS = 255;

/** Cleans an archive name to a relative path with no `.`/`..`/empty parts ('' is the root). */
export function cleanEntryPath(name: string): string {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function splitParent(rel: string): [parent: string, base: string] {
  const i = rel.lastIndexOf('/');
  return i < 0 ? ['', rel] : [rel.slice(0, i), rel.slice(i + 1)];
}

export class RootResolver {
  private readonly dirs = new Map<string, string>();

  /** What host paths start with: the root, or nothing when the root is "/". */
  private readonly prefix: string;

  constructor(readonly root: string) {
    this.prefix = root === '/' ? '' : root;
  }

  /**
   * The host path of directory `rel` (clean, relative), following symlinks inside the root.
   * Missing components are created (mode 0755) when `create` is set, as Docker does for a
   * layer entry whose parent directory is absent.
   */
  dir(rel: string, create: boolean): string {
    const hit = this.dirs.get(rel);
    if (hit !== undefined) return hit;
    const resolved = this.walk(rel, create);
    const host = resolved.length ? `${this.prefix}/${resolved.join('/')}` : this.root;
    this.dirs.set(rel, host);
    return host;
  }

  /** Host path for the entry itself: its parent resolved, its last component not followed. */
  entry(rel: string, createParents: boolean): { host: string; parentHost: string; base: string } {
    const [parent, base] = splitParent(rel);
    const parentHost = this.dir(parent, createParents);
    return { host: base ? `${parentHost === '/' ? '' : parentHost}/${base}` : parentHost, parentHost, base };
  }

  /** Called when a directory or symlink inside the root is removed or replaced. */
  invalidate(): void {
    this.dirs.clear();
  }

  private walk(rel: string, create: boolean): string[] {
    const pending = rel ? rel.split('/').reverse() : [];
    const resolved: string[] = [];
    let hops = 0;
    while (pending.length) {
      const part = pending.pop()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        resolved.pop();
        continue;
      }
      const host = `${this.prefix}/${resolved.length ? `${resolved.join('/')}/` : ''}${part}`;
      let st;
      try {
        st = lstatSync(host);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) {
          throw invalidArgument(`path ${rel}: ${(err as NodeJS.ErrnoException).code ?? 'error'} at ${part}`, { cause: err });
        }
        mkdirSync(host, 0o755);
        resolved.push(part);
        continue;
      }
      if (st.isSymbolicLink()) {
        if (++hops > MAX_SYMLINK_HOPS) throw invalidArgument(`path ${rel}: too many levels of symbolic links`);
        const target = readlinkSync(host);
        if (target.startsWith('/')) resolved.length = 0;
        const parts = target.split('/');
        for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
        continue;
      }
      if (!st.isDirectory()) throw invalidArgument(`path ${rel}: ${part} is not a directory`);
      resolved.push(part);
    }
    return resolved;
  }
}
