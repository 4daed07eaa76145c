/**
 * Turning directories back into layer tars, and listing what a container changed.
 *
 * - `tarDirectory`: a whole tree (`wharf export`, or a native-driver snapshot).
 * - `tarOverlayUpper`: an overlayfs upper dir as an OCI layer (`wharf commit`): overlay's
 *   char 0/0 whiteouts become `.wh.NAME` and opaque dirs get a `.wh..wh..opq` entry.
 * - `changes` (in changes.ts, re-exported): what `wharf diff` lists.
 *
 * Walks are depth-first with names sorted bytewise in each directory, so the same tree always
 * gives the same bytes (and so the same diffID). Hardlinks (same dev+ino) become hardlink
 * entries to the first name seen; sockets are skipped, like Docker does; overlay's own
 * `trusted.overlay.*` xattrs never leak into a layer.
 */
import { closeSync, constants, lstatSync, openSync, readSync, readlinkSync, type Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { TarWriter } from './tar-writer.js';
import type { TarEntryType, TarHeaderInput } from './tar-header.js';
import { isOpaque, isOverlayWhiteout, readXattrs, sortedNames } from './fs-meta.js';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from './apply.js';

const SMALL_FILE = 1024 * 1024;

export { changes, type Change, type ChangeKind } from './changes.js';

/** Owner names for the tar headers (uname/gname), as `docker export` looks them up in the container. */
export interface OwnerNames {
  user(uid: number): string | undefined;
  group(gid: number): string | undefined;
}

export interface TarOptions {
  /** uname/gname for the headers (export names owners from the container's passwd and group). */
  names?: OwnerNames;
  /** Overlay upper dir: char 0/0 whiteouts become `.wh.` entries, opaque dirs get a marker. */
  overlay?: boolean;
  /** Skip files that vanish while the walk runs (a running container's tree). */
  tolerant?: boolean;
  /**
   * Archive `root` itself under this name (`cp`'s `NAME/...`), rather than only its content.
   */
  top?: string;
  /**
   * Only these paths (relative, each parent listed before its children), none recursed
   * into; `whiteout` ones become `.wh.` entries: a vfs container's changes as a layer.
   */
  list?: { path: string; whiteout?: boolean }[];
}

export function tarDirectory(dir: string, o: Omit<TarOptions, 'overlay'> = {}): Readable {
  return produce(dir, o);
}

export function tarOverlayUpper(upperDir: string): Readable {
  return produce(upperDir, { overlay: true });
}

const gone = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/** A file's first `size` bytes from an open fd, zero-padded if it shrank meanwhile. */
async function* fileBody(fd: number, size: number): AsyncGenerator<Buffer> {
  try {
    for (let off = 0; off < size; ) {
      const buf = Buffer.allocUnsafe(Math.min(SMALL_FILE, size - off));
      let n = 0;
      while (n < buf.length) {
        const got = readSync(fd, buf, n, buf.length - n, off + n);
        if (got === 0) break;
        n += got;
      }
      buf.fill(0, n);
      off += buf.length;
      yield buf;
    }
  } finally {
    closeSync(fd);
  }
}

function produce(root: string, o: TarOptions): Readable {
  const writer = new TarWriter();
  const links = new Map<string, string>();
  const base = root === '/' ? '' : root.replace(/\/+$/, '');
  const overlay = !!o.overlay;
  /** fn's result, or undefined when what it reads vanished and that is tolerated. */
  const unlessGone = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (o.tolerant && gone(err)) return undefined;
      throw err;
    }
  };

  /** One entry (and what is below it); `host` exists unless it vanished. */
  const one = async (host: string, name: string, parentRel: string, base_: string, recurse = true): Promise<void> => {
    const st = unlessGone(() => lstatSync(host));
    if (!st) return;
    if (overlay && isOverlayWhiteout(st)) {
      await writer.add({ name: joinRel(parentRel, WHITEOUT_PREFIX + base_), type: 'file', mode: 0, mtime: mtimeOf(st) });
      return;
    }
    const type = entryType(st);
    if (!type) return;
    const header: TarHeaderInput = {
      name,
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      uname: o.names?.user(st.uid) ?? '',
      gname: o.names?.group(st.gid) ?? '',
      mtime: mtimeOf(st),
      xattrs: layerXattrs(host),
    };
    if (type !== 'dir' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        await writer.add({ ...header, type: 'hardlink', linkname: first, xattrs: new Map() });
        return;
      }
      links.set(key, name);
    }
    switch (type) {
      case 'dir':
        await writer.add(header);
        if (overlay && isOpaque(host)) {
          await writer.add({ name: joinRel(name, OPAQUE_WHITEOUT), type: 'file', mode: 0, mtime: mtimeOf(st) });
        }
        if (recurse) await walk(host, name);
        break;
      case 'file': {
        const fd = unlessGone(() => openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK));
        if (fd === undefined) return;
        header.size = st.size;
        await writer.add(header, fileBody(fd, st.size));
        break;
      }
      case 'symlink': {
        const linkname = unlessGone(() => readlinkSync(host));
        if (linkname === undefined) return;
        await writer.add({ ...header, linkname });
        break;
      }
      case 'char':
      case 'block':
        await writer.add({ ...header, devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) });
        break;
      default:
        await writer.add(header);
    }
  };

  const walk = async (dirHost: string, rel: string): Promise<void> => {
    for (const name of unlessGone(() => sortedNames(dirHost || '/')) ?? []) await one(`${dirHost}/${name}`, joinRel(rel, name), rel, name);
  };

  const listed = async (list: NonNullable<TarOptions['list']>): Promise<void> => {
    for (const { path, whiteout } of list) {
      const slash = path.lastIndexOf('/');
      const [parent, name] = slash < 0 ? ['', path] : [path.slice(0, slash), path.slice(slash + 1)];
      if (whiteout) await writer.add({ name: joinRel(parent, WHITEOUT_PREFIX + name), type: 'file', mode: 0 });
      else await one(`${base}/${path}`, path, parent, name, false);
    }
  };

  (o.list ? listed(o.list) : o.top !== undefined ? one(base || '/', o.top, '', o.top) : walk(base, ''))
    .then(() => writer.finish())
    .catch((err: Error) => writer.abort(err));
  return writer.stream;
}

function joinRel(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

function entryType(st: Stats): TarEntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are not archived
}

function layerXattrs(host: string): Map<string, Buffer> {
  const all = readXattrs(host);
  for (const name of all.keys()) if (name.startsWith('trusted.overlay.')) all.delete(name);
  return all;
}

function mtimeOf(st: Stats): number {
  return Math.floor(st.mtimeMs / 1000);
}

// Linux's dev_t encoding (glibc's major/minor macros), done with arithmetic: rdev may exceed 32 bits.
function devMajor(rdev: number): number {
  const hi = Math.floor(rdev / 2 ** 32);
  return ((rdev >>> 8) & 0xfff) | ((hi & ~0xfff) >>> 0);
}

function devMinor(rdev: number): number {
  const lo = rdev >>> 0;
  return (lo & 0xff) | ((lo >>> 12) & 0xfff00);
}
