/**
 * Blob upload sessions. The session (repository, byte state, hash progress) lives in the
 * metadata store and the bytes in the blob store, so a request for an upload may land on any
 * replica. Bytes are hashed as they pass; a replica that saw every byte so far continues its
 * in-memory hash, and the digest of what one process saw whole is recorded with the session,
 * so a final PUT on another replica compares digests without reading the blob back (it re-hashes
 * only when the bytes came through several replicas). Nothing becomes a blob until the digest
 * and size match; the blob is committed under the metadata store's blob lock (GC-safe).
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { parseDigest, type Algorithm, type Digest } from '../../core/digest.js';
import { regError } from './errors.js';
import type { UploadRecord } from './meta/store.js';
import { isUploadId } from './names.js';
import type { RegistryStore } from './store.js';

interface LiveHash {
  hash: Hash;
  size: number;
}

/** How long an append may hold a session before another request may take it over. */
const BUSY_MS = 10 * 60_000;

export interface UploadEvents {
  /** Seconds from a session's start to its commit, and its size. */
  onCommit?(seconds: number, size: number): void;
}

export class UploadManager {
  private readonly live = new Map<string, LiveHash>();

  constructor(
    private readonly store: RegistryStore,
    private readonly events: UploadEvents = {},
  ) {}

  private get meta() {
    return this.store.meta;
  }

  private get blobs() {
    return this.store.blobs;
  }

  async start(repository: string): Promise<string> {
    const id = randomUUID();
    const state = await this.blobs.uploadBegin(id);
    await this.meta.createUpload({ id, repository, startedAt: new Date().toISOString(), state, version: 0 });
    this.live.set(id, { hash: createHash('sha256'), size: 0 });
    return id;
  }

  private async record(repository: string, id: string): Promise<UploadRecord> {
    if (!isUploadId(id)) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    const rec = await this.meta.getUpload(id);
    if (!rec || rec.repository !== repository) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    return rec;
  }

  /** The upload's current size; throws BLOB_UPLOAD_UNKNOWN unless it belongs to `repository`. */
  async status(repository: string, id: string): Promise<number> {
    return (await this.record(repository, id)).state.size;
  }

  /** Take the session for one request (optimistic: the version must not have moved). */
  private async claim(rec: UploadRecord): Promise<UploadRecord> {
    if ((rec.busyUntil ?? 0) > Date.now()) throw regError('RANGE_INVALID', { uuid: rec.id }, { status: 416, message: 'upload is busy with another request' });
    const claimed = { ...rec, busyUntil: Date.now() + BUSY_MS };
    if (!(await this.meta.saveUpload(claimed))) throw regError('RANGE_INVALID', { uuid: rec.id }, { status: 416, message: 'upload is busy with another request' });
    return { ...claimed, version: claimed.version + 1 };
  }

  private async release(rec: UploadRecord): Promise<void> {
    await this.meta.saveUpload({ ...rec, busyUntil: 0 }).catch(() => false);
  }

  /**
   * Append a request body. `expectedStart` (from Content-Range) must equal the current size,
   * otherwise 416. Returns the new size.
   */
  async append(repository: string, id: string, body: Readable, expectedStart?: number, declaredLength?: number): Promise<number> {
    const rec = await this.claim(await this.record(repository, id));
    const size = rec.state.size;
    if (expectedStart !== undefined && expectedStart !== size) {
      await this.release(rec);
      throw regError('RANGE_INVALID', { uuid: id, size }, { status: 416 });
    }
    // The in-memory hash is only trusted when it covers exactly the recorded bytes.
    let live = this.live.get(id);
    if (!live || live.size !== size) live = size === 0 ? { hash: createHash('sha256'), size: 0 } : undefined;
    this.live.delete(id);
    let received = 0;
    async function* hashed(): AsyncGenerator<Buffer> {
      for await (const chunk of body) {
        const buf = chunk as Buffer;
        live?.hash.update(buf);
        received += buf.length;
        yield buf;
      }
    }
    let state;
    try {
      state = await this.blobs.uploadAppend(id, rec.state, hashed());
      if (declaredLength !== undefined && received !== declaredLength) throw regError('SIZE_INVALID', { expected: declaredLength, received });
    } catch (err) {
      await this.release(rec);
      throw err;
    }
    const next: UploadRecord = { ...rec, state, busyUntil: 0 };
    if (live) {
      live.size += received;
      next.hashedSize = live.size;
      next.digest = `sha256:${live.hash.copy().digest('hex')}`;
    }
    if (!(await this.meta.saveUpload(next))) throw regError('BLOB_UPLOAD_INVALID', { uuid: id }, { message: 'upload changed during the request' });
    if (live) this.live.set(id, live);
    return state.size;
  }

  /** Verify the finished upload against `digest` and make it a blob of `repository`. */
  async finish(repository: string, id: string, digest: Digest): Promise<number> {
    let rec = await this.claim(await this.record(repository, id));
    try {
      const { algorithm } = parseDigest(digest);
      if (!rec.state.sealed) {
        rec = { ...rec, state: await this.blobs.uploadSeal(id, rec.state) };
        if (await this.meta.saveUpload(rec)) rec = { ...rec, version: rec.version + 1 };
      }
      const size = rec.state.size;
      const live = this.live.get(id);
      let actual: Digest;
      if (algorithm === 'sha256' && live && live.size === size) actual = `sha256:${live.hash.copy().digest('hex')}`;
      else if (algorithm === 'sha256' && rec.digest && rec.hashedSize === size) actual = rec.digest;
      else actual = await this.hashStored(id, rec, algorithm);
      if (actual !== digest) throw regError('DIGEST_INVALID', { expected: digest, actual });
      await this.meta.commitBlob(digest, size, () => this.blobs.uploadCommit(id, rec.state, digest));
      await this.meta.linkLayer(repository, digest);
      await this.blobs.uploadAbort(id, rec.state);
      await this.meta.deleteUpload(id);
      this.live.delete(id);
      this.events.onCommit?.((Date.now() - Date.parse(rec.startedAt)) / 1000, size);
      return size;
    } catch (err) {
      await this.release(rec);
      throw err;
    }
  }

  private async hashStored(id: string, rec: UploadRecord, algorithm: Algorithm): Promise<Digest> {
    const h = createHash(algorithm);
    for await (const chunk of await this.blobs.uploadRead(id, rec.state)) h.update(chunk as Buffer);
    return `${algorithm}:${h.digest('hex')}`;
  }

  async cancel(repository: string, id: string): Promise<void> {
    const rec = await this.record(repository, id);
    await this.purgeRecord(rec);
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

  /** Sessions with their start time, for GC of abandoned ones. */
  async list(): Promise<{ id: string; startedAt: Date; repository: string }[]> {
    return (await this.meta.listUploads()).map((r) => ({ id: r.id, startedAt: new Date(r.startedAt), repository: r.repository }));
  }

  async purge(id: string): Promise<void> {
    if (!isUploadId(id)) return;
    const rec = await this.meta.getUpload(id);
    await this.purgeRecord(rec ?? { id, repository: '', startedAt: '', state: { size: 0 }, version: 0 });
  }

  private async purgeRecord(rec: UploadRecord): Promise<void> {
    this.live.delete(rec.id);
    await this.blobs.uploadAbort(rec.id, rec.state);
    await this.meta.deleteUpload(rec.id);
  }
}
