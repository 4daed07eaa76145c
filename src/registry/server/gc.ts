/**
 * Online garbage collection of the embedded layout (PostgreSQL metadata has its own,
 * review-queue based, in meta/postgres-gc.ts; `runGc` picks the one that fits). Mark: every manifest reachable from a tag (through index children
 * and referrers), or every manifest revision when untagged ones are kept, and the blobs they
 * name. Sweep: blobs nobody marked, but only when older than the grace period and not pinned by
 * a request in flight, so a blob uploaded just before its manifest, or mounted a moment ago,
 * survives a concurrent run. Upload data lives outside the blob store and is only purged when
 * abandoned for longer than `uploadPurgeAge`.
 */
import type { Digest } from '../../core/digest.js';
import { parseManifest } from './manifest.js';
import type { BlobStore } from './blobs/store.js';
import type { PostgresMetadata } from './meta/postgres.js';
import type { Registry } from './registry.js';
import type { RegistryStore } from './store.js';
import type { UploadManager } from './uploads.js';

export interface GcOptions {
  deleteUntagged?: boolean;
  dryRun?: boolean;
  /** ms; default one hour. */
  gracePeriod?: number;
  /** ms; default one day. */
  uploadPurgeAge?: number;
  /** Digests that in-flight requests reference (value: time pinned). */
  pins?: Map<Digest, number>;
  log?: (line: string) => void;
}

export interface GcReport {
  dryRun: boolean;
  /** Another replica held the GC lock: nothing was done. */
  skipped?: boolean;
  markedBlobs: number;
  deletedBlobs: Digest[];
  freedBytes: number;
  deletedManifests: { repository: string; digest: Digest }[];
  purgedUploads: string[];
  durationMs: number;
}

const HOUR = 3600_000;

/** One GC run with whichever collector the store's metadata needs. */
export async function runGc(store: RegistryStore, uploads: UploadManager, options: GcOptions = {}): Promise<GcReport> {
  if (store.meta.kind === 'postgres') {
    const { collectGarbagePg } = await import('./meta/postgres-gc.js');
    return collectGarbagePg(store.meta as PostgresMetadata, store.blobs, uploads, options);
  }
  return collectGarbage(store, uploads, options);
}

export async function collectGarbage(store: RegistryStore, uploads: UploadManager, options: GcOptions = {}): Promise<GcReport> {
  const { meta, blobs } = store;
  const started = Date.now();
  const grace = options.gracePeriod ?? HOUR;
  const dryRun = options.dryRun ?? false;
  const log = options.log ?? (() => {});
  const young = (t: Date | undefined) => t !== undefined && started - t.getTime() < grace;
  const pinned = (d: Digest) => {
    const t = options.pins?.get(d);
    return t !== undefined && started - t < grace;
  };
  const report: GcReport = { dryRun, markedBlobs: 0, deletedBlobs: [], freedBytes: 0, deletedManifests: [], purgedUploads: [], durationMs: 0 };
  const marked = new Set<Digest>();

  for (const repo of await meta.listRepositories()) {
    const revisionList = await meta.listManifests(repo);
    const revisions = revisionList.map((r) => r.digest);
    const revisionTime = new Map(revisionList.map((r) => [r.digest, r.at]));
    const parsedByDigest = new Map<Digest, ReturnType<typeof parseManifest> | null>();
    const parse = async (d: Digest) => {
      if (!parsedByDigest.has(d)) {
        try {
          const m = await meta.getManifest(repo, d);
          parsedByDigest.set(d, m ? parseManifest(m.body, m.mediaType) : null);
        } catch {
          parsedByDigest.set(d, null);
        }
      }
      return parsedByDigest.get(d) ?? null;
    };
    // Roots: tagged manifests, or all of them when untagged ones are kept.
    const roots = new Set<Digest>();
    for (const tag of await meta.listTags(repo)) {
      const d = await meta.resolveTag(repo, tag);
      if (d) roots.add(d);
    }
    for (const d of revisions) {
      if (!options.deleteUntagged || young(revisionTime.get(d)) || pinned(d)) roots.add(d);
    }
    // Referrers of a kept manifest are kept with it.
    const subjectOf = new Map<Digest, Digest[]>();
    for (const d of revisions) {
      const p = await parse(d);
      if (p?.subject) subjectOf.set(p.subject, [...(subjectOf.get(p.subject) ?? []), d]);
    }
    const keep = new Set<Digest>();
    const visit = async (d: Digest) => {
      if (keep.has(d)) return;
      keep.add(d);
      marked.add(d);
      const p = await parse(d);
      if (p) {
        for (const b of p.blobs) marked.add(b);
        for (const child of p.manifests) await visit(child);
      }
      for (const r of subjectOf.get(d) ?? []) await visit(r);
    };
    for (const d of roots) await visit(d);

    for (const d of revisions) {
      if (keep.has(d)) continue;
      report.deletedManifests.push({ repository: repo, digest: d });
      log(`${dryRun ? 'would delete' : 'deleting'} manifest ${repo}@${d}`);
      if (!dryRun) await meta.deleteManifest(repo, d);
    }
    // Layer links whose blob is no longer referenced by this repository's manifests go too,
    // unless they are young (a push in progress links blobs before its manifest arrives).
    for (const { digest: layer, at } of await meta.listLayers(repo)) {
      if (marked.has(layer) || pinned(layer)) continue;
      if (young(at)) {
        marked.add(layer);
        continue;
      }
      if (!dryRun) await meta.unlinkLayer(repo, layer);
    }
  }
  report.markedBlobs = marked.size;

  for await (const blob of blobs.list()) {
    if (marked.has(blob) || pinned(blob)) continue;
    const info = await blobs.stat(blob);
    if (!info || young(info.modTime)) continue;
    report.deletedBlobs.push(blob);
    report.freedBytes += info.size;
    log(`${dryRun ? 'would delete' : 'deleting'} blob ${blob} (${info.size} bytes)`);
    if (!dryRun) await blobs.delete(blob);
  }

  await purgeUploads(blobs, uploads, started, options, report);
  report.durationMs = Date.now() - started;
  return report;
}

/**
 * Abandoned uploads: sessions older than the purge age go (their bytes with them), and so do
 * byte leftovers no session names any more (an S3 multipart upload begun by a replica that
 * died before recording it).
 */
export async function purgeUploads(blobs: BlobStore, uploads: UploadManager, started: number, options: GcOptions, report: GcReport): Promise<void> {
  const purgeAge = options.uploadPurgeAge ?? 24 * HOUR;
  const live = new Set<string>();
  for (const u of await uploads.list()) {
    if (started - u.startedAt.getTime() < purgeAge) {
      live.add(u.id);
      continue;
    }
    report.purgedUploads.push(u.id);
    if (!options.dryRun) await uploads.purge(u.id);
    else live.add(u.id);
  }
  if (!options.dryRun && blobs.sweepUploads) report.purgedUploads.push(...(await blobs.sweepUploads(new Date(started - purgeAge), live)));
}

/** Bytes each repository references (unique blobs linked in it, manifests included). */
export async function storageUsage(store: RegistryStore): Promise<{ repository: string; blobs: number; bytes: number }[]> {
  const out = [];
  const { meta, blobs } = store;
  for (const repo of await meta.listRepositories()) {
    const layers = (await meta.listLayers(repo)).map((l) => l.digest);
    const manifests = (await meta.listManifests(repo)).map((m) => m.digest);
    const digests = new Set<Digest>([...layers, ...manifests]);
    let bytes = 0;
    for (const d of layers) bytes += (meta.tracksBlobs ? await meta.blobSize(d) : (await blobs.stat(d))?.size) ?? 0;
    for (const d of manifests) if (!layers.includes(d)) bytes += (await meta.getManifest(repo, d))?.body.length ?? 0;
    out.push({ repository: repo, blobs: digests.size, bytes });
  }
  return out;
}

/** One GC run with the registry's settings (`overrides` from the admin endpoint), counted in the metrics. */
export async function gcOnce(reg: Registry, overrides: { deleteUntagged?: boolean; dryRun?: boolean; gracePeriod?: number }): Promise<GcReport> {
  const gc = reg.config.gc;
  try {
    const r = await runGc(reg.store, reg.uploads, {
      deleteUntagged: overrides.deleteUntagged ?? gc?.deleteUntagged,
      dryRun: overrides.dryRun,
      gracePeriod: (overrides.gracePeriod ?? gc?.gracePeriod ?? 3600) * 1000,
      uploadPurgeAge: (gc?.uploadPurgeAge ?? 86400) * 1000,
      pins: reg.pins,
    });
    reg.metrics.gcRuns.add({ outcome: r.skipped ? 'skipped' : 'done' });
    if (!r.dryRun) {
      reg.metrics.gcDeleted.add({ kind: 'blob' }, r.deletedBlobs.length);
      reg.metrics.gcDeleted.add({ kind: 'manifest' }, r.deletedManifests.length);
      reg.metrics.gcFreed.add({}, r.freedBytes);
    }
    return r;
  } catch (err) {
    reg.metrics.gcRuns.add({ outcome: 'failed' });
    throw err;
  }
}
