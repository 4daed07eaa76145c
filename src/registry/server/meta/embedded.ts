/**
 * Embedded metadata: small link files beside the blobs, in distribution's spirit. A repository
 * sees a blob only through a link it owns (`_layers`, `_manifests/revisions`), tags are files
 * naming a manifest digest, manifest bodies are blobs. One process owns the directory, so no
 * locking beyond atomic file replacement is needed; GC reads link ages for its grace period.
 */
import { parseDigest, type Digest } from '../../../core/digest.js';
import { blobDataPath, uploadDir } from '../blobs/layout.js';
import { regError } from '../errors.js';
import { parseManifest } from '../manifest.js';
import type { StorageDriver } from '../storage/driver.js';
import type { Dated, ManifestRecord, MetadataStore, ReferrerDescriptor, RepoMeta, UploadRecord } from './store.js';

const repoPath = (name: string) => `/repositories/${name}`;
const digestPart = (digest: Digest) => {
  const { algorithm, hex } = parseDigest(digest);
  return `${algorithm}/${hex}`;
};

export class EmbeddedMetadata implements MetadataStore {
  readonly kind = 'embedded';
  readonly tracksBlobs = false;

  constructor(readonly driver: StorageDriver) {}

  async health(): Promise<void> {
    await this.driver.stat('/');
  }

  async close(): Promise<void> {}

  async commitBlob(_digest: Digest, _size: number, write: () => Promise<void>): Promise<void> {
    await write();
  }

  async blobSize(): Promise<number | null> {
    return null;
  }

  // ---- layer links ----
  private layerLink(name: string, digest: Digest) {
    return `${repoPath(name)}/_layers/${digestPart(digest)}/link`;
  }

  async linkLayer(name: string, digest: Digest): Promise<boolean> {
    await this.driver.putContent(this.layerLink(name, digest), digest);
    return true;
  }

  async hasLayer(name: string, digest: Digest): Promise<boolean> {
    return (await this.driver.stat(this.layerLink(name, digest))) !== null;
  }

  unlinkLayer(name: string, digest: Digest): Promise<void> {
    return this.driver.delete(this.layerLink(name, digest).replace(/\/link$/, ''));
  }

  listLayers(name: string): Promise<Dated[]> {
    return this.listDated(`${repoPath(name)}/_layers`, (d) => this.layerLink(name, d));
  }

  // ---- manifests ----
  private revisionLink(name: string, digest: Digest) {
    return `${repoPath(name)}/_manifests/revisions/${digestPart(digest)}/link`;
  }

  private async revision(name: string, digest: Digest): Promise<{ mediaType: string; subject?: Digest } | null> {
    try {
      const link = JSON.parse((await this.driver.getContent(this.revisionLink(name, digest))).toString());
      return { mediaType: typeof link.mediaType === 'string' ? link.mediaType : '', subject: link.subject };
    } catch {
      return null;
    }
  }

  async putManifest(name: string, m: ManifestRecord, tag?: string): Promise<void> {
    const path = blobDataPath(m.digest);
    if (!(await this.driver.stat(path))) await this.driver.putContent(path, m.body);
    await this.driver.putContent(this.revisionLink(name, m.digest), JSON.stringify({ digest: m.digest, mediaType: m.mediaType, subject: m.subject }));
    if (tag) await this.setTag(name, tag, m.digest);
    if (m.subject && m.referrer) await this.driver.putContent(this.referrerPath(name, m.subject, m.digest), JSON.stringify(m.referrer));
  }

  async getManifest(name: string, digest: Digest): Promise<{ mediaType: string; body: Buffer } | null> {
    const rev = await this.revision(name, digest);
    if (!rev) return null;
    try {
      return { mediaType: rev.mediaType, body: await this.driver.getContent(blobDataPath(digest)) };
    } catch {
      return null;
    }
  }

  async hasManifest(name: string, digest: Digest): Promise<boolean> {
    return (await this.driver.stat(this.revisionLink(name, digest))) !== null;
  }

  async deleteManifest(name: string, digest: Digest): Promise<boolean> {
    const rev = await this.revision(name, digest);
    if (!rev) return false;
    for (const tag of await this.tagsOf(name, digest)) await this.deleteTag(name, tag);
    let subject = rev.subject;
    if (!subject) {
      try {
        subject = parseManifest(await this.driver.getContent(blobDataPath(digest)), rev.mediaType).subject;
      } catch {
        // unreadable manifest: no referrer entry to remove
      }
    }
    if (subject) await this.driver.delete(this.referrerPath(name, subject, digest));
    await this.driver.delete(this.revisionLink(name, digest).replace(/\/link$/, ''));
    return true;
  }

  listManifests(name: string): Promise<Dated[]> {
    return this.listDated(`${repoPath(name)}/_manifests/revisions`, (d) => this.revisionLink(name, d));
  }

  // ---- tags ----
  private tagLink(name: string, tag: string) {
    return `${repoPath(name)}/_manifests/tags/${tag}/current/link`;
  }

  async setTag(name: string, tag: string, digest: Digest): Promise<void> {
    if (!(await this.hasManifest(name, digest))) throw regError('MANIFEST_UNKNOWN', { digest });
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
    return (await this.driver.stat(`${repoPath(name)}/_manifests`)) !== null || (await this.driver.stat(`${repoPath(name)}/_layers`)) !== null;
  }

  /** A directory is a repository when it has manifests or layers. */
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

  // ---- upload sessions: /uploads/<id>/info.json beside the directory blob store's bytes ----
  async createUpload(rec: UploadRecord): Promise<void> {
    await this.driver.putContent(`${uploadDir(rec.id)}/info.json`, JSON.stringify(rec));
  }

  async getUpload(id: string): Promise<UploadRecord | null> {
    try {
      const rec = JSON.parse((await this.driver.getContent(`${uploadDir(id)}/info.json`)).toString()) as UploadRecord;
      rec.version ??= 0;
      // Sessions written before states were recorded: the data file's size is the state.
      if (!rec.state) rec.state = { size: (await this.driver.stat(`${uploadDir(id)}/data`))?.size ?? 0 };
      return rec;
    } catch {
      return null;
    }
  }

  async saveUpload(rec: UploadRecord): Promise<boolean> {
    const current = await this.getUpload(rec.id);
    if (!current || current.version !== rec.version) return false;
    await this.driver.putContent(`${uploadDir(rec.id)}/info.json`, JSON.stringify({ ...rec, version: rec.version + 1 }));
    return true;
  }

  async deleteUpload(id: string): Promise<void> {
    await this.driver.delete(`${uploadDir(id)}/info.json`);
  }

  async listUploads(): Promise<UploadRecord[]> {
    const out: UploadRecord[] = [];
    for (const id of await this.driver.list('/uploads')) {
      const rec = await this.getUpload(id);
      if (rec) out.push(rec);
      else {
        const st = await this.driver.stat(uploadDir(id));
        out.push({ id, repository: '', startedAt: (st?.modTime ?? new Date(0)).toISOString(), state: { size: 0 }, version: 0 });
      }
    }
    return out;
  }

  private async listDated(dir: string, link: (d: Digest) => string): Promise<Dated[]> {
    const out: Dated[] = [];
    for (const algo of await this.driver.list(dir)) {
      for (const hex of await this.driver.list(`${dir}/${algo}`)) {
        const digest = `${algo}:${hex}` as Digest;
        const st = await this.driver.stat(link(digest));
        if (st) out.push({ digest, at: st.modTime });
      }
    }
    return out;
  }
}
