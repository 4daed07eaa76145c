/**
 * File metadata that Node's fs lacks or makes awkward: xattrs, device nodes, and applying a
 * tar header's owner/mode/times/xattrs to a path.
 *
 * xattrs use @napi-rs/xattr: a maintained N-API binding shipped prebuilt, whose calls do not
 * follow symlinks (l*xattr), so they are safe on untrusted trees; spawning getfattr/setfattr
 * per file would cost a process per file on the hot path. Node has no mknod(2), so device
 * nodes and fifos are made by the `mknod` command, batched into one shell per many nodes
 * (overlay whiteouts are char 0/0 devices, one per deleted file).
 *
 * Calls are synchronous on purpose: each is a few microseconds on a local disk, while a
 * promise round-trip through libuv's thread pool costs more than the syscall itself.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, lchownSync, lutimesSync, readdirSync, type Stats } from 'node:fs';
import { getAttributeSync, listAttributesSync, setAttributeSync } from '@napi-rs/xattr';
import { WharfError } from '../core/errors.js';
import type { TarHeader } from './tar-header.js';

const isRoot = process.getuid?.() === 0;

export function setXattr(path: string, name: string, value: Buffer): void {
  try {
    setAttributeSync(path, name, value);
  } catch (err) {
    // like Docker: a filesystem or privilege that refuses an xattr is not fatal
    if (/not supported|not permitted|os error (1|95)\)/i.test((err as Error).message)) return;
    throw new WharfError('INTERNAL', `setxattr ${name} on ${path}: ${(err as Error).message}`, { cause: err });
  }
}

export function getXattr(path: string, name: string): Buffer | null {
  try {
    return getAttributeSync(path, name);
  } catch {
    return null;
  }
}

/** All xattrs of a path (not following symlinks), sorted by name for deterministic output. */
export function readXattrs(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let names: string[];
  try {
    names = listAttributesSync(path);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const v = getXattr(path, name);
    if (v !== null) out.set(name, v);
  }
  return out;
}

/** lchown, tolerating EPERM when not root (rootless extraction keeps our own ids). */
export function chownNoFollow(path: string, uid: number, gid: number): void {
  try {
    lchownSync(path, uid, gid);
  } catch (err) {
    if (isRoot || (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}

/**
 * Owner, then mode (chown clears setuid bits), then xattrs, then times. Directories pass
 * `times: false` and get their times at the end of the extraction.
 */
export function applyMeta(path: string, h: TarHeader, opts: { times: boolean; mode: boolean }): void {
  chownNoFollow(path, h.uid, h.gid);
  if (opts.mode && h.type !== 'symlink') chmodSync(path, h.mode & 0o7777);
  for (const [name, value] of h.xattrs) setXattr(path, name, value);
  if (opts.times) lutimesSync(path, h.mtime, h.mtime);
}

interface PendingNode {
  path: string;
  header: TarHeader;
}

/** Collects device nodes and fifos, then makes them with one `sh` running `mknod` per node. */
export class NodeBatch {
  private pending: PendingNode[] = [];
  private readonly paths = new Set<string>();
  private argBytes = 0;

  add(path: string, header: TarHeader): void {
    this.pending.push({ path, header });
    this.paths.add(path);
    this.argBytes += path.length + 16;
    if (this.pending.length >= 4096 || this.argBytes > 96 * 1024) this.flush();
  }

  has(path: string): boolean {
    return this.paths.has(path);
  }

  get size(): number {
    return this.pending.length;
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const args: string[] = [];
    for (const { path, header } of this.pending) {
      const kind = header.type === 'char' ? 'c' : header.type === 'block' ? 'b' : 'p';
      args.push(path, kind, String(header.devmajor), String(header.devminor));
    }
    const script =
      'while [ $# -gt 0 ]; do if [ "$2" = p ]; then mknod -- "$1" p; else mknod -- "$1" "$2" "$3" "$4"; fi || exit 1; shift 4; done';
    const r = spawnSync('sh', ['-c', script, 'sh', ...args], { encoding: 'utf8' });
    if (r.status !== 0) {
      const detail = r.error?.message ?? (r.stderr.trim().split('\n')[0] || `exit ${r.status}`);
      throw new WharfError('INTERNAL', `cannot create device node: ${detail}`, {
        hint: 'device nodes need root (CAP_MKNOD)',
      });
    }
    for (const { path, header } of this.pending) applyMeta(path, header, { times: true, mode: true });
    this.pending = [];
    this.paths.clear();
    this.argBytes = 0;
  }
}

/** A directory's names in bytewise order (Go's order), so walks and their tars are deterministic. */
export function sortedNames(dir: string): string[] {
  return readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** overlayfs marks a deleted path with a char device 0/0. */
export function isOverlayWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

export function isOpaque(host: string): boolean {
  return getXattr(host, 'trusted.overlay.opaque')?.toString() === 'y';
}
