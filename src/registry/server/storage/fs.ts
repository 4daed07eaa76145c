/**
 * Filesystem storage driver. Small objects are written to a temp file, fsynced and renamed
 * over the target, so a crash leaves either the old or the new object, never a torn one.
 * Every path is checked to stay inside the root before any syscall sees it.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidPathError, PathNotFoundError, type FileInfo, type FileWriter, type StorageDriver } from './driver.js';

const SEGMENT_RE = /^[A-Za-z0-9._:+=-]+$/;

export class FilesystemDriver implements StorageDriver {
  readonly name = 'filesystem';
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Map a driver path to a host path, refusing anything that could escape the root. */
  fullPath(path: string): string {
    if (!path.startsWith('/')) throw new InvalidPathError(path);
    const segments = path.split('/').slice(1);
    if (path === '/') return this.root;
    for (const s of segments) {
      if (s === '' || s === '.' || s === '..' || !SEGMENT_RE.test(s)) throw new InvalidPathError(path);
    }
    const full = join(this.root, ...segments);
    if (full !== this.root && !full.startsWith(this.root + sep)) throw new InvalidPathError(path);
    return full;
  }

  async getContent(path: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.fullPath(path));
    } catch (err) {
      throw mapMissing(err, path);
    }
  }

  async putContent(path: string, data: Buffer | string): Promise<void> {
    const full = this.fullPath(path);
    await fsp.mkdir(dirname(full), { recursive: true });
    const tmp = `${full}.tmp-${randomUUID()}`;
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await fsp.rename(tmp, full);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async stat(path: string): Promise<FileInfo | null> {
    try {
      const st = await fsp.stat(this.fullPath(path));
      return { path, size: st.size, modTime: st.mtime, isDir: st.isDirectory() };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async list(path: string): Promise<string[]> {
    try {
      const names = await fsp.readdir(this.fullPath(path));
      return names.filter((n) => !n.includes('.tmp-')).sort();
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw err;
    }
  }

  async delete(path: string): Promise<void> {
    await fsp.rm(this.fullPath(path), { recursive: true, force: true });
  }

  async move(source: string, dest: string): Promise<void> {
    const to = this.fullPath(dest);
    await fsp.mkdir(dirname(to), { recursive: true });
    try {
      await fsp.rename(this.fullPath(source), to);
    } catch (err) {
      throw mapMissing(err, source);
    }
  }

  reader(path: string, start?: number, end?: number, chunkSize = 1 << 20): Readable {
    return createReadStream(this.fullPath(path), { start, end, highWaterMark: chunkSize });
  }

  async writer(path: string, append: boolean): Promise<FileWriter> {
    const full = this.fullPath(path);
    await fsp.mkdir(dirname(full), { recursive: true });
    const fh = await fsp.open(full, append ? 'a' : 'w');
    const st = await fh.stat();
    let size = st.size;
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await fh.close();
    };
    return {
      get size() {
        return size;
      },
      async write(chunk: Buffer) {
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
          off += bytesWritten;
        }
        size += chunk.length;
      },
      async sync() {
        await fh.datasync();
      },
      async commit() {
        await fh.sync();
        await close();
      },
      close,
    };
  }

  async touch(path: string): Promise<void> {
    const now = new Date();
    try {
      await fsp.utimes(this.fullPath(path), now, now);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

function mapMissing(err: unknown, path: string): unknown {
  return isMissing(err) ? new PathNotFoundError(path) : err;
}
