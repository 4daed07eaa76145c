/**
 * Online GC over PostgreSQL metadata, safe with several replicas and pushes in flight (GitLab's
 * container registry design). One worker at a time across all replicas: a session-level
 * advisory lock, tried, never waited for. Work comes from the review queues that every
 * reference change fills (with `review_after` = now + the grace period for new content), so a
 * run never walks the whole registry. Each queued item is decided in its own transaction
 * holding the row lock of the blob (or manifest) in question: a manifest PUT locks the blobs it
 * names `FOR SHARE` in its own transaction, and an upload commits a blob holding that row's
 * lock, so GC either sees the new reference and keeps the blob, or deletes it first and the
 * PUT then fails cleanly with MANIFEST_BLOB_UNKNOWN; it never deletes a referenced blob.
 */
import type { Digest } from '../../../core/digest.js';
import type { BlobStore } from '../blobs/store.js';
import { purgeUploads, type GcOptions, type GcReport } from '../gc.js';
import type { UploadManager } from '../uploads.js';
import type { PostgresMetadata } from './postgres.js';

const GC_LOCK = 7216002;

export async function collectGarbagePg(meta: PostgresMetadata, blobs: BlobStore, uploads: UploadManager, options: GcOptions = {}): Promise<GcReport> {
  const started = Date.now();
  const dryRun = options.dryRun ?? false;
  const log = options.log ?? (() => {});
  const report: GcReport = { dryRun, markedBlobs: 0, deletedBlobs: [], freedBytes: 0, deletedManifests: [], purgedUploads: [], durationMs: 0 };
  const lockClient = await meta.pool.connect();
  try {
    const got = await lockClient.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [GC_LOCK]);
    if (!got.rows[0]?.ok) {
      report.skipped = true;
      return report;
    }
    try {
      // A dry run decides item by item like a real one and rolls back, so it stops after one pass.
      const seen = new Set<string>();
      // Queue entries are due at enqueue time + the configured grace period; a run with a
      // shorter one (an operator's `--grace-period 0`) takes them that much earlier.
      const shift = Math.max(0, meta.graceSeconds - Math.floor((options.gracePeriod ?? meta.graceSeconds * 1000) / 1000));
      if (options.deleteUntagged) {
        for (;;) {
          const item = await reviewManifest(meta, dryRun, seen, shift, log);
          if (item === null) break;
          if (item) report.deletedManifests.push(item);
        }
      }
      for (;;) {
        const item = await reviewBlob(meta, blobs, dryRun, seen, shift, log);
        if (item === null) break;
        if (item) {
          report.deletedBlobs.push(item.digest);
          report.freedBytes += item.size;
        } else report.markedBlobs++;
      }
      await purgeUploads(blobs, uploads, started, options, report);
      if (!dryRun) {
        await meta.query('INSERT INTO gc_runs (started_at, finished_at, deleted_blobs, deleted_manifests, freed_bytes) VALUES ($1, now(), $2, $3, $4)', [
          new Date(started), report.deletedBlobs.length, report.deletedManifests.length, report.freedBytes,
        ]);
      }
    } finally {
      await lockClient.query('SELECT pg_advisory_unlock($1)', [GC_LOCK]).catch(() => {});
    }
  } finally {
    lockClient.release();
  }
  report.durationMs = Date.now() - started;
  return report;
}

/** Decide one due blob: null when the queue has nothing due, false when kept. */
async function reviewBlob(meta: PostgresMetadata, blobs: BlobStore, dryRun: boolean, seen: Set<string>, shift: number, log: (l: string) => void): Promise<{ digest: Digest; size: number } | false | null> {
  return meta.tx(async (c) => {
    const q = await meta.query<{ digest: Digest }>(
      `SELECT digest FROM gc_blob_review_queue WHERE review_after <= now() + make_interval(secs => $2) AND NOT (digest = ANY($1::text[]))
       ORDER BY review_after LIMIT 1 FOR UPDATE SKIP LOCKED`, [[...seen], shift], c);
    const digest = q.rows[0]?.digest;
    if (!digest) return null;
    seen.add(digest);
    const row = await meta.query<{ size: string }>('SELECT size FROM blobs WHERE digest = $1 FOR UPDATE', [digest], c);
    let result: { digest: Digest; size: number } | false = false;
    if (row.rows[0]) {
      const used = await meta.query('SELECT 1 FROM manifest_blobs WHERE blob_digest = $1 LIMIT 1', [digest], c);
      if (!used.rowCount) {
        const size = Number(row.rows[0].size);
        log(`${dryRun ? 'would delete' : 'deleting'} blob ${digest} (${size} bytes)`);
        // Bytes first, row after, both under the row lock: a concurrent commit of the same
        // digest waits for this transaction and then writes the bytes again.
        if (!dryRun) await blobs.delete(digest);
        await meta.query('DELETE FROM blobs WHERE digest = $1', [digest], c);
        result = { digest, size };
      }
    }
    await meta.query('DELETE FROM gc_blob_review_queue WHERE digest = $1', [digest], c);
    if (dryRun) throw new DryRun(result);
    return result;
  }).catch((err) => {
    if (err instanceof DryRun) return err.result as { digest: Digest; size: number } | false;
    throw err;
  });
}

/** Decide one due manifest (untagged, no parent index, no live subject): null when none is due. */
async function reviewManifest(meta: PostgresMetadata, dryRun: boolean, seen: Set<string>, shift: number, log: (l: string) => void): Promise<{ repository: string; digest: Digest } | false | null> {
  return meta.tx(async (c) => {
    const q = await meta.query<{ repository_id: string; digest: Digest }>(
      `SELECT repository_id, digest FROM gc_manifest_review_queue WHERE review_after <= now() + make_interval(secs => $2)
       AND NOT ((repository_id || '@' || digest) = ANY($1::text[])) ORDER BY review_after LIMIT 1 FOR UPDATE SKIP LOCKED`, [[...seen], shift], c);
    const item = q.rows[0];
    if (!item) return null;
    const repoId = Number(item.repository_id);
    seen.add(`${repoId}@${item.digest}`);
    let result: { repository: string; digest: Digest } | false = false;
    const m = await meta.query<{ subject: string | null; name: string }>(
      `SELECT m.subject, r.name FROM manifests m JOIN repositories r ON r.id = m.repository_id WHERE m.repository_id = $1 AND m.digest = $2 FOR UPDATE OF m`, [repoId, item.digest], c);
    const row = m.rows[0];
    if (row) {
      const tagged = await meta.query('SELECT 1 FROM tags WHERE repository_id = $1 AND manifest_digest = $2 LIMIT 1', [repoId, item.digest], c);
      const parent = await meta.query('SELECT 1 FROM manifest_children WHERE repository_id = $1 AND child_digest = $2 LIMIT 1', [repoId, item.digest], c);
      const subject = row.subject ? await meta.query('SELECT 1 FROM manifests WHERE repository_id = $1 AND digest = $2', [repoId, row.subject], c) : { rowCount: 0 };
      if (!tagged.rowCount && !parent.rowCount && !subject.rowCount) {
        log(`${dryRun ? 'would delete' : 'deleting'} manifest ${row.name}@${item.digest}`);
        await meta.deleteManifestIn(c, repoId, item.digest);
        result = { repository: row.name, digest: item.digest };
      }
    }
    await meta.query('DELETE FROM gc_manifest_review_queue WHERE repository_id = $1 AND digest = $2', [repoId, item.digest], c);
    if (dryRun) throw new DryRun(result);
    return result;
  }).catch((err) => {
    if (err instanceof DryRun) return err.result as { repository: string; digest: Digest } | false;
    throw err;
  });
}

/** Thrown to roll a dry run's transaction back while returning its decision. */
class DryRun extends Error {
  constructor(readonly result: unknown) {
    super('dry run');
  }
}
