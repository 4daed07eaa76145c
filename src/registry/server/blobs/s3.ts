/**
 * The S3 blob store (AWS SDK v3; Ceph's RADOS Gateway in tests, any S3 in production). Blobs are
 * objects under `<rootdirectory>/blobs/...`. An upload becomes an S3 multipart upload, created
 * when the first `chunksize` bytes are in: each body is cut into parts as it streams (at most
 * PARTS_IN_FLIGHT + 1 parts in memory, never the blob), and a remainder below S3's 5 MiB part
 * minimum waits in a small `tail-<random>` object until more bytes come or the upload is
 * sealed. The state (multipart id, part ETags, tail) is returned to the caller, who keeps it
 * in the metadata store: any replica continues the upload. Sealing completes the multipart
 * upload into `uploads/<id>/data`; commit copies it server-side to the blob's key.
 *
 * RGW facts (see DESIGN.md): request checksums only when required (streamed PUTs get 411
 * otherwise), CompleteMultipartUpload may answer an empty ETag (never relied on).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
  UploadPartCommand, UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Digest } from '../../../core/digest.js';
import { blobDataPath, uploadDir } from './layout.js';
import { BackendUnavailableError, BlobNotFoundError, type BlobInfo, type BlobStore, type UploadState } from './store.js';

export interface S3Options {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKey?: string;
  secretKey?: string;
  /** Key prefix inside the bucket. */
  rootDirectory?: string;
  /** Multipart part size in bytes (default 10 MiB, at least 5 MiB). */
  chunkSize?: number;
  /** Objects larger than this are copied in parts (default 5 GiB, S3's CopyObject limit). */
  multipartCopyThreshold?: number;
  multipartCopyChunkSize?: number;
  forcePathStyle?: boolean;
}

interface Part {
  n: number;
  etag: string;
  size: number;
}

interface S3UploadState extends UploadState {
  uploadId?: string;
  parts: Part[];
  tail?: { key: string; size: number };
  sealedKey?: string;
}

const MIN_PART = 5 << 20;
const PARTS_IN_FLIGHT = 2;

/** Network failures and 5xx answers mean the store is down, not that the request was wrong. */
function unavailable(err: unknown): boolean {
  const e = err as { $metadata?: { httpStatusCode?: number }; code?: string; name?: string };
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  return ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(e?.code ?? '') || e?.name === 'TimeoutError';
}

const notFound = (err: unknown) => {
  const e = err as { $metadata?: { httpStatusCode?: number }; name?: string };
  return e?.$metadata?.httpStatusCode === 404 || e?.name === 'NoSuchKey' || e?.name === 'NotFound';
};

export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly copyThreshold: number;
  private readonly copyChunk: number;

  constructor(opts: S3Options) {
    const agentOpts = { keepAlive: true, maxSockets: 256 };
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region,
      forcePathStyle: opts.forcePathStyle ?? !!opts.endpoint,
      credentials: opts.accessKey && opts.secretKey ? { accessKeyId: opts.accessKey, secretAccessKey: opts.secretKey } : undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 2,
      requestHandler: { httpAgent: new HttpAgent(agentOpts), httpsAgent: new HttpsAgent(agentOpts), connectionTimeout: 5000 },
    });
    this.bucket = opts.bucket;
    const root = (opts.rootDirectory ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = root ? `${root}/` : '';
    this.partSize = Math.max(MIN_PART, opts.chunkSize ?? 10 << 20);
    this.copyThreshold = opts.multipartCopyThreshold ?? (5 << 30) - 1;
    this.copyChunk = Math.max(MIN_PART, opts.multipartCopyChunkSize ?? 32 << 20);
  }

  private key(path: string): string {
    return this.prefix + path.slice(1);
  }

  /** Every S3 call goes through here so an unreachable store surfaces as one error class. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw unavailable(err) ? new BackendUnavailableError('storage', err) : err;
    }
  }

  /** Create the bucket when it does not exist yet. */
  async init(): Promise<void> {
    try {
      await this.call(() => this.client.send(new HeadBucketCommand({ Bucket: this.bucket })));
    } catch (err) {
      if (!notFound(err)) throw err;
      await this.call(() => this.client.send(new CreateBucketCommand({ Bucket: this.bucket })));
    }
  }

  private async head(key: string): Promise<BlobInfo | null> {
    try {
      const r = await this.call(() => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return { size: r.ContentLength ?? 0, modTime: r.LastModified ?? new Date(0) };
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  stat(digest: Digest): Promise<BlobInfo | null> {
    return this.head(this.key(blobDataPath(digest)));
  }

  private async getStream(key: string, range?: string, missing: string = key): Promise<Readable> {
    try {
      const r = await this.call(() => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range })));
      return r.Body as Readable;
    } catch (err) {
      if (notFound(err)) throw new BlobNotFoundError(missing);
      throw err;
    }
  }

  open(digest: Digest, start?: number, end?: number): Promise<Readable> {
    const range = start !== undefined || end !== undefined ? `bytes=${start ?? 0}-${end ?? ''}` : undefined;
    return this.getStream(this.key(blobDataPath(digest)), range, digest);
  }

  private async readAll(key: string, missing: string = key): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const c of await this.getStream(key, undefined, missing)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  get(digest: Digest): Promise<Buffer> {
    return this.readAll(this.key(blobDataPath(digest)), digest);
  }

  private async putObject(key: string, data: Buffer): Promise<void> {
    await this.call(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: data, ContentLength: data.length })));
  }

  put(digest: Digest, data: Buffer): Promise<void> {
    return this.putObject(this.key(blobDataPath(digest)), data);
  }

  private async deleteKey(key: string): Promise<void> {
    await this.call(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  delete(digest: Digest): Promise<void> {
    return this.deleteKey(this.key(blobDataPath(digest)));
  }

  async *list(): AsyncGenerator<Digest> {
    let token: string | undefined;
    const base = this.key('/blobs/');
    do {
      const page = await this.call(() => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, ContinuationToken: token })));
      for (const o of page.Contents ?? []) {
        const m = /^([a-z0-9]+)\/[0-9a-f]{2}\/([0-9a-f]+)\/data$/.exec((o.Key ?? '').slice(base.length));
        if (m) yield `${m[1]}:${m[2]}` as Digest;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async touch(digest: Digest): Promise<void> {
    const key = this.key(blobDataPath(digest));
    try {
      await this.call(() => this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: key, CopySource: `${this.bucket}/${key}`, MetadataDirective: 'REPLACE' })));
    } catch (err) {
      if (!notFound(err)) throw err;
    }
  }

  redirectUrl(digest: Digest, expiresSeconds: number): Promise<string> {
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: this.key(blobDataPath(digest)) }), { expiresIn: expiresSeconds });
  }

  async health(): Promise<void> {
    await this.call(() => this.client.send(new HeadBucketCommand({ Bucket: this.bucket })));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  // ---- uploads ----

  async uploadBegin(): Promise<UploadState> {
    return { size: 0, parts: [] } satisfies S3UploadState;
  }

  async uploadAppend(id: string, state: UploadState, body: AsyncIterable<Buffer>): Promise<UploadState> {
    const s = state as S3UploadState;
    if (s.sealed) throw new Error('upload is sealed');
    const parts = [...s.parts];
    let uploadId = s.uploadId;
    const dataKey = this.key(`${uploadDir(id)}/data`);
    let pending: Buffer[] = s.tail ? [await this.readAll(s.tail.key)] : [];
    let pendingSize = s.tail?.size ?? 0;
    let received = 0;
    const inflight = new Set<Promise<void>>();
    let failure: unknown;

    const dispatch = async (data: Buffer) => {
      uploadId ??= (await this.call(() => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: dataKey })))).UploadId!;
      const n = parts.length + 1;
      const part: Part = { n, etag: '', size: data.length };
      parts.push(part);
      const p = this.call(() => this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: dataKey, UploadId: uploadId, PartNumber: n, Body: data, ContentLength: data.length })))
        .then((r) => {
          part.etag = r.ETag ?? '';
        })
        .catch((err) => {
          failure ??= err;
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
      while (inflight.size >= PARTS_IN_FLIGHT) await Promise.race(inflight);
      if (failure) throw failure;
    };
    const take = (n: number): Buffer => {
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize);
      pending = all.length > n ? [all.subarray(n)] : [];
      pendingSize = all.length - n;
      return all.subarray(0, n);
    };

    for await (const chunk of body) {
      pending.push(chunk);
      pendingSize += chunk.length;
      received += chunk.length;
      while (pendingSize >= this.partSize) await dispatch(take(this.partSize));
    }
    if (pendingSize >= MIN_PART) await dispatch(take(pendingSize));
    await Promise.all(inflight);
    if (failure) throw failure;
    let tail: S3UploadState['tail'];
    if (pendingSize > 0) {
      tail = { key: this.key(`${uploadDir(id)}/tail-${randomUUID()}`), size: pendingSize };
      await this.putObject(tail.key, take(pendingSize));
    } else if (received === 0) {
      tail = s.tail; // nothing new: the old tail stays
    }
    if (s.tail && tail?.key !== s.tail.key) await this.deleteKey(s.tail.key).catch(() => {});
    const next: S3UploadState = { size: s.size + received, parts, uploadId, tail };
    if (!tail) delete next.tail;
    if (!uploadId) delete next.uploadId;
    return next;
  }

  async uploadSeal(id: string, state: UploadState): Promise<UploadState> {
    const s = state as S3UploadState;
    if (s.sealed) return s;
    const dataKey = this.key(`${uploadDir(id)}/data`);
    if (!s.uploadId) {
      if (s.tail) return { ...s, sealed: true, sealedKey: s.tail.key };
      await this.putObject(dataKey, Buffer.alloc(0));
      return { ...s, sealed: true, sealedKey: dataKey };
    }
    const parts = [...s.parts];
    if (s.tail) {
      const data = await this.readAll(s.tail.key);
      const n = parts.length + 1;
      const r = await this.call(() => this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: dataKey, UploadId: s.uploadId, PartNumber: n, Body: data, ContentLength: data.length })));
      parts.push({ n, etag: r.ETag ?? '', size: data.length });
    }
    await this.call(() =>
      this.client.send(new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: dataKey,
        UploadId: s.uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.n, ETag: p.etag })) },
      })),
    );
    if (s.tail) await this.deleteKey(s.tail.key).catch(() => {});
    return { size: s.size, parts: [], sealed: true, sealedKey: dataKey };
  }

  uploadRead(id: string, state: UploadState): Promise<Readable> {
    const s = state as S3UploadState;
    if (!s.sealedKey) throw new Error(`upload ${id} is not sealed`);
    return this.getStream(s.sealedKey);
  }

  async uploadCommit(id: string, state: UploadState, digest: Digest): Promise<void> {
    const s = state as S3UploadState;
    if (!s.sealedKey) throw new Error(`upload ${id} is not sealed`);
    if (await this.stat(digest)) return;
    const dest = this.key(blobDataPath(digest));
    const source = `${this.bucket}/${s.sealedKey}`;
    if (s.size <= this.copyThreshold) {
      await this.call(() => this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: dest, CopySource: source })));
      return;
    }
    const uploadId = (await this.call(() => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: dest })))).UploadId!;
    try {
      const parts: { PartNumber: number; ETag: string }[] = [];
      for (let off = 0, n = 1; off < s.size; off += this.copyChunk, n++) {
        const end = Math.min(s.size, off + this.copyChunk) - 1;
        const r = await this.call(() => this.client.send(new UploadPartCopyCommand({ Bucket: this.bucket, Key: dest, UploadId: uploadId, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${off}-${end}` })));
        parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag ?? '' });
      }
      await this.call(() => this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: dest, UploadId: uploadId, MultipartUpload: { Parts: parts } })));
    } catch (err) {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: dest, UploadId: uploadId })).catch(() => {});
      throw err;
    }
  }

  async sweepUploads(before: Date, live: Set<string>): Promise<string[]> {
    const swept: string[] = [];
    const base = this.key('/uploads/');
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    do {
      const page = await this.call(() => this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: base, KeyMarker: keyMarker, UploadIdMarker: idMarker })));
      for (const u of page.Uploads ?? []) {
        const id = (u.Key ?? '').slice(base.length).split('/')[0]!;
        if (live.has(id) || !u.Initiated || u.Initiated >= before) continue;
        await this.call(() => this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId })));
        swept.push(id);
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      idMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
    } while (keyMarker);
    return swept;
  }

  async uploadAbort(id: string, state: UploadState | undefined): Promise<void> {
    const s = state as S3UploadState | undefined;
    const dataKey = this.key(`${uploadDir(id)}/data`);
    if (s?.uploadId && !s.sealed) {
      await this.call(() => this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: dataKey, UploadId: s.uploadId }))).catch((err) => {
        if (!notFound(err)) throw err;
      });
    }
    if (s?.tail) await this.deleteKey(s.tail.key);
    if (s?.sealedKey && s.sealedKey !== dataKey) await this.deleteKey(s.sealedKey);
    await this.deleteKey(dataKey);
  }
}
