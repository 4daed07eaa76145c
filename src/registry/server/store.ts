/**
 * The registry's storage layout on top of a driver. Blob bytes live once under
 * `/blobs/<algo>/<2 hex>/<hex>/data` for every repository; a repository only sees a blob
 * through a link it owns (`_layers`, `_manifests/revisions`), so pushing to one repository
 * never exposes content in another. Tags are small files that point at a manifest digest.
 */
import type { Readable } from 'node:stream';
import { parseDigest, type Digest } from '../../core/digest.js';
import type { FileInfo, StorageDriver } from './storage/driver.js';

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

export function blobDataPath(digest: Digest): string {
  const { algorithm, hex } = parseDigest(digest);
  return `/blobs/${algorithm}/${hex.slice(0, 2)}/${hex}/data`;
}

const repoPath = (name: string) => `/repositories/${name}`;
const digestPart = (digest: Digest) => {
  const { algorithm, hex } = parseDigest(digest);
  return `${algorithm}/${hex}`;
};

export class RegistryStore {
  constructor(readonly driver: StorageDriver) {}

  // ---- blobs (global) ----
  blobInfo(digest: Digest): Promise<FileInfo | null> {
    return this.driver.stat(blobDataPath(digest));
  }

  blobReader(digest: Digest, start?: number, end?: number, chunkSize?: number): Readable {
    return this.driver.reader(blobDataPath(digest), start, end, chunkSize);
  }

  getBlob(digest: Digest): Promise<Buffer> {
    return this.driver.getContent(blobDataPath(digest));
  }

  putBlob(digest: Digest, data: Buffer): Promise<void> {
    return this.driver.putContent(blobDataPath(digest), data);
  }

  /** Refresh a blob's age so GC's grace period covers a new reference to it. */
  touchBlob(digest: Digest): Promise<void> {
    return this.driver.touch(blobDataPath(digest));
  }

  deleteBlob(digest: Digest): Promise<void> {
    return this.driver.delete(blobDataPath(digest).replace(/\/data$/, ''));
  }

  /** Every stored blob digest (GC and storage reports walk this). */
  async *allBlobs(): AsyncGenerator<Digest> {
    for (const algo of await this.driver.list('/blobs')) {
      for (const prefix of await this.driver.list(`/blobs/${algo}`)) {
        for (const hex of await this.driver.list(`/blobs/${algo}/${prefix}`)) yield `${algo}:${hex}`;
      }
    }
  }

  // ---- per-repository layer links ----
  private layerLink(name: string, digest: Digest) {
    return `${repoPath(name)}/_layers/${digestPart(digest)}/link`;
  }

  async linkLayer(name: string, digest: Digest): Promise<void> {
    await this.driver.putContent(this.layerLink(name, digest), digest);
  }

  async hasLayer(name: string, digest: Digest): Promise<boolean> {
    return (await this.driver.stat(this.layerLink(name, digest))) !== null;
  }

  async layerLinkInfo(name: string, digest: Digest): Promise<FileInfo | null> {
    return this.driver.stat(this.layerLink(name, digest));
  }

  unlinkLayer(name: string, digest: Digest): Promise<void> {
    return this.driver.delete(this.layerLink(name, digest).replace(/\/link$/, ''));
  }

  async listLayers(name: string): Promise<Digest[]> {
    return this.listDigests(`${repoPath(name)}/_layers`);
  }

  // ---- manifests ----
  private revisionLink(name: string, digest: Digest) {
    return `${repoPath(name)}/_manifests/revisions/${digestPart(digest)}/link`;
  }

  /** Store the manifest bytes as a blob and link the revision, recording its media type. */
  async putManifest(name: string, digest: Digest, body: Buffer, mediaType: string): Promise<void> {
    if (!(await this.blobInfo(digest))) await this.putBlob(digest, body);
    await this.driver.putContent(this.revisionLink(name, digest), JSON.stringify({ digest, mediaType }));
  }

  async manifestMediaType(name: string, digest: Digest): Promise<string | null> {
    try {
      const link = JSON.parse((await this.driver.getContent(this.revisionLink(name, digest))).toString());
      return typeof link.mediaType === 'string' ? link.mediaType : '';
    } catch {
      return null;
    }
  }

  revisionInfo(name: string, digest: Digest): Promise<FileInfo | null> {
    return this.driver.stat(this.revisionLink(name, digest));
  }

  deleteRevision(name: string, digest: Digest): Promise<void> {
    return this.driver.delete(this.revisionLink(name, digest).replace(/\/link$/, ''));
  }

  listRevisions(name: string): Promise<Digest[]> {
    return this.listDigests(`${repoPath(name)}/_manifests/revisions`);
  }

  // ---- tags ----
  private tagLink(name: string, tag: string) {
    return `${repoPath(name)}/_manifests/tags/${tag}/current/link`;
  }

  async setTag(name: string, tag: string, digest: Digest): Promise<void> {
    await this.driver.putContent(this.tagLink(name, tag), digest);
  }

  async resolveTag(name: string, tag: string): Promise<Digest | null> {
    try {
      return (await this.driver.getContent(this.tagLink(name, tag))).toString().trim() as Digest;
    } catch {
      return null;
    }
  }

  async deleteTag(name: string, tag: string): Promise<boolean> {
    const exists = (await this.driver.stat(this.tagLink(name, tag))) !== null;
    if (exists) await this.driver.delete(`${repoPath(name)}/_manifests/tags/${tag}`);
    return exists;
  }

  listTags(name: string): Promise<string[]> {
    return this.driver.list(`${repoPath(name)}/_manifests/tags`);
  }

  /** Tags currently pointing at `digest`. */
  async tagsOf(name: string, digest: Digest): Promise<string[]> {
    const out: string[] = [];
    for (const tag of await this.listTags(name)) if ((await this.resolveTag(name, tag)) === digest) out.push(tag);
    return out;
  }

  // ---- referrers: subject digest -> descriptors of manifests that name it ----
  private referrerPath(name: string, subject: Digest, referrer: Digest) {
    const r = parseDigest(referrer);
    return `${repoPath(name)}/_referrers/${digestPart(subject)}/${r.algorithm}-${r.hex}`;
  }

  addReferrer(name: string, subject: Digest, desc: ReferrerDescriptor): Promise<void> {
    return this.driver.putContent(this.referrerPath(name, subject, desc.digest), JSON.stringify(desc));
  }

  removeReferrer(name: string, subject: Digest, referrer: Digest): Promise<void> {
    return this.driver.delete(this.referrerPath(name, subject, referrer));
  }

  async listReferrers(name: string, subject: Digest): Promise<ReferrerDescriptor[]> {
    const dir = `${repoPath(name)}/_referrers/${digestPart(subject)}`;
    const out: ReferrerDescriptor[] = [];
    for (const entry of await this.driver.list(dir)) {
      try {
        out.push(JSON.parse((await this.driver.getContent(`${dir}/${entry}`)).toString()));
      } catch {
        // removed concurrently
      }
    }
    return out;
  }

  // ---- repositories ----
  async repositoryExists(name: string): Promise<boolean> {
    return (await this.driver.stat(`${repoPath(name)}/_manifests`)) !== null ||
      (await this.driver.stat(`${repoPath(name)}/_layers`)) !== null;
  }

  /** All repository names, sorted; a directory is a repository when it has manifests or layers. */
  async listRepositories(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (prefix: string) => {
      const entries = await this.driver.list(prefix === '' ? '/repositories' : `/repositories/${prefix}`);
      if (entries.includes('_manifests') || entries.includes('_layers')) out.push(prefix);
      for (const e of entries) if (!e.startsWith('_')) await walk(prefix === '' ? e : `${prefix}/${e}`);
    };
    await walk('');
    return out.filter((n) => n !== '').sort();
  }

  /** Remove a repository's own records; nested repositories (`name/child`) stay. */
  async deleteRepository(name: string): Promise<void> {
    for (const e of await this.driver.list(repoPath(name))) {
      if (e.startsWith('_')) await this.driver.delete(`${repoPath(name)}/${e}`);
    }
  }

  async getMeta(name: string): Promise<RepoMeta> {
    try {
      return JSON.parse((await this.driver.getContent(`${repoPath(name)}/_meta.json`)).toString());
    } catch {
      return {};
    }
  }

  setMeta(name: string, meta: RepoMeta): Promise<void> {
    return this.driver.putContent(`${repoPath(name)}/_meta.json`, JSON.stringify(meta));
  }

  private async listDigests(dir: string): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const algo of await this.driver.list(dir)) {
      for (const hex of await this.driver.list(`${dir}/${algo}`)) out.push(`${algo}:${hex}`);
    }
    return out;
  }
}
