/**
 * What wharf knows of the compressed forms of its layers: `layer_blobs` maps a layer's diff ID
 * to the blob digests (gzip, zstd...) it was pulled or pushed as, so a re-push reuses the same
 * bytes and digests; `blob_sources` remembers which repositories of which registry hold a blob,
 * so a push can mount it across repositories instead of uploading it (Docker's v2 metadata).
 */
import type { DB } from '../metadata/db.js';
import type { Digest } from '../core/digest.js';

export interface LayerBlob {
  diffId: Digest;
  digest: Digest;
  mediaType: string;
  size: number;
}

const MAX_SOURCES = 3;

export class LayerBlobs {
  constructor(private readonly db: DB) {}

  /** Remember that `diffId` compresses to `digest` (idempotent). */
  remember(blob: LayerBlob): void {
    this.db
      .prepare('INSERT OR REPLACE INTO layer_blobs (diff_id, digest, media_type, size) VALUES (?, ?, ?, ?)')
      .run(blob.diffId, blob.digest, blob.mediaType, blob.size);
  }

  /** Known compressed forms of a layer, oldest first. */
  forDiff(diffId: string): LayerBlob[] {
    const rows = this.db
      .prepare('SELECT diff_id AS diffId, digest, media_type AS mediaType, size FROM layer_blobs WHERE diff_id = ? ORDER BY rowid')
      .all(diffId) as LayerBlob[];
    return rows;
  }

  /** Forget a compressed form (e.g. its bytes are gone and no registry has it). */
  forget(diffId: string, digest: string): void {
    this.db.prepare('DELETE FROM layer_blobs WHERE diff_id = ? AND digest = ?').run(diffId, digest);
  }

  /** Record that `registry`/`repo` holds blob `digest`. */
  addSource(digest: string, registry: string, repo: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO blob_sources (digest, registry, repo, seen) VALUES (?, ?, ?, ?)')
      .run(digest, registry, repo, Date.now());
  }

  /** Repositories of `registry` (other than `except`) known to hold `digest`, most recent first. */
  sourcesOf(digest: string, registry: string, except?: string): string[] {
    const rows = this.db
      .prepare('SELECT repo FROM blob_sources WHERE digest = ? AND registry = ? AND repo != ? ORDER BY seen DESC LIMIT ?')
      .all(digest, registry, except ?? '', MAX_SOURCES) as { repo: string }[];
    return rows.map((r) => r.repo);
  }
}
