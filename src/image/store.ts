/**
 * The image store: images, their layers, tags and repo digests. Bytes live in the
 * content store (configs by image ID, layers as uncompressed tars by diff ID); who
 * refers to what lives in SQLite, and every change to it is one transaction, so a
 * killed process leaves either the old state or the new one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { rmSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { ContentStore } from '../content/store.js';
import { type DB, tx } from '../metadata/db.js';
import { digestOf, isDigest, type Digest } from '../core/digest.js';
import { WharfError, notFound } from '../core/errors.js';
import { parseReference, Reference } from '../core/reference.js';
import { chainIds } from './chain.js';
import { scanLayerSize } from './layer-size.js';
import type { ImageConfig, ImageRecord, LayerRef } from './types.js';

/** What `images` needs of each image, read in three queries whatever the store's size. */
export interface ImageSummary {
  id: Digest;
  parent: string;
  size: number;
  created: string;
  labels: Record<string, string>;
  loadedAt: string;
  /** Fully-qualified `name:tag` references. */
  tags: Reference[];
  /** Fully-qualified `name@digest` references. */
  digests: Reference[];
}

interface ImageRow {
  id: Digest;
  parent: string;
  size: number;
  created: string | null;
  labels: string;
  loaded_at: string;
  last_tag_time: string | null;
}

/** A stored tag back as a Reference, without re-running the reference grammar. */
function tagReference(repo: string, ref: string): Reference {
  const slash = repo.indexOf('/');
  return new Reference(repo.slice(0, slash), repo.slice(slash + 1), ref.slice(repo.length + 1));
}

export interface AddImageOptions {
  parent?: string;
  tags?: string[];
  /** Exact config bytes (the ID is their digest); serialised from `config` when absent. */
  configBytes?: Buffer;
  /** `repo@digest` references (from a pull). */
  repoDigests?: string[];
}

export class ImageStore {
  constructor(
    private readonly db: DB,
    readonly content: ContentStore,
  ) {}

  // ---- resolution -------------------------------------------------------

  /** Docker's lookup order: full ID, then name[:tag] / name@digest, then ID prefix. */
  resolveId(refOrId: string): Digest | undefined {
    const full = /^(?:sha256:)?([a-f0-9]{64})$/.exec(refOrId);
    if (full) {
      const id = `sha256:${full[1]}` as Digest;
      return this.exists(id) ? id : undefined;
    }
    let ref: Reference | undefined;
    try {
      ref = parseReference(refOrId);
    } catch {
      ref = undefined;
    }
    const byName = ref && this.resolveRef(ref);
    if (byName) return byName;
    const prefix = /^(?:sha256:)?([a-f0-9]+)$/.exec(refOrId);
    if (prefix) {
      const rows = this.db.prepare("SELECT id FROM images WHERE id >= ? AND id < ? LIMIT 2").all(`sha256:${prefix[1]}`, `sha256:${prefix[1]}g`) as { id: Digest }[];
      if (rows.length > 1) throw new WharfError('NOT_FOUND', `No such image: ${refOrId}`, { hint: 'ambiguous ID prefix', reason: 'NO_SUCH_IMAGE' });
      if (rows.length === 1) return rows[0]!.id;
    }
    return undefined;
  }

  /** The image a tag (default latest) or name@digest points at. */
  resolveRef(ref: Reference): Digest | undefined {
    const row = ref.digest
      ? (this.db.prepare('SELECT image_id FROM repo_digests WHERE repo = ? AND digest = ?').get(ref.name, ref.digest) as { image_id: Digest } | undefined)
      : (this.db.prepare('SELECT image_id FROM tags WHERE ref = ?').get(ref.withDefaultTag().toString()) as { image_id: Digest } | undefined);
    return row?.image_id;
  }

  get(refOrId: string): ImageRecord {
    const id = this.resolveId(refOrId);
    if (!id) throw notFound(`No such image: ${missingImageName(refOrId)}`, { reason: 'NO_SUCH_IMAGE' });
    return this.record(id);
  }

  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM images WHERE id = ?').get(id) !== undefined;
  }

  record(id: Digest): ImageRecord {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    if (!row) throw notFound(`No such image: ${id}`, { reason: 'NO_SUCH_IMAGE' });
    const config = JSON.parse(this.content.read(id).toString('utf8')) as ImageConfig;
    const tags = (this.db.prepare('SELECT ref FROM tags WHERE image_id = ? ORDER BY ref').all(id) as { ref: string }[]).map((r) => parseReference(r.ref).familiarString());
    const digests = (this.db.prepare('SELECT repo, digest FROM repo_digests WHERE image_id = ? ORDER BY repo').all(id) as { repo: string; digest: string }[]).map((r) =>
      parseReference(`${r.repo}@${r.digest}`).familiarString(),
    );
    return {
      id,
      config,
      parent: row.parent,
      repoTags: tags,
      repoDigests: digests,
      size: row.size,
      loadedAt: row.loaded_at,
      lastTagTime: row.last_tag_time ?? undefined,
    };
  }

  list(): ImageSummary[] {
    const rows = this.db.prepare('SELECT * FROM images').all() as ImageRow[];
    const byId = new Map<string, ImageSummary>();
    for (const r of rows) {
      // Labels are parsed only when a filter asks for them.
      let labels: Record<string, string> | undefined;
      const raw = r.labels;
      byId.set(r.id, {
        id: r.id,
        parent: r.parent,
        size: r.size,
        created: r.created ?? r.loaded_at,
        get labels() {
          return (labels ??= JSON.parse(raw) as Record<string, string>);
        },
        loadedAt: r.loaded_at,
        tags: [],
        digests: [],
      });
    }
    for (const t of this.db.prepare('SELECT ref, repo, image_id FROM tags ORDER BY ref').all() as { ref: string; repo: string; image_id: string }[]) {
      byId.get(t.image_id)?.tags.push(tagReference(t.repo, t.ref));
    }
    for (const d of this.db.prepare('SELECT repo, digest, image_id FROM repo_digests ORDER BY repo').all() as { repo: string; digest: string; image_id: string }[]) {
      byId.get(d.image_id)?.digests.push(parseReference(`${d.repo}@${d.digest}`));
    }
    return [...byId.values()];
  }

  children(id: string): Digest[] {
    return (this.db.prepare('SELECT id FROM images WHERE parent = ?').all(id) as { id: Digest }[]).map((r) => r.id);
  }

  refsOf(id: string): Reference[] {
    const tags = (this.db.prepare('SELECT ref FROM tags WHERE image_id = ? ORDER BY ref').all(id) as { ref: string }[]).map((r) => parseReference(r.ref));
    const digests = (this.db.prepare('SELECT repo, digest FROM repo_digests WHERE image_id = ? ORDER BY repo').all(id) as { repo: string; digest: string }[]).map((r) =>
      parseReference(`${r.repo}@${r.digest}`),
    );
    return [...tags, ...digests];
  }

  // ---- layers -----------------------------------------------------------

  layerChain(imageId: string): LayerRef[] {
    const rows = this.db
      .prepare('SELECT il.diff_id AS diffId, il.chain_id AS chainId, l.size AS size FROM image_layers il JOIN layers l ON l.diff_id = il.diff_id WHERE il.image_id = ? ORDER BY il.idx')
      .all(imageId) as { diffId: Digest; chainId: Digest; size: number }[];
    return rows.map((r) => ({ ...r, path: this.content.path(r.diffId) }));
  }

  hasLayer(diffId: string): boolean {
    return this.db.prepare('SELECT 1 FROM layers WHERE diff_id = ?').get(diffId) !== undefined && this.content.has(diffId as Digest);
  }

  layerSize(diffId: string): number | undefined {
    return (this.db.prepare('SELECT size FROM layers WHERE diff_id = ?').get(diffId) as { size: number } | undefined)?.size;
  }

  /**
   * Store an uncompressed layer tar and record it. The layer row is written now (it is
   * harmless without an image; GC sweeps it), the image that uses it comes later.
   */
  async ingestLayer(tar: Readable | AsyncIterable<Buffer>, expectedDiffId?: Digest, leaseId?: string): Promise<{ diffId: Digest; size: number }> {
    const scanner = scanLayerSize();
    const blob = await this.content.ingest(tar, expectedDiffId ? { digest: expectedDiffId } : undefined, scanner.push);
    const lease = leaseId ?? this.currentLease();
    if (lease) this.leaseBlob(lease, blob.digest);
    let size: number;
    try {
      size = await scanner.finish();
    } catch (err) {
      if (!this.hasLayer(blob.digest)) await this.content.delete(blob.digest);
      throw err;
    }
    this.recordLayer(blob.digest, size);
    return { diffId: blob.digest, size };
  }

  recordLayer(diffId: Digest, size: number): void {
    this.db.prepare('INSERT OR IGNORE INTO layers (diff_id, size) VALUES (?, ?)').run(diffId, size);
  }

  // ---- images -----------------------------------------------------------

  addImage(config: ImageConfig, opts: AddImageOptions = {}): ImageRecord {
    const bytes = opts.configBytes ?? Buffer.from(JSON.stringify(config));
    const id = digestOf(bytes);
    const diffIds = config.rootfs?.diff_ids ?? [];
    for (const d of diffIds) {
      if (!isDigest(d) || !this.hasLayer(d)) throw new WharfError('CORRUPT', `layer ${d} of image ${id} is missing from the store`);
    }
    this.content.writeBuffer(bytes, { digest: id });
    const chains = chainIds(diffIds);
    const tagRefs = (opts.tags ?? []).map((t) => parseReference(t).withDefaultTag());
    const digestRefs = (opts.repoDigests ?? []).map((d) => parseReference(d));
    tx(this.db, () => {
      const existing = this.exists(id);
      if (!existing) {
        const size = diffIds.reduce((n, d) => n + (this.layerSize(d) ?? 0), 0);
        this.db
          .prepare('INSERT INTO images (id, parent, size, created, labels, loaded_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(id, opts.parent ?? '', size, config.created ?? null, JSON.stringify(config.config?.Labels ?? {}), new Date().toISOString());
        const ins = this.db.prepare('INSERT INTO image_layers (image_id, idx, diff_id, chain_id) VALUES (?, ?, ?, ?)');
        diffIds.forEach((d, i) => ins.run(id, i, d, chains[i]));
      } else if (opts.parent) {
        this.db.prepare("UPDATE images SET parent = ? WHERE id = ? AND parent = ''").run(opts.parent, id);
      }
      for (const ref of tagRefs) this.setTag(id, ref);
      for (const ref of digestRefs) {
        this.db.prepare('INSERT OR REPLACE INTO repo_digests (repo, digest, image_id) VALUES (?, ?, ?)').run(ref.name, ref.digest, id);
      }
    });
    return this.record(id);
  }

  /** Point `ref` (a tag) at `id`, moving it off whatever image had it. */
  tag(id: Digest, ref: Reference): void {
    tx(this.db, () => this.setTag(id, ref.withDefaultTag()));
  }

  private setTag(id: Digest, ref: Reference): void {
    if (ref.digest) throw new WharfError('INVALID_REFERENCE', 'refusing to create a tag with a digest reference');
    const now = new Date().toISOString();
    this.db.prepare('INSERT OR REPLACE INTO tags (ref, repo, image_id, created) VALUES (?, ?, ?, ?)').run(ref.toString(), ref.name, id, now);
    this.db.prepare('UPDATE images SET last_tag_time = ? WHERE id = ?').run(now, id);
  }

  /** Remove one tag or digest reference; returns whether it existed. */
  removeRef(ref: Reference): boolean {
    if (ref.digest) return this.db.prepare('DELETE FROM repo_digests WHERE repo = ? AND digest = ?').run(ref.name, ref.digest).changes > 0;
    return this.db.prepare('DELETE FROM tags WHERE ref = ?').run(ref.withDefaultTag().toString()).changes > 0;
  }

  /**
   * Delete the image row and whatever it alone held: chain snapshots (returned, top
   * first, as Docker reports them), layer rows and blobs no other image uses.
   */
  deleteImageRecord(id: Digest): Digest[] {
    const chain = this.layerChain(id);
    const removedChains: Digest[] = [];
    this.transaction(() => {
      this.db.prepare('DELETE FROM tags WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM repo_digests WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM image_layers WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
      for (const layer of [...chain].reverse()) {
        if (!this.db.prepare('SELECT 1 FROM image_layers WHERE chain_id = ? LIMIT 1').get(layer.chainId)) removedChains.push(layer.chainId);
      }
    });
    // Bytes go only once the deletion is committed: a crash before leaves the image whole.
    this.afterCommit(() => this.sweepUnreferenced(id, chain));
    return removedChains;
  }

  /** Best-effort removal of bytes that no image references any more (GC does the rest). */
  private sweepUnreferenced(id: Digest, chain: LayerRef[]): void {
    for (const layer of chain) {
      const still = this.db.prepare('SELECT 1 FROM image_layers WHERE diff_id = ? LIMIT 1').get(layer.diffId);
      if (!still && !this.isLeased(layer.diffId)) {
        this.db.prepare('DELETE FROM layers WHERE diff_id = ?').run(layer.diffId);
        rmSync(layer.path, { force: true });
        this.sweepCompressedForms(layer.diffId);
      }
    }
    if (!this.isLeased(id)) rmSync(this.content.path(id), { force: true });
  }

  /**
   * The compressed forms kept for a re-push (layer_blobs) of a layer that is gone: their rows,
   * and their bytes unless another live layer maps to the same blob or work in progress holds it.
   */
  private sweepCompressedForms(diffId: string): void {
    const forms = this.db.prepare('SELECT digest FROM layer_blobs WHERE diff_id = ?').all(diffId) as { digest: string }[];
    this.db.prepare('DELETE FROM layer_blobs WHERE diff_id = ?').run(diffId);
    const stillUsed = this.db.prepare('SELECT 1 FROM layer_blobs lb JOIN image_layers il ON il.diff_id = lb.diff_id WHERE lb.digest = ? LIMIT 1');
    for (const { digest } of forms) {
      const other = this.db.prepare('SELECT 1 FROM images WHERE id = ? UNION ALL SELECT 1 FROM image_layers WHERE diff_id = ? LIMIT 1').get(digest, digest);
      if (digest === diffId || other || stillUsed.get(digest) || this.isLeased(digest)) continue;
      rmSync(this.content.path(digest as Digest), { force: true });
    }
  }

  private isLeased(digest: string): boolean {
    return this.db.prepare('SELECT 1 FROM lease_blobs lb JOIN leases l ON l.id = lb.lease_id WHERE lb.digest = ? AND l.expires > ?').get(digest, Date.now()) !== undefined;
  }

  // ---- leases: blobs written by work in progress, safe from deletion ------

  createLease(ttlMs = 6 * 3600_000): string {
    const id = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    this.db.prepare('INSERT INTO leases (id, pid, expires) VALUES (?, ?, ?)').run(id, process.pid, Date.now() + ttlMs);
    return id;
  }

  leaseBlob(leaseId: string, digest: string): void {
    this.db.prepare('INSERT OR IGNORE INTO lease_blobs (lease_id, digest) VALUES (?, ?)').run(leaseId, digest);
  }

  releaseLease(leaseId: string): void {
    this.db.prepare('DELETE FROM leases WHERE id = ?').run(leaseId);
  }

  /**
   * Run `fn` holding a lease that rides on its async context (containerd's lease on the
   * context): every layer ingested inside, however deep the call, is leased to it, and the
   * lease goes when `fn` settles. A lease already held outside is reused.
   */
  async withLease<T>(fn: (lease: string) => Promise<T>): Promise<T> {
    const held = this.currentLease();
    if (held) return fn(held);
    const lease = this.createLease();
    try {
      return await this.leaseContext.run(lease, () => fn(lease));
    } finally {
      this.releaseLease(lease);
    }
  }

  /** The lease of the enclosing `withLease`, if any. */
  currentLease(): string | undefined {
    return this.leaseContext.getStore();
  }

  private readonly leaseContext = new AsyncLocalStorage<string>();

  /** Blobs referenced by nothing: no image, no layer row, no live lease. */
  unreferencedBlobs(all: string[]): string[] {
    const isImage = this.db.prepare('SELECT 1 FROM images WHERE id = ?');
    const isLayer = this.db.prepare('SELECT 1 FROM image_layers WHERE diff_id = ? LIMIT 1');
    // A compressed form of a live layer, kept so a re-push sends the same digest.
    const isCompressedLayer = this.db.prepare('SELECT 1 FROM layer_blobs lb JOIN image_layers il ON il.diff_id = lb.diff_id WHERE lb.digest = ? LIMIT 1');
    return all.filter((d) => !isImage.get(d) && !isLayer.get(d) && !isCompressedLayer.get(d) && !this.isLeased(d));
  }

  /** Mark that `id` was tagged now (Metadata.LastTagTime). */
  touch(id: Digest): void {
    this.db.prepare('UPDATE images SET last_tag_time = ? WHERE id = ?').run(new Date().toISOString(), id);
  }

  private depth = 0;
  private committed: (() => void)[] = [];

  /**
   * One write transaction; nested calls join the outermost one, so a whole `rmi` (untags,
   * deletions, pruned parents) commits at once. Work queued with afterCommit runs once the
   * outermost transaction has committed, and is dropped if it rolls back.
   */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.depth++;
    try {
      const result = tx(this.db, fn);
      for (const job of this.committed.splice(0)) job();
      return result;
    } finally {
      this.depth--;
      this.committed = [];
    }
  }

  /** Run `job` after the current transaction commits (now, if there is none). */
  afterCommit(job: () => void): void {
    if (this.depth > 0) this.committed.push(job);
    else job();
  }
}

/** How Docker names an image it cannot find: a name gets its default tag (`x` -> `x:latest`). */
export function missingImageName(refOrId: string): string {
  if (/^sha256:[a-f0-9]+$/.test(refOrId)) return refOrId;
  try {
    return parseReference(refOrId).withDefaultTag().familiarString();
  } catch {
    return refOrId;
  }
}
