/**
 * Operations across whole registries: `import` copies a one-machine registry (directory +
 * embedded metadata) into the configured storage (S3 + PostgreSQL) while the source keeps
 * serving pulls (it only reads the source; re-running it copies what changed since), and
 * `check` verifies that every manifest's blobs are in the object store with the sizes the
 * manifest says, and that every stored blob's bytes hash to its digest.
 */
import { createHash } from 'node:crypto';
import { parseDigest, type Digest } from '../../core/digest.js';
import { FsBlobStore } from './blobs/fs.js';
import { parseManifest, referrerDescriptor, type ParsedManifest } from './manifest.js';
import { EmbeddedMetadata } from './meta/embedded.js';
import { FilesystemDriver } from './storage/fs.js';
import type { RegistryStore } from './store.js';
import type { UploadManager } from './uploads.js';

export interface ImportReport {
  repositories: number;
  blobs: number;
  bytes: number;
  skippedBlobs: number;
  manifests: number;
  tags: number;
}

export async function importRegistry(fromDir: string, dest: RegistryStore, uploads: UploadManager, log: (l: string) => void = () => {}): Promise<ImportReport> {
  const driver = new FilesystemDriver(fromDir);
  const blobs = new FsBlobStore(driver);
  const meta = new EmbeddedMetadata(driver);
  const report: ImportReport = { repositories: 0, blobs: 0, bytes: 0, skippedBlobs: 0, manifests: 0, tags: 0 };
  for (const repo of await meta.listRepositories()) {
    report.repositories++;
    for (const { digest } of await meta.listLayers(repo)) {
      const info = await blobs.stat(digest);
      if (!info) continue; // a dangling link: nothing to copy
      if ((await dest.blobExists(digest)) && (await dest.mount(repo, digest))) {
        report.skippedBlobs++;
        continue;
      }
      await uploads.monolithic(repo, await blobs.open(digest), digest, info.size);
      report.blobs++;
      report.bytes += info.size;
      log(`${repo}: blob ${digest} (${info.size} bytes)`);
    }
    // Children before the indexes that list them.
    const parsed: { digest: Digest; mediaType: string; body: Buffer; p: ParsedManifest }[] = [];
    for (const { digest } of await meta.listManifests(repo)) {
      const m = await meta.getManifest(repo, digest);
      if (!m) continue;
      try {
        parsed.push({ digest, ...m, p: parseManifest(m.body, m.mediaType) });
      } catch (err) {
        log(`${repo}: skipping unreadable manifest ${digest}: ${(err as Error).message}`);
      }
    }
    parsed.sort((a, b) => Number(a.p.kind === 'index') - Number(b.p.kind === 'index'));
    for (const { digest, mediaType, body, p } of parsed) {
      if (await dest.meta.hasManifest(repo, digest)) continue;
      await dest.meta.putManifest(repo, { digest, mediaType, body, blobs: p.blobs, manifests: p.manifests, subject: p.subject, referrer: p.subject ? referrerDescriptor(p, digest, body.length) : undefined });
      report.manifests++;
    }
    for (const tag of await meta.listTags(repo)) {
      const d = await meta.resolveTag(repo, tag);
      if (!d || (await dest.meta.resolveTag(repo, tag)) === d) continue;
      await dest.meta.setTag(repo, tag, d);
      report.tags++;
    }
    const m = await meta.getMeta(repo);
    if (Object.keys(m).length) await dest.meta.setMeta(repo, m);
  }
  return report;
}

export interface CheckReport {
  manifests: number;
  blobsChecked: number;
  problems: string[];
}

/** `verifyDigests: false` only checks presence and sizes (no re-hashing of every blob). */
export async function checkRegistry(store: RegistryStore, opts: { verifyDigests?: boolean; log?: (l: string) => void } = {}): Promise<CheckReport> {
  const { meta, blobs } = store;
  const report: CheckReport = { manifests: 0, blobsChecked: 0, problems: [] };
  const problem = (p: string) => {
    report.problems.push(p);
    opts.log?.(p);
  };
  const sizes = new Map<Digest, number | null>();
  const sizeOf = async (d: Digest) => {
    if (!sizes.has(d)) sizes.set(d, (await blobs.stat(d))?.size ?? null);
    return sizes.get(d)!;
  };
  for (const repo of await meta.listRepositories()) {
    for (const { digest } of await meta.listManifests(repo)) {
      report.manifests++;
      const m = await meta.getManifest(repo, digest);
      if (!m) {
        problem(`${repo}@${digest}: manifest body missing`);
        continue;
      }
      const { algorithm } = parseDigest(digest);
      if (`${algorithm}:${createHash(algorithm).update(m.body).digest('hex')}` !== digest) problem(`${repo}@${digest}: manifest bytes do not match the digest`);
      let p: ParsedManifest;
      try {
        p = parseManifest(m.body, m.mediaType);
      } catch {
        problem(`${repo}@${digest}: manifest does not parse`);
        continue;
      }
      const wanted = [...(p.config ? [p.config] : []), ...p.layers];
      for (const b of wanted) {
        if (!p.blobs.includes(b.digest)) continue; // foreign layer
        const size = await sizeOf(b.digest);
        if (size === null) problem(`${repo}@${digest}: blob ${b.digest} is missing from the object store`);
        else if (size !== b.size) problem(`${repo}@${digest}: blob ${b.digest} has ${size} bytes, the manifest says ${b.size}`);
      }
      for (const child of p.manifests) if (!(await meta.hasManifest(repo, child))) problem(`${repo}@${digest}: child manifest ${child} is missing`);
    }
  }
  if (opts.verifyDigests !== false) {
    for await (const d of blobs.list()) {
      const { algorithm } = parseDigest(d);
      const h = createHash(algorithm);
      for await (const chunk of await blobs.open(d)) h.update(chunk as Buffer);
      report.blobsChecked++;
      if (`${algorithm}:${h.digest('hex')}` !== d) problem(`blob ${d}: stored bytes hash to something else`);
    }
  }
  return report;
}
