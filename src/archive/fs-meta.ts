/**
 * File metadata that Node's fs lacks or makes awkward: xattrs, device nodes, and applying a
 * tar header's owner/mode/times/xattrs to a path.
 *
 * xattrs use @napi-rs/xattr: a maintained N-API binding shipped prebuilt, whose calls do not
 * follow symlinks (l*xattr), so they are safe on untrusted trees; spawning getfattr/setfattr
 * per file would cost a process per file on the hot path. Node has no mknod(2): device
 * nodes and fifos come from wharf's own addon (native.ts).
 *
 * Calls are synchronous on purpose: each is a few microseconds on a local disk, while a
 * promise round-trip through libuv's thread pool costs more than the syscall itself.
 */
import { chmodSync, lchownSync, lutimesSync, readdirSync, type Stats } from 'node:fs';
import { getAttributeSync, listAttributesSync, setAttributeSync } from '@napi-rs/xattr';
import { WharfError } from '../core/errors.js';
import type { TarHeader } from './tar-header.js';
import { mknod } from './native.js';

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

/**
 * A device node or fifo (an overlay whiteout is a char 0/0), by mknod(2) through wharf's
 * addon: a confined worker must never run a program, which would be the image's own.
 */
export function makeNode(path: string, header: TarHeader): void {
  const type = header.type === 'char' || header.type === 'block' ? header.type : 'fifo';
  try {
    mknod(path, type, 0, header.devmajor, header.devminor);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new WharfError('INTERNAL', `cannot create device node ${header.name}: ${e.code ?? e.message}`, {
      hint: e.code === 'EPERM' ? 'device nodes need root (CAP_MKNOD)' : undefined,
      cause: err,
    });
  }
  applyMeta(path, header, { times: true, mode: true });
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
