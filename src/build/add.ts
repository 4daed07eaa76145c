/**
 * ADD's extras over COPY. A local tar archive (plain, gzip, bzip2, xz or zstd) is unpacked at
 * the destination: its entries are re-rooted under the destination directory (names cleaned
 * so `..` and absolute names stay inside, link targets of hard links too, whiteout names
 * dropped so an archive cannot delete image files). A URL is downloaded whole and added as a
 * file with mode 0600 and the server's Last-Modified time, not unpacked.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { FsView } from '../archive/layer-stack.js';
import { cleanEntryPath } from '../archive/safe-path.js';
import { TarWriter } from '../archive/tar-writer.js';
import { copyEntries } from './retar.js';
import { decompress } from '../archive/compression.js';
import { parentEntries, type CopyPlan, type SourceFs } from './copy.js';
import { BuildError } from './executor.js';

/** Whether a context source is a tar archive ADD unpacks. */
export async function archiveSource(fs: SourceFs, src: string): Promise<boolean> {
  const rel = cleanEntryPath(posix.normalize('/' + src));
  if (/[*?[]/.test(rel)) return false;
  const st = fs.lstat(rel);
  if (!st?.isFile()) return false;
  try {
    const { stream } = await decompress(fs.open(rel));
    let head = Buffer.alloc(0);
    for await (const chunk of stream) {
      head = Buffer.concat([head, chunk as Buffer]);
      if (head.length >= 512) break;
    }
    stream.destroy();
    return head.length >= 512 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } catch {
    return false;
  }
}

export async function downloadSource(url: string, dest: string, checksum?: string): Promise<{ name: string; data: Buffer; mode: number; mtime?: number }> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new BuildError(`Get "${url}": ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) throw new BuildError(`failed to GET ${url} with status ${res.status} ${res.statusText}: ${(await res.text()).slice(0, 200)}`);
  const data = Buffer.from(await res.arrayBuffer());
  if (checksum) {
    const got = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    if (got !== checksum) throw new BuildError(`digest mismatch ${got}: ${checksum}`);
  }
  const lm = res.headers.get('last-modified');
  let name = posix.basename(new URL(url).pathname);
  if (!name || name === '/') {
    if (dest.endsWith('/')) throw new BuildError(`cannot determine filename from url: ${url}`);
    name = posix.basename(dest);
  }
  return { name, data, mode: 0o600, ...(lm ? { mtime: Math.floor(Date.parse(lm) / 1000) } : {}) };
}

export interface ArchiveLayerInput {
  plan: CopyPlan;
  fs: SourceFs;
  view: FsView | undefined;
  archives: string[];
  dest: string;
  owner?: { uid: number; gid: number };
}

/** One layer with the plain sources and every archive unpacked under `dest`. */
export function addArchiveLayer(i: ArchiveLayerInput): Readable {
  const root = cleanEntryPath(i.dest);
  const w = new TarWriter();
  const under = (name: string) => {
    const rel = cleanEntryPath(name);
    return root ? (rel ? `${root}/${rel}` : root) : rel;
  };
  const go = async () => {
    const targets = [...i.plan.entries.map((e) => e.target), root ? `${root}/x` : 'x'];
    for (const h of parentEntries(targets, i.view, new Set(i.plan.entries.map((e) => e.target)))) await w.add(h);
    if (root && !i.view?.lstat('/' + root)?.isDirectory()) await w.add({ name: root, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: Math.floor(Date.now() / 1000) });
    for (const e of i.plan.entries) {
      if (!e.target) continue;
      const h = { ...e.header, name: e.target };
      if (h.type === 'file') await w.add(h, Buffer.isBuffer(e.body) ? e.body : i.fs.open(e.source as string));
      else await w.add(h);
    }
    for (const a of i.archives) {
      const { stream } = await decompress(i.fs.open(cleanEntryPath(posix.normalize('/' + a))));
      await copyEntries(w, stream, (header) => {
        const name = under(header.name);
        if (!name || name === root || posix.basename(name).startsWith('.wh.')) return null;
        const h = { ...header, name, ...(i.owner ?? {}) };
        if (h.type === 'hardlink') h.linkname = under(header.linkname);
        return h;
      });
    }
    await w.finish();
  };
  go().catch((err: Error) => w.abort(err));
  return w.stream;
}
