/**
 * The registry's storage: blob bytes (a BlobStore: directory or S3) and bookkeeping (a
 * MetadataStore: embedded link files or PostgreSQL), kept apart as containerd keeps content
 * and metadata apart. The few operations that need both live here.
 */
import type { Digest } from '../../core/digest.js';
import type { BlobInfo, BlobStore } from './blobs/store.js';
import type { MetadataStore } from './meta/store.js';

export type { ReferrerDescriptor, RepoMeta } from './meta/store.js';
export { blobDataPath } from './blobs/layout.js';

export class RegistryStore {
  constructor(
    readonly blobs: BlobStore,
    readonly meta: MetadataStore,
  ) {}

  /** Tags of a repository (tests and tools read them through the running registry). */
  listTags(name: string): Promise<string[]> {
    return this.meta.listTags(name);
  }

  /** A blob as `name` sees it: linked there (as a layer or a manifest) and present. */
  async blobInRepo(name: string, digest: Digest): Promise<BlobInfo | null> {
    if (await this.meta.hasLayer(name, digest)) return this.blobs.stat(digest);
    if (await this.meta.hasManifest(name, digest)) {
      const m = await this.meta.getManifest(name, digest);
      return m ? { size: m.body.length, modTime: new Date(0) } : null;
    }
    return null;
  }

  /** Is `digest` stored (bytes in the blob store, and known to metadata that tracks blobs)? */
  async blobExists(digest: Digest): Promise<boolean> {
    if (this.meta.tracksBlobs) return (await this.meta.blobSize(digest)) !== null;
    return (await this.blobs.stat(digest)) !== null;
  }

  /** Link an existing blob into `name` (cross-repository mount); false when it is not stored. */
  async mount(name: string, digest: Digest): Promise<boolean> {
    if (!this.meta.tracksBlobs) {
      if (!(await this.blobs.stat(digest))) return false;
      await this.meta.linkLayer(name, digest);
      await this.blobs.touch(digest); // GC's grace period covers the new link
      return true;
    }
    return this.meta.linkLayer(name, digest);
  }

  async close(): Promise<void> {
    await this.meta.close();
    await this.blobs.close();
  }
}
