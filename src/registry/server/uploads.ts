/**
 * Blob upload sessions. Bytes are appended to `/uploads/<uuid>/data` while being hashed, so a
 * final PUT only compares digests; after a restart (no hash state in memory) the file is
 * re-hashed. Nothing becomes visible until the digest and size match and the data is fsynced
 * and renamed into the content-addressed blob store.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parseDigest, type Algorithm, type Digest } from '../../core/digest.js';
import { regError } from './errors.js';
import { isUploadId } from './names.js';
import { blobDataPath, type RegistryStore } from './store.js';
import type { FileWriter } from './storage/driver.js';

interface UploadInfo {
  id: string;
  repository: string;
  startedAt: string;
}

interface LiveState {
  hash: Hash;
  size: number;
  busy: boolean;
}

const uploadDir = (id: string) => `/uploads/${id}`;

/** Request bodies arrive in ~64 KiB pieces; the file gets writes of this size instead. */
const WRITE_BATCH = 4 << 20;
/**
 * Start a background fdatasync after this many bytes. With lots of RAM the kernel would keep
 * a whole 200 MB layer dirty until the final fsync, which then stalls the closing PUT; syncing
 * as we go overlaps the disk with the network.
 */
const SYNC_EVERY = 32 << 20;

/**
 * Gathers body chunks into WRITE_BATCH-sized writes and keeps one write in flight while the
 * next batch fills, so reading the socket, hashing and writing the file overlap and a 200 MB
 * upload costs ~50 writes instead of ~3,000 awaited round trips to the thread pool.
 */
class CoalescingWriter {
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private inflight: Promise<void> = Promise.resolve();
  private unsynced = 0;
  private syncing: Promise<void> | undefined;

  constructor(private readonly writer: FileWriter) {}

  async push(chunk: Buffer): Promise<void> {
    this.pending.push(chunk);
    this.pendingSize += chunk.length;
    if (this.pendingSize >= WRITE_BATCH) await this.write();
  }

  /** Wait for the write and sync in flight, ignoring their outcome (before closing after an error). */
  async settle(): Promise<void> {
    await this.inflight.catch(() => {});
    await this.syncing?.catch(() => {});
  }

  async flush(): Promise<void> {
    if (this.pendingSize > 0) await this.write();
    await this.inflight;
    await this.syncing;
  }

  private async write(): Promise<void> {
    const data = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingSize);
    this.pending = [];
    this.pendingSize = 0;
    await this.inflight;
    this.inflight = this.writer.write(data);
    this.inflight.catch(() => {}); // observed by the next write() or flush()
    this.unsynced += data.length;
    if (this.unsynced >= SYNC_EVERY && !this.syncing) {
      this.unsynced = 0;
      // Only failures matter to the caller; they surface from flush(). Success clears the slot.
      this.syncing = this.inflight
        .then(() => this.writer.sync())
        .then(() => {
          this.syncing = undefined;
        });
      this.syncing.catch(() => {});
    }
  }
}

export class UploadManager {
  private readonly live = new Map<string, LiveState>();

  constructor(private readonly store: RegistryStore) {}

  private get driver() {
    return this.store.driver;
  }

  async start(repository: string): Promise<string> {
    const id = randomUUID();
    const info: UploadInfo = { id, repository, startedAt: new Date().toISOString() };
    await this.driver.putContent(`${uploadDir(id)}/info.json`, JSON.stringify(info));
    await (await this.driver.writer(`${uploadDir(id)}/data`, false)).commit();
    this.live.set(id, { hash: createHash('sha256'), size: 0, busy: false });
    return id;
  }

  /** The upload's current size; throws BLOB_UPLOAD_UNKNOWN unless it belongs to `repository`. */
  async status(repository: string, id: string): Promise<number> {
    await this.info(repository, id);
    const st = await this.driver.stat(`${uploadDir(id)}/data`);
    if (!st) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    return st.size;
  }

  private async info(repository: string, id: string): Promise<UploadInfo> {
    if (!isUploadId(id)) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    try {
      const info = JSON.parse((await this.driver.getContent(`${uploadDir(id)}/info.json`)).toString()) as UploadInfo;
      if (info.repository !== repository) throw new Error('other repository');
      return info;
    } catch {
      throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    }
  }

  /**
   * Append a request body. `expectedStart` (from Content-Range) must equal the current size,
   * otherwise 416. Returns the new size.
   */
  async append(repository: string, id: string, body: Readable, expectedStart?: number, declaredLength?: number): Promise<number> {
    await this.info(repository, id);
    const state = this.live.get(id);
    if (state?.busy) throw regError('RANGE_INVALID', { uuid: id }, { message: 'upload is busy with another request' });
    const dataPath = `${uploadDir(id)}/data`;
    const st = await this.driver.stat(dataPath);
    if (!st) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    if (expectedStart !== undefined && expectedStart !== st.size) {
      throw regError('RANGE_INVALID', { uuid: id, size: st.size }, { status: 416 });
    }
    // Hash state is only trusted when it covers exactly the bytes on disk.
    const hashing = state && state.size === st.size ? state : undefined;
    if (state) state.busy = true;
    let writer: FileWriter | undefined;
    let out: CoalescingWriter | undefined;
    let received = 0;
    try {
      writer = await this.driver.writer(dataPath, true);
      out = new CoalescingWriter(writer);
      for await (const chunk of body) {
        const buf = chunk as Buffer;
        hashing?.hash.update(buf);
        await out.push(buf);
        received += buf.length;
      }
      await out.flush();
      await writer.close();
      if (hashing) hashing.size += received;
      if (declaredLength !== undefined && received !== declaredLength) {
        throw regError('SIZE_INVALID', { expected: declaredLength, received });
      }
      return writer.size;
    } catch (err) {
      await out?.settle();
      await writer?.close();
      this.live.delete(id); // the hash no longer matches the file; finish() re-hashes
      throw err;
    } finally {
      if (state) state.busy = false;
      if (!hashing && state) this.live.delete(id);
    }
  }

  /** Verify the finished upload against `digest` and move it into the blob store. */
  async finish(repository: string, id: string, digest: Digest): Promise<number> {
    await this.info(repository, id);
    const dataPath = `${uploadDir(id)}/data`;
    const st = await this.driver.stat(dataPath);
    if (!st) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    const { algorithm } = parseDigest(digest);
    const state = this.live.get(id);
    let actual: Digest;
    if (state && state.size === st.size && algorithm === 'sha256') {
      actual = `sha256:${state.hash.copy().digest('hex')}`;
    } else {
      actual = await this.hashStored(dataPath, algorithm);
    }
    if (actual !== digest) throw regError('DIGEST_INVALID', { expected: digest, actual });
    await this.commitData(dataPath, digest);
    await this.store.linkLayer(repository, digest);
    await this.cancel(repository, id);
    return st.size;
  }

  /** fsync then rename into place; an existing blob with the same digest wins. */
  private async commitData(dataPath: string, digest: Digest): Promise<void> {
    const w = await this.driver.writer(dataPath, true);
    await w.commit();
    if (await this.store.blobInfo(digest)) return;
    await this.driver.move(dataPath, blobDataPath(digest));
  }

  private async hashStored(path: string, algorithm: Algorithm): Promise<Digest> {
    const h = createHash(algorithm);
    for await (const chunk of this.driver.reader(path)) h.update(chunk as Buffer);
    return `${algorithm}:${h.digest('hex')}`;
  }

  async cancel(repository: string, id: string): Promise<void> {
    await this.info(repository, id);
    this.live.delete(id);
    await this.driver.delete(uploadDir(id));
  }

  /** Monolithic upload: stream into a fresh session, then verify. */
  async monolithic(repository: string, body: Readable, digest: Digest, declaredLength?: number): Promise<number> {
    const id = await this.start(repository);
    try {
      await this.append(repository, id, body, undefined, declaredLength);
      return await this.finish(repository, id, digest);
    } catch (err) {
      await this.cancel(repository, id).catch(() => {});
      throw err;
    }
  }

  /** Upload ids with their start time, for GC of abandoned sessions. */
  async list(): Promise<{ id: string; startedAt: Date; repository: string }[]> {
    const out = [];
    for (const id of await this.driver.list('/uploads')) {
      try {
        const info = JSON.parse((await this.driver.getContent(`${uploadDir(id)}/info.json`)).toString()) as UploadInfo;
        out.push({ id, startedAt: new Date(info.startedAt), repository: info.repository });
      } catch {
        const st = await this.driver.stat(uploadDir(id));
        out.push({ id, startedAt: st?.modTime ?? new Date(0), repository: '' });
      }
    }
    return out;
  }

  async purge(id: string): Promise<void> {
    if (!isUploadId(id)) return;
    this.live.delete(id);
    await this.driver.delete(uploadDir(id));
  }
}
