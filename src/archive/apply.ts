/**
 * Applying an OCI/Docker layer tar onto a directory.
 *
 * Whiteouts follow the OCI layer spec: `.wh.NAME` deletes NAME and `.wh..wh..opq` empties its
 * directory of what lower layers put there ('delete' mode, for a flat rootfs), or they become
 * overlayfs's own markers, a char 0/0 device and `trusted.overlay.opaque=y` ('overlay' mode,
 * for a snapshot's lower dir); 'none' (for `cp`) takes `.wh.` names literally.
 *
 * `applyLayer` is what callers use: it runs the extraction in a confined worker (confined.ts),
 * a child process chrooted into the target, so the kernel resolves every path inside it
 * whatever the archive or a running container does (see docs/ARCHITECTURE.md). `unpackTar`
 * is the extraction itself, which that worker runs on "/". RootResolver still re-roots `..`,
 * absolute names and symlinks for a clean tree and clear errors, but confinement does not
 * depend on it.
 */
import { Readable } from 'node:stream';
import {
  closeSync,
  ftruncateSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  chmodSync,
  writeSync,
  constants,
  type Stats,
} from 'node:fs';
import { invalidArgument, isWharfError, WharfError } from '../core/errors.js';
import { TarReader } from './tar-reader.js';
import type { TarHeader } from './tar-header.js';
import { RootResolver, cleanEntryPath, splitParent } from './safe-path.js';
import { applyMeta, makeNode, setXattr } from './fs-meta.js';
import { isHole } from './tar-sparse.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

export interface ApplyOptions {
  whiteouts: 'delete' | 'overlay' | 'none';
  /** `cp`: the archive's top-level name `from` lands as `to` (docker's rebase). */
  rename?: { from: string; to: string };
}

export interface ApplyResult {
  /** The sum of the layer's regular file sizes. */
  size: number;
}

/** Unpacks a layer into targetDir, confined to it (a chrooted worker process). */
export async function applyLayer(tar: Readable, targetDir: string, opts: ApplyOptions): Promise<ApplyResult> {
  const { confinedApply } = await import('./confined.js');
  return confinedApply(tar, targetDir, opts);
}

const isRoot = process.getuid?.() === 0;
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The extraction itself, in this process (the confined worker runs it on "/"). */
export async function unpackTar(tar: AsyncIterable<Buffer>, targetDir: string, opts: ApplyOptions): Promise<ApplyResult> {
  const job = new LayerApply(targetDir.replace(/\/+$/, '') || '/', opts);
  const reader = new TarReader(tar);
  try {
    for (;;) {
      const h = await reader.next();
      if (!h) break;
      await job.entry(h, reader);
    }
    job.finish();
    return { size: job.size };
  } catch (err) {
    await reader.close().catch(() => {});
    (tar as Partial<Readable>).destroy?.();
    if (isWharfError(err)) throw err;
    throw new WharfError('INTERNAL', `applying layer: ${(err as Error).message}`, { cause: err });
  }
}

/** Sum of regular file sizes in a layer tar, without extracting it. */
export async function layerSize(tar: Readable): Promise<{ size: number }> {
  const reader = new TarReader(tar);
  let size = 0;
  for (let h = await reader.next(); h; h = await reader.next()) if (h.type === 'file') size += h.size;
  return { size };
}

class LayerApply {
  size = 0;
  private readonly paths: RootResolver;
  /** Directories whose mode and times are set at the end, once nothing more is written in them. */
  private readonly dirs: { host: string; header: TarHeader }[] = [];
  /** Paths this layer created: an opaque marker must not delete them (delete mode only). */
  private readonly created = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly opts: ApplyOptions,
  ) {
    this.paths = new RootResolver(root);
  }

  async entry(h: TarHeader, reader: TarReader): Promise<void> {
    const rel = this.rebase(cleanEntryPath(h.name));
    const [parentRel, base] = splitParent(rel);
    if (base.startsWith(WHITEOUT_PREFIX) && this.opts.whiteouts !== 'none') return this.whiteout(parentRel, base, h);
    if (h.type === 'file') this.size += h.size;
    if (h.type === 'unknown') return; // GNU volume labels and such carry nothing to extract
    if (this.opts.whiteouts === 'delete') this.created.add(rel);

    if (rel === '') {
      if (h.type === 'dir') this.dirs.push({ host: this.root, header: h });
      return;
    }
    const { host } = this.paths.entry(rel, true);
    const existing = lstatOrNull(host);
    if (existing && !(existing.isDirectory() && h.type === 'dir')) this.remove(host, existing);

    switch (h.type) {
      case 'dir':
        if (!existing?.isDirectory()) mkdirSync(host, 0o700);
        applyMeta(host, h, { times: false, mode: false });
        this.dirs.push({ host, header: h });
        return;
      case 'file':
        return this.writeFile(host, h, reader);
      case 'symlink':
        symlinkSync(h.linkname, host);
        applyMeta(host, h, { times: true, mode: false });
        return;
      case 'hardlink': {
        const missing = () => invalidArgument(`layer: hardlink ${h.name} -> ${h.linkname}: no such file in the layer`);
        let target;
        try {
          target = this.paths.entry(this.rebase(cleanEntryPath(h.linkname)), false);
        } catch {
          throw missing();
        }
        const st = lstatOrNull(target.host);
        if (!st || st.isDirectory()) throw missing();
        linkSync(target.host, host);
        return;
      }
      case 'char':
      case 'block':
      case 'fifo':
        makeNode(host, h);
        return;
    }
  }

  private rebase(rel: string): string {
    const r = this.opts.rename;
    if (!r) return rel;
    if (rel === r.from) return r.to;
    return rel.startsWith(`${r.from}/`) ? `${r.to}${rel.slice(r.from.length)}` : rel;
  }

  finish(): void {
    // deepest first, so setting a child's times never disturbs a parent already done
    for (let i = this.dirs.length - 1; i >= 0; i--) {
      const { host, header } = this.dirs[i]!;
      // a later entry may have replaced it (with a symlink, say): what it names now is not this dir
      if (!lstatOrNull(host)?.isDirectory()) continue;
      chmodSync(host, header.mode & 0o7777);
      utimesSync(host, header.mtime, header.mtime);
    }
  }

  private async writeFile(host: string, h: TarHeader, reader: TarReader): Promise<void> {
    const fd = openSync(host, CREATE_FLAGS, 0o600);
    try {
      let pos = 0;
      let holes = false;
      for (;;) {
        let chunk = reader.bodyChunk();
        if (chunk instanceof Promise) chunk = await chunk;
        if (chunk === null) break;
        // a sparse file's holes stay holes, as GNU tar makes them
        if (isHole(chunk)) holes = true;
        else for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off, pos + off);
        pos += chunk.length;
      }
      if (holes) ftruncateSync(fd, pos);
      try {
        fchownSync(fd, h.uid, h.gid);
      } catch (err) {
        if (isRoot || (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      }
      fchmodSync(fd, h.mode & 0o7777);
      for (const [name, value] of h.xattrs) setXattr(host, name, value);
      futimesSync(fd, h.mtime, h.mtime);
    } finally {
      closeSync(fd);
    }
  }

  private whiteout(parentRel: string, base: string, h: TarHeader): void {
    const parentHost = this.paths.dir(parentRel, true);
    if (base === OPAQUE_WHITEOUT) {
      if (this.opts.whiteouts === 'overlay') {
        setXattr(parentHost, 'trusted.overlay.opaque', Buffer.from('y'));
        return;
      }
      for (const name of readdirSync(parentHost)) {
        const childRel = parentRel ? `${parentRel}/${name}` : name;
        if (this.created.has(childRel)) continue;
        const host = `${parentHost === '/' ? '' : parentHost}/${name}`;
        this.remove(host, lstatSync(host));
      }
      return;
    }
    if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // AUFS metadata: nothing to do
    const name = base.slice(WHITEOUT_PREFIX.length);
    if (name === '' || name === '.' || name === '..') throw invalidArgument(`invalid whiteout entry in layer: ${h.name}`);
    const host = `${parentHost === '/' ? '' : parentHost}/${name}`;
    const existing = lstatOrNull(host);
    if (existing) this.remove(host, existing);
    if (this.opts.whiteouts === 'overlay') {
      makeNode(host, { ...h, name, type: 'char', devmajor: 0, devminor: 0, mode: 0, xattrs: new Map() });
      this.created.add(parentRel ? `${parentRel}/${name}` : name);
    }
  }

  private remove(host: string, st: Stats): void {
    if (st.isDirectory()) {
      rmSync(host, { recursive: true, force: true });
      this.paths.invalidate();
    } else {
      unlinkSync(host);
      if (st.isSymbolicLink()) this.paths.invalidate();
    }
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
