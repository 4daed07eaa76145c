/**
 * Read-only views of a root filesystem by container path ("/etc/passwd"), for reading a
 * container's files without mounting it: `DirView` over a plain directory, `LayerStack` over
 * overlay layer dirs (topmost first) with overlayfs' rules applied by hand:
 * - the topmost layer that has a path decides what it is;
 * - a whiteout (char device 0/0) hides the path in every layer below;
 * - a directory merges with the directories below it, unless it is opaque
 *   (xattr trusted.overlay.opaque=y) or a layer below has a non-directory there.
 * Lookups never follow symlinks; `resolvePath` resolves them the way the container would:
 * absolute or relative, but never out of the root (`..` stops at `/`), like Go's securejoin.
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import { WharfError } from '../core/errors.js';
import { isOpaque, isOverlayWhiteout } from './fs-meta.js';

export interface FsView {
  /** The entry at an absolute container path, not following a final symlink. */
  lstat(path: string): Stats | null;
  readlink(path: string): string;
  /** The host file that shows at `path` (which must exist). */
  hostPath(path: string): string;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

const relOf = (path: string) => path.replace(/^\/+|\/+$/g, '');

export class DirView implements FsView {
  constructor(readonly root: string) {}

  hostPath(path: string): string {
    const rel = relOf(path);
    // The root with a slash: a root that is a link (/proc/PID/root) is then the dir it names.
    return rel ? `${this.root}/${rel}` : `${this.root}/`;
  }

  lstat(path: string): Stats | null {
    return lstatOrNull(this.hostPath(path));
  }

  readlink(path: string): string {
    return readlinkSync(this.hostPath(path));
  }
}

export class LayerStack implements FsView {
  /** Directory (relative path) -> the layers whose directory there shows through, topmost first. */
  private readonly dirs = new Map<string, string[] | null>();

  /** `layers`: host dirs, topmost first; `neverOpaque`: those known to hold no opaque dirs. */
  constructor(
    layers: string[],
    private readonly neverOpaque: ReadonlySet<string> = new Set(),
  ) {
    this.dirs.set('', layers.map((d) => d.replace(/\/+$/, '')));
  }

  private entry(rel: string): { host: string; st: Stats } | null {
    if (!rel) {
      const host = this.dirs.get('')![0]!;
      const st = lstatOrNull(host);
      return st ? { host, st } : null;
    }
    const slash = rel.lastIndexOf('/');
    for (const layer of this.layersOf(slash < 0 ? '' : rel.slice(0, slash)) ?? []) {
      const host = `${layer}/${rel}`;
      const st = lstatOrNull(host);
      if (st) return isOverlayWhiteout(st) ? null : { host, st };
    }
    return null;
  }

  /** The layers that merge into directory `rel`, or null when `rel` is not a visible directory. */
  private layersOf(rel: string): string[] | null {
    const known = this.dirs.get(rel);
    if (known !== undefined) return known;
    const slash = rel.lastIndexOf('/');
    const out: string[] = [];
    const parents = this.layersOf(slash < 0 ? '' : rel.slice(0, slash)) ?? [];
    for (const [i, layer] of parents.entries()) {
      const host = `${layer}/${rel}`;
      const st = lstatOrNull(host);
      if (!st) continue;
      if (!st.isDirectory()) break;
      out.push(layer);
      // The opaque check loads the xattr addon: skip it when no layer below could be hidden.
      if (i < parents.length - 1 && !this.neverOpaque.has(layer) && isOpaque(host)) break;
    }
    const result = out.length ? out : null;
    this.dirs.set(rel, result);
    return result;
  }

  lstat(path: string): Stats | null {
    return this.entry(relOf(path))?.st ?? null;
  }

  readlink(path: string): string {
    return readlinkSync(this.hostPath(path));
  }

  hostPath(path: string): string {
    const e = this.entry(relOf(path));
    if (!e) throw Object.assign(new Error(`${path}: no such file or directory`), { code: 'ENOENT' });
    return e.host;
  }

  /** Names the merged directory `path` shows, sorted. */
  names(path: string): string[] {
    const seen = new Set<string>();
    const hidden = new Set<string>();
    const rel = relOf(path);
    for (const layer of this.layersOf(rel) ?? []) {
      const host = rel ? `${layer}/${rel}` : layer;
      for (const name of readdirSync(host)) {
        if (hidden.has(name) || seen.has(name)) continue;
        if (isOverlayWhiteout(lstatSync(`${host}/${name}`))) hidden.add(name);
        else seen.add(name);
      }
    }
    return [...seen].sort();
  }
}

/** Whether `path` leads to a directory in `view` (a symlink loop counts as no). */
export function isDirectoryIn(view: FsView, path: string): boolean {
  try {
    return !!view.lstat(resolvePath(view, path))?.isDirectory();
  } catch {
    return false;
  }
}

/** The container path `path` leads to; the last component is followed too unless `noFollowLast`. */
export function resolvePath(view: FsView, path: string, noFollowLast = false): string {
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
    const at = '/' + [...done, part].join('/');
    const st = view.lstat(at);
    if (st?.isSymbolicLink() && !(noFollowLast && pending.length === 0)) {
      if (++links > 255) throw new WharfError('INVALID_ARGUMENT', `too many levels of symbolic links: ${path}`);
      const target = view.readlink(at);
      if (target.startsWith('/')) done.length = 0;
      pending = [...target.split('/').filter(Boolean), ...pending];
      continue;
    }
    done.push(part);
  }
  return '/' + done.join('/');
}
