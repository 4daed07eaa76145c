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
import { createReadStream, lstatSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
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

export function tarDirectory(dir: string, names?: OwnerNames): Readable {
  return produce(dir, false, names);
}

export function tarOverlayUpper(upperDir: string): Readable {
  return produce(upperDir, true);
}

function produce(root: string, overlay: boolean, names?: OwnerNames): Readable {
  const writer = new TarWriter();
  const links = new Map<string, string>();
  const base = root.replace(/\/+$/, '');

  const walk = async (rel: string): Promise<void> => {
    const dirHost = rel ? `${base}/${rel}` : base;
    for (const name of sortedNames(dirHost)) {
      const childRel = rel ? `${rel}/${name}` : name;
      const host = `${dirHost}/${name}`;
      const st = lstatSync(host);
      if (overlay && isOverlayWhiteout(st)) {
        await writer.add({ name: joinRel(rel, WHITEOUT_PREFIX + name), type: 'file', mode: 0, mtime: mtimeOf(st) });
        continue;
      }
      const type = entryType(st);
      if (!type) continue;
      const header: TarHeaderInput = {
        name: childRel,
        type,
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        uname: names?.user(st.uid) ?? '',
        gname: names?.group(st.gid) ?? '',
        mtime: mtimeOf(st),
        xattrs: layerXattrs(host),
      };
      if (type !== 'dir' && st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        const first = links.get(key);
        if (first !== undefined) {
          await writer.add({ ...header, type: 'hardlink', linkname: first, xattrs: new Map() });
          continue;
        }
        links.set(key, childRel);
      }
      switch (type) {
        case 'dir':
          await writer.add(header);
          if (overlay && isOpaque(host)) {
            await writer.add({ name: joinRel(childRel, OPAQUE_WHITEOUT), type: 'file', mode: 0, mtime: mtimeOf(st) });
          }
          await walk(childRel);
          break;
        case 'file':
          header.size = st.size;
          await writer.add(header, st.size <= SMALL_FILE ? readFileSync(host) : createReadStream(host, { highWaterMark: SMALL_FILE }));
          break;
        case 'symlink':
          await writer.add({ ...header, linkname: readlinkSync(host) });
          break;
        case 'char':
        case 'block':
          await writer.add({ ...header, devmajor: devMajor(st.rdev), devminor: devMinor(st.rdev) });
          break;
        default:
          await writer.add(header);
      }
    }
  };

  walk('')
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
