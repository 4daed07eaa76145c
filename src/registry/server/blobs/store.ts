/**
 * The BlobStore contract: content-addressed blob bytes and the byte side of upload sessions,
 * nothing else (who references a blob is the MetadataStore's business). Two implementations:
 * a directory (the one-machine default, through a StorageDriver) and S3 (uploads become
 * multipart uploads). Every byte path streams: no call holds a whole blob in memory, except
 * `get`/`put`, which are for small objects (manifests of the embedded layout).
 *
 * An upload's byte state is a small JSON value (`UploadState`) that the caller keeps in the
 * metadata store with the session, so any replica can continue an upload another one began.
 */
import type { Readable } from 'node:stream';
import type { Digest } from '../../../core/digest.js';

export interface BlobInfo {
  size: number;
  modTime: Date;
}

/** JSON-serialisable byte state of an upload; `size` is the bytes received so far. */
export interface UploadState {
  size: number;
  /** Set once the bytes are assembled and readable (no more appends). */
  sealed?: boolean;
  [key: string]: unknown;
}

export interface BlobStore {
  readonly kind: 'filesystem' | 's3';
  stat(digest: Digest): Promise<BlobInfo | null>;
  /** Bytes [start, end] inclusive; rejects with BlobNotFoundError when absent. */
  open(digest: Digest, start?: number, end?: number, chunkSize?: number): Promise<Readable>;
  /** Small objects only. */
  get(digest: Digest): Promise<Buffer>;
  put(digest: Digest, data: Buffer): Promise<void>;
  delete(digest: Digest): Promise<void>;
  list(): AsyncGenerator<Digest>;
  /** Refresh modTime (GC grace periods of the embedded layout read it). */
  touch(digest: Digest): Promise<void>;
  /** A URL the client may fetch the blob from directly, or null when the store has none. */
  redirectUrl(digest: Digest, expiresSeconds: number): Promise<string | null>;
  /** Throws when the store cannot be reached. */
  health(): Promise<void>;
  close(): Promise<void>;

  uploadBegin(id: string): Promise<UploadState>;
  /** Append a body; the result is the new state. The old state stays valid if this fails. */
  uploadAppend(id: string, state: UploadState, body: AsyncIterable<Buffer>): Promise<UploadState>;
  /** Assemble the bytes so they can be read and committed. */
  uploadSeal(id: string, state: UploadState): Promise<UploadState>;
  uploadRead(id: string, state: UploadState): Promise<Readable>;
  /** Make a sealed upload the blob `digest` (an existing blob with that digest wins). */
  uploadCommit(id: string, state: UploadState, digest: Digest): Promise<void>;
  /** Remove whatever the upload left (idempotent). */
  uploadAbort(id: string, state: UploadState | undefined): Promise<void>;
  /**
   * Remove upload bytes begun before `before` that belong to no session in `live` (where the
   * store can leave such: S3 multipart uploads); returns the upload ids swept.
   */
  sweepUploads?(before: Date, live: Set<string>): Promise<string[]>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly digest: string) {
    super(`blob not found: ${digest}`);
    this.name = 'BlobNotFoundError';
  }
}

/** The store (object storage or database) is unreachable: the edge answers 503. */
export class BackendUnavailableError extends Error {
  constructor(readonly backend: 'storage' | 'database', cause: unknown) {
    super(`${backend} unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'BackendUnavailableError';
  }
}
