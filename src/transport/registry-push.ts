/**
 * Local store -> registry: one tag pushed as dockerd pushes it. For each layer (top first,
 * 5 at a time) the cheapest move wins: a compressed form wharf remembers (layer_blobs) that the
 * registry already has ("Layer already exists"), a cross-repository mount from a repository of
 * the same registry known to hold it ("Mounted from X"), an upload of those remembered bytes
 * from the content store, or else gzip compressing while uploading (pigz on the free cores, or
 * node:zlib when layers already share them), keeping the result so the next push sends the
 * same digest. Then the config, a Docker schema2 manifest, and the
 * pushed manifest digest recorded as a repo digest of the image.
 */
import { statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { shortId, type Digest } from '../core/digest.js';
import { MediaType } from '../core/mediatypes.js';
import type { Reference } from '../core/reference.js';
import type { LayerBlob, LayerBlobs } from '../image/layer-blobs.js';
import type { ImageStore } from '../image/store.js';
import type { LayerRef } from '../image/types.js';
import type { RegistryClient } from '../registry/client/client.js';
import { GZIP_LAYER_TYPES, schema2Manifest } from './registry/manifest.js';
import { Limiter, settleAll, silentProgress, throttled, type ProgressSink } from './registry/progress.js';
import { compressAndUpload, tryMount } from './registry/upload.js';

export interface PushOptions {
  client: RegistryClient;
  store: ImageStore;
  blobs: LayerBlobs;
  progress?: ProgressSink;
  /** Parallel layer uploads (Docker's max-concurrent-uploads, 5). */
  concurrency?: number;
  /** gzip level for layers compressed now. */
  gzipLevel?: number;
  /** Cancels the push: no new layer starts, running ones are aborted, no manifest is put. */
  signal?: AbortSignal;
}

export interface PushResult {
  digest: Digest;
  size: number;
}

interface LayerJob {
  opts: PushOptions;
  progress: ProgressSink;
  repo: string;
  lease: string;
}

/** Push image `id` as `ref` (which carries the tag). */
export async function pushImage(ref: Reference, id: Digest, opts: PushOptions): Promise<PushResult> {
  const { client, store } = opts;
  const progress = opts.progress ?? silentProgress;
  const repo = ref.path;
  const chain = store.layerChain(id);
  const topFirst = [...chain].reverse();
  // The lease rides on the async context: every layer ingested inside is leased to it.
  return store.withLease(async (lease) => {
    const unique = new Map<string, LayerRef>();
    for (const layer of topFirst) {
      if (unique.has(layer.diffId)) continue;
      unique.set(layer.diffId, layer);
      progress.update(shortId(layer.diffId), 'Preparing');
    }
    const limiter = new Limiter(opts.concurrency ?? 5);
    const abort = new AbortController();
    opts.signal?.addEventListener('abort', () => abort.abort(opts.signal!.reason), { once: true });
    if (opts.signal?.aborted) abort.abort(opts.signal.reason);
    const job: LayerJob = { opts, progress, repo, lease };
    const jobs = [...unique.values()].map((layer) => {
      if (limiter.full) progress.update(shortId(layer.diffId), 'Waiting');
      return limiter.run(() => (abort.signal.aborted ? Promise.reject(abort.signal.reason) : pushLayer(job, layer)));
    });
    const pushed = await settleAll(jobs, (err) => abort.abort(err));
    const byDiff = new Map(pushed.map((b) => [b.diffId as string, b]));
    opts.signal?.throwIfAborted();

    const configBytes = store.content.read(id);
    await client.uploadBlob(repo, { mediaType: MediaType.dockerConfig, digest: id, size: configBytes.length }, () => Readable.from([configBytes]));
    const manifest = schema2Manifest({ digest: id, size: configBytes.length }, chain.map((l) => byDiff.get(l.diffId)!));
    const digest = await client.putManifest(repo, ref.tag ?? 'latest', manifest, MediaType.dockerManifest);
    progress.line(`${ref.tag ?? 'latest'}: digest: ${digest} size: ${manifest.length}`);
    const record = store.record(id);
    store.addImage(record.config, { configBytes, repoDigests: [`${ref.name}@${digest}`] });
    return { digest, size: manifest.length };
  });
}

async function pushLayer(job: LayerJob, layer: LayerRef): Promise<LayerBlob> {
  const { opts, progress, repo } = job;
  const { client, store, blobs } = opts;
  const id = shortId(layer.diffId);
  const known = blobs.forDiff(layer.diffId).filter((b) => GZIP_LAYER_TYPES.has(b.mediaType));
  const done = (b: LayerBlob, status: string): LayerBlob => {
    blobs.addSource(b.digest, client.registry, repo);
    progress.update(id, status);
    return b;
  };
  for (const b of known) {
    if (await client.blobExists(repo, b.digest)) return done(b, 'Layer already exists');
  }
  for (const b of known) {
    for (const from of blobs.sourcesOf(b.digest, client.registry, repo)) {
      if (await tryMount(client, repo, b.digest, from)) return done(b, `Mounted from ${from}`);
    }
  }
  const onProgress = throttled(progress, id, 'Pushing');
  for (const b of known) {
    if (!store.content.has(b.digest)) continue;
    store.leaseBlob(job.lease, b.digest);
    await client.uploadBlob(repo, { mediaType: MediaType.dockerLayerGzip, digest: b.digest, size: b.size }, () => store.content.open(b.digest), {
      onProgress: (n, total) => onProgress(n, total),
    });
    return done(b, 'Pushed');
  }
  const tarSize = statSync(layer.path).size;
  const blob = await compressAndUpload(client, repo, store.content, layer.path, {
    level: opts.gzipLevel,
    onProgress: (n) => onProgress(n, tarSize),
  });
  store.leaseBlob(job.lease, blob.digest);
  const remembered: LayerBlob = { diffId: layer.diffId, digest: blob.digest, mediaType: MediaType.dockerLayerGzip, size: blob.size };
  blobs.remember(remembered);
  return done(remembered, 'Pushed');
}
