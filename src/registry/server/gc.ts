/**
 * Online garbage collection. Mark: every manifest reachable from a tag (through index children
 * and referrers), or every manifest revision when untagged ones are kept, and the blobs they
 * name. Sweep: blobs nobody marked, but only when older than the grace period and not pinned by
 * a request in flight, so a blob uploaded just before its manifest, or mounted a moment ago,
 * survives a concurrent run. Upload data lives outside the blob store and is only purged when
 * abandoned for longer than `uploadPurgeAge`.
 */
import type { Digest } from '../../core/digest.js';
import { parseManifest } from './manifest.js';
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
  markedBlobs: number;
  deletedBlobs: Digest[];
  freedBytes: number;
  deletedManifests: { repository: string; digest: Digest }[];
  purgedUploads: string[];
  durationMs: number;
}

const HOUR = 3600_000;

export async function collectGarbage(store: RegistryStore, uploads: UploadManager, options: GcOptions = {}): Promise<GcReport> {
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

  for (const repo of await store.listRepositories()) {
    const revisions = await store.listRevisions(repo);
    const parsedByDigest = new Map<Digest, ReturnType<typeof parseManifest> | null>();
    const parse = async (d: Digest) => {
      if (!parsedByDigest.has(d)) {
        try {
          parsedByDigest.set(d, parseManifest(await store.getBlob(d), (await store.manifestMediaType(repo, d)) ?? undefined));
        } catch {
          parsedByDigest.set(d, null);
        }
      }
      return parsedByDigest.get(d) ?? null;
    };
    // Roots: tagged manifests, or all of them when untagged ones are kept.
    const roots = new Set<Digest>();
    for (const tag of await store.listTags(repo)) {
      const d = await store.resolveTag(repo, tag);
      if (d) roots.add(d);
    }
    for (const d of revisions) {
      if (!options.deleteUntagged || young((await store.revisionInfo(repo, d))?.modTime) || pinned(d)) roots.add(d);
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
      if (!dryRun) {
        const p = await parse(d);
        if (p?.subject) await store.removeReferrer(repo, p.subject, d);
        await store.deleteRevision(repo, d);
      }
    }
    // Layer links whose blob is no longer referenced by this repository's manifests go too,
    // unless they are young (a push in progress links blobs before its manifest arrives).
    for (const layer of await store.listLayers(repo)) {
      if (marked.has(layer) || pinned(layer)) continue;
      if (young((await store.layerLinkInfo(repo, layer))?.modTime)) {
        marked.add(layer);
        continue;
      }
      if (!dryRun) await store.unlinkLayer(repo, layer);
    }
  }
  report.markedBlobs = marked.size;

  for await (const blob of store.allBlobs()) {
    if (marked.has(blob) || pinned(blob)) continue;
    const info = await store.blobInfo(blob);
    if (!info || young(info.modTime)) continue;
    report.deletedBlobs.push(blob);
    report.freedBytes += info.size;
    log(`${dryRun ? 'would delete' : 'deleting'} blob ${blob} (${info.size} bytes)`);
    if (!dryRun) await store.deleteBlob(blob);
  }

  const purgeAge = options.uploadPurgeAge ?? 24 * HOUR;
  for (const u of await uploads.list()) {
    if (started - u.startedAt.getTime() < purgeAge) continue;
    report.purgedUploads.push(u.id);
    if (!dryRun) await uploads.purge(u.id);
  }
  report.durationMs = Date.now() - started;
  return report;
}

/** Bytes each repository references (unique blobs linked in it, manifests included). */
export async function storageUsage(store: RegistryStore): Promise<{ repository: string; blobs: number; bytes: number }[]> {
  const out = [];
  for (const repo of await store.listRepositories()) {
    const digests = new Set<Digest>([...(await store.listLayers(repo)), ...(await store.listRevisions(repo))]);
    let bytes = 0;
    for (const d of digests) bytes += (await store.blobInfo(d))?.size ?? 0;
    out.push({ repository: repo, blobs: digests.size, bytes });
  }
  return out;
}
