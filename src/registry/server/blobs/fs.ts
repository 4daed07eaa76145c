/**
 * The directory blob store (the one-machine default) over a StorageDriver: blobs at
 * `/blobs/<algo>/<2 hex>/<hex>/data`, an upload's bytes in `/uploads/<id>/data`, appended in
 * coalesced batches, fsynced, then renamed into place, so a crash leaves a whole blob or none.
 */
import { promises as fsp } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Digest } from '../../../core/digest.js';
import { PathNotFoundError, type FileWriter } from '../storage/driver.js';
import type { FilesystemDriver } from '../storage/fs.js';
import { CoalescingWriter } from './coalesce.js';
import { blobDataPath, uploadDir } from './layout.js';
import { BlobNotFoundError, type BlobInfo, type BlobStore, type UploadState } from './store.js';

const dataOf = (id: string) => `${uploadDir(id)}/data`;

export class FsBlobStore implements BlobStore {
  readonly kind = 'filesystem';

  constructor(readonly driver: FilesystemDriver) {}

  async stat(digest: Digest): Promise<BlobInfo | null> {
    const st = await this.driver.stat(blobDataPath(digest));
    return st && !st.isDir ? { size: st.size, modTime: st.modTime } : null;
  }

  async open(digest: Digest, start?: number, end?: number, chunkSize?: number): Promise<Readable> {
    if (!(await this.stat(digest))) throw new BlobNotFoundError(digest);
    return this.driver.reader(blobDataPath(digest), start, end, chunkSize);
  }

  async get(digest: Digest): Promise<Buffer> {
    try {
      return await this.driver.getContent(blobDataPath(digest));
    } catch (err) {
      throw err instanceof PathNotFoundError ? new BlobNotFoundError(digest) : err;
    }
  }

  put(digest: Digest, data: Buffer): Promise<void> {
    return this.driver.putContent(blobDataPath(digest), data);
  }

  delete(digest: Digest): Promise<void> {
    return this.driver.delete(blobDataPath(digest).replace(/\/data$/, ''));
  }

  async *list(): AsyncGenerator<Digest> {
    for (const algo of await this.driver.list('/blobs')) {
      for (const prefix of await this.driver.list(`/blobs/${algo}`)) {
        for (const hex of await this.driver.list(`/blobs/${algo}/${prefix}`)) yield `${algo}:${hex}`;
      }
    }
  }

  touch(digest: Digest): Promise<void> {
    return this.driver.touch(blobDataPath(digest));
  }

  async redirectUrl(): Promise<string | null> {
    return null;
  }

  async health(): Promise<void> {
    await fsp.mkdir(this.driver.root, { recursive: true });
    await fsp.access(this.driver.root, fsp.constants.W_OK);
  }

  async close(): Promise<void> {}

  async uploadBegin(id: string): Promise<UploadState> {
    await (await this.driver.writer(dataOf(id), false)).commit();
    return { size: 0 };
  }

  async uploadAppend(id: string, state: UploadState, body: AsyncIterable<Buffer>): Promise<UploadState> {
    const path = dataOf(id);
    // Bytes past the recorded size are from an append that failed: they never happened.
    try {
      await fsp.truncate(this.driver.fullPath(path), state.size);
    } catch (err) {
      throw (err as NodeJS.ErrnoException).code === 'ENOENT' ? new BlobNotFoundError(path) : err;
    }
    let writer: FileWriter | undefined;
    let out: CoalescingWriter | undefined;
    try {
      writer = await this.driver.writer(path, true);
      out = new CoalescingWriter(writer);
      for await (const chunk of body) await out.push(chunk);
      await out.flush();
      await writer.close();
      return { size: writer.size };
    } catch (err) {
      await out?.settle();
      await writer?.close();
      throw err;
    }
  }

  async uploadSeal(id: string, state: UploadState): Promise<UploadState> {
    const w = await this.driver.writer(dataOf(id), true);
    await w.commit(); // fsync
    return { ...state, sealed: true };
  }

  async uploadRead(id: string): Promise<Readable> {
    return this.driver.reader(dataOf(id));
  }

  async uploadCommit(id: string, _state: UploadState, digest: Digest): Promise<void> {
    if (await this.stat(digest)) return;
    await this.driver.move(dataOf(id), blobDataPath(digest));
  }

  async uploadAbort(id: string): Promise<void> {
    await this.driver.delete(uploadDir(id));
  }
}
