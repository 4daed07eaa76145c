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
    let received = 0;
    try {
      writer = await this.driver.writer(dataPath, true);
      for await (const chunk of body) {
        const buf = chunk as Buffer;
        hashing?.hash.update(buf);
        await writer.write(buf);
        received += buf.length;
      }
      await writer.close();
      if (hashing) hashing.size += received;
      if (declaredLength !== undefined && received !== declaredLength) {
        throw regError('SIZE_INVALID', { expected: declaredLength, received });
      }
      return writer.size;
    } catch (err) {
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
