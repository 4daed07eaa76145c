/**
 * The MetadataStore contract: who references what (repositories, layer links, manifests and
 * their references, tags, referrers, search metadata, upload sessions). Two implementations:
 * embedded (link files beside the blobs, the one-machine default) and PostgreSQL (several
 * replicas; its transactions and row locks are what make online GC safe). Blob bytes are the
 * BlobStore's business; a store that `tracksBlobs` also knows which blobs exist and checks a
 * manifest's references itself, under lock.
 */
import type { Digest } from '../../../core/digest.js';
import type { UploadState } from '../blobs/store.js';

export interface ReferrerDescriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface RepoMeta {
  description?: string;
  stars?: number;
  official?: boolean;
  automated?: boolean;
}

export interface ManifestRecord {
  digest: Digest;
  mediaType: string;
  body: Buffer;
  /** Blobs (config, layers) it references. */
  blobs: Digest[];
  /** Child manifests (of an index). */
  manifests: Digest[];
  subject?: Digest;
  /** How it appears in its subject's referrers list. */
  referrer?: ReferrerDescriptor;
}

export interface UploadRecord {
  id: string;
  repository: string;
  startedAt: string;
  state: UploadState;
  /** sha256 of the first `hashedSize` bytes, when one process saw them all. */
  hashedSize?: number;
  digest?: Digest;
  /** ms epoch until which a request is appending. */
  busyUntil?: number;
  version: number;
}

export interface Dated {
  digest: Digest;
  at: Date;
}

export interface MetadataStore {
  readonly kind: 'embedded' | 'postgres';
  readonly tracksBlobs: boolean;
  health(): Promise<void>;
  close(): Promise<void>;

  /**
   * Record a blob whose bytes `write` puts in place, so that GC can never delete the bytes of
   * a blob being committed (PostgreSQL: `write` runs holding the blob's row lock).
   */
  commitBlob(digest: Digest, size: number, write: () => Promise<void>): Promise<void>;
  /** Size of a known blob (only where tracksBlobs). */
  blobSize(digest: Digest): Promise<number | null>;

  /** Link a blob into a repository; false when this store tracks blobs and does not know it. */
  linkLayer(repo: string, digest: Digest): Promise<boolean>;
  hasLayer(repo: string, digest: Digest): Promise<boolean>;
  unlinkLayer(repo: string, digest: Digest): Promise<void>;
  listLayers(repo: string): Promise<Dated[]>;

  /**
   * Store a manifest (and tag it) in one step. Where tracksBlobs, a missing blob or child fails
   * with MANIFEST_BLOB_UNKNOWN.
   */
  putManifest(repo: string, m: ManifestRecord, tag?: string): Promise<void>;
  getManifest(repo: string, digest: Digest): Promise<{ mediaType: string; body: Buffer } | null>;
  hasManifest(repo: string, digest: Digest): Promise<boolean>;
  /** Remove a manifest, its tags and its referrer entry; false when it was not there. */
  deleteManifest(repo: string, digest: Digest): Promise<boolean>;
  listManifests(repo: string): Promise<Dated[]>;

  setTag(repo: string, tag: string, digest: Digest): Promise<void>;
  resolveTag(repo: string, tag: string): Promise<Digest | null>;
  deleteTag(repo: string, tag: string): Promise<boolean>;
  /** Sorted. */
  listTags(repo: string): Promise<string[]>;
  tagsOf(repo: string, digest: Digest): Promise<string[]>;
  listReferrers(repo: string, subject: Digest): Promise<ReferrerDescriptor[]>;

  repositoryExists(repo: string): Promise<boolean>;
  /** Sorted. */
  listRepositories(): Promise<string[]>;
  deleteRepository(repo: string): Promise<void>;
  getMeta(repo: string): Promise<RepoMeta>;
  setMeta(repo: string, meta: RepoMeta): Promise<void>;

  createUpload(rec: UploadRecord): Promise<void>;
  getUpload(id: string): Promise<UploadRecord | null>;
  /** Write `rec` (version + 1) only if the stored version is still `rec.version`. */
  saveUpload(rec: UploadRecord): Promise<boolean>;
  deleteUpload(id: string): Promise<void>;
  listUploads(): Promise<UploadRecord[]>;
}
