/**
 * Registry -> local store: one reference (tag or digest) pulled as dockerd pulls it. The
 * manifest (or the platform's entry of an index) names a config and compressed layers; the
 * layers download 3 at a time, each verified while it streams (the client checks the blob
 * digest), decompressed on the fly (gzip, zstd or none) straight into the store, which checks
 * the diff ID the config promises, while the compressed bytes are kept in the content store
 * (layer_blobs maps them) so a re-push sends the same digests. Each layer is committed on its
 * own, so a pull that dies keeps the layers it finished and a retry reports them "Already
 * exists"; the image (config, tag, repo digest) is added last, in one transaction, so a failed
 * pull shows nothing.
 */
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { decompress } from '../archive/compression.js';
import { hostPlatform, type Descriptor, type Platform } from '../core/descriptor.js';
import { digestOf, shortId, type Digest } from '../core/digest.js';
import { chainIds } from '../image/chain.js';
import { WharfError, corrupt, hasReason, isWharfError } from '../core/errors.js';
import type { Reference } from '../core/reference.js';
import type { LayerBlobs } from '../image/layer-blobs.js';
import type { ImageStore } from '../image/store.js';
import type { ImageConfig } from '../image/types.js';
import { verificationError } from '../registry/client/blobs.js';
import type { RegistryClient } from '../registry/client/client.js';
import { GZIP_LAYER_TYPES, parseManifest, selectPlatform, type ImageManifest } from './registry/manifest.js';
import { Limiter, settleAll, silentProgress, throttled, type ProgressSink } from './registry/progress.js';
import { teeInto } from './registry/tee.js';

export interface PullOptions {
  client: RegistryClient;
  store: ImageStore;
  blobs: LayerBlobs;
  /** Which entry of a manifest list / index (default: this host's). */
  platform?: Platform;
  progress?: ProgressSink;
  /** Parallel layer downloads (Docker's max-concurrent-downloads, 3). */
  concurrency?: number;
  /** Cancels the pull: downloads stop, nothing becomes visible, the lease goes. */
  signal?: AbortSignal;
  /** Unpacks each layer for containers while it is stored (the snapshotter's layer cache). */
  unpack?: LayerUnpacker;
}

/** A layer being unpacked: committed once the image is in the store, else discarded. */
export interface StagedUnpack {
  apply(tar: Readable): Promise<void>;
  commit(): void;
  discard(): void;
}
/** Staging for chain `chainId`, or undefined when it is already unpacked (or never is). */
export type LayerUnpacker = (chainId: Digest) => Promise<StagedUnpack | undefined>;

export interface PullResult {
  id: Digest;
  /** Digest of the manifest the reference resolved to (the index's, for a multi-platform image). */
  manifestDigest: Digest;
  /** The reference points at another image than before (Docker's "Downloaded newer image"). */
  updated: boolean;
}

const MAX_CONFIG_SIZE = 16 << 20;
const LAYERS_MISMATCH = "layers from manifest don't match image configuration";

async function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) {
      stream.destroy();
      throw corrupt(`image config exceeds ${limit} bytes`);
    }
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}

/** The image manifest for `ref`: fetched, and resolved through an index for the platform. */
async function resolveManifest(opts: PullOptions, repo: string, tagOrDigest: string): Promise<{ manifest: ImageManifest; digest: Digest }> {
  const top = await opts.client.getManifest(repo, tagOrDigest);
  const parsed = parseManifest(top.bytes, top.mediaType);
  if (parsed.kind === 'image') return { manifest: parsed.manifest, digest: top.digest };
  const entry = selectPlatform(parsed.index, opts.platform ?? hostPlatform());
  const child = await opts.client.getManifest(repo, entry.digest);
  const inner = parseManifest(child.bytes, child.mediaType);
  if (inner.kind !== 'image') throw corrupt(`manifest ${entry.digest} in the index is not an image manifest`);
  return { manifest: inner.manifest, digest: top.digest };
}

export async function pullImage(ref: Reference, opts: PullOptions): Promise<PullResult> {
  const { client, store } = opts;
  const progress = opts.progress ?? silentProgress;
  const repo = ref.path;
  const tagOrDigest = ref.digest ?? ref.tag ?? 'latest';
  const before = store.resolveRef(ref);
  const { manifest, digest } = await resolveManifest(opts, repo, tagOrDigest);
  progress.line(`${ref.digest ? ref.familiarString() : tagOrDigest}: Pulling from ${repo}`);

  const configBytes = await readLimited(client.getBlob(repo, manifest.config.digest, manifest.config.size), MAX_CONFIG_SIZE);
  let config: ImageConfig;
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  } catch {
    throw corrupt(`invalid image config ${manifest.config.digest}`);
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) throw corrupt(LAYERS_MISMATCH);
  const id = digestOf(configBytes);

  const lease = store.createLease();
  const unpacked: StagedUnpack[] = [];
  try {
    // dockerd skips the layers altogether when it already has the image.
    if (!store.exists(id)) await fetchLayers(opts, progress, repo, manifest.layers, diffIds, lease, unpacked);
    opts.signal?.throwIfAborted();
    manifest.layers.forEach((layer, i) => {
      opts.blobs.remember({ diffId: diffIds[i]!, digest: layer.digest, mediaType: layer.mediaType, size: layer.size });
      opts.blobs.addSource(layer.digest, client.registry, repo);
    });
    store.addImage(config, {
      configBytes,
      tags: ref.digest ? [] : [ref.withDefaultTag().toString()],
      repoDigests: [`${ref.name}@${digest}`],
    });
    // The unpacked layers go into the cache only now: a failed pull leaves none behind.
    for (const u of unpacked.splice(0)) {
      try {
        u.commit();
      } catch {
        // the first run unpacks it instead
      }
    }
  } finally {
    for (const u of unpacked) u.discard();
    store.releaseLease(lease);
  }
  progress.line(`Digest: ${digest}`);
  return { id, manifestDigest: digest, updated: before !== id };
}

async function fetchLayers(
  opts: PullOptions,
  progress: ProgressSink,
  repo: string,
  layers: Descriptor[],
  diffIds: Digest[],
  lease: string,
  unpacked: StagedUnpack[],
): Promise<void> {
  const chains = chainIds(diffIds);
  const limiter = new Limiter(opts.concurrency ?? 3);
  const abort = new AbortController();
  opts.signal?.addEventListener('abort', () => abort.abort(opts.signal!.reason), { once: true });
  if (opts.signal?.aborted) abort.abort(opts.signal.reason);
  const seen = new Set<string>();
  const jobs: Promise<void>[] = [];
  layers.forEach((layer, i) => {
    const diffId = diffIds[i]!;
    if (seen.has(diffId)) return;
    seen.add(diffId);
    const id = shortId(layer.digest);
    if (opts.store.hasLayer(diffId)) {
      progress.update(id, 'Already exists');
      return;
    }
    progress.update(id, 'Pulling fs layer');
    if (limiter.full) progress.update(id, 'Waiting');
    jobs.push(
      limiter.run(async () => {
        const staged = await downloadLayer(opts, progress, repo, layer, { diffId, chainId: chains[i]! }, lease, abort.signal);
        if (staged) unpacked.push(staged);
      }),
    );
  });
  await settleAll(jobs, () => abort.abort());
}

async function downloadLayer(
  opts: PullOptions,
  progress: ProgressSink,
  repo: string,
  layer: Descriptor,
  ids: { diffId: Digest; chainId: Digest },
  lease: string,
  signal: AbortSignal,
): Promise<StagedUnpack | undefined> {
  if (signal.aborted) throw new WharfError('UNAVAILABLE', 'context canceled');
  const { diffId } = ids;
  const id = shortId(layer.digest);
  // The compressed bytes of a gzip layer are kept too, so pushing this image elsewhere sends
  // the very same blobs and manifest. The store's writer then checks their digest, so the
  // client does not hash them a second time.
  const keep = GZIP_LAYER_TYPES.has(layer.mediaType) && layer.digest !== diffId
    ? opts.store.content.writer({ digest: layer.digest, size: layer.size })
    : undefined;
  // The verdict on the compressed bytes: Docker's verification failure when they do not match.
  const verified = keep?.done.then(
    () => undefined,
    (err: unknown) => (isWharfError(err, 'DIGEST_MISMATCH') ? verificationError(layer.digest) : (err as Error)),
  );
  const src = opts.client.getBlob(repo, layer.digest, layer.size, { signal, verify: !keep, onProgress: throttled(progress, id, 'Downloading') });
  src.once('end', () => {
    progress.update(id, 'Verifying Checksum');
    progress.update(id, 'Download complete');
    progress.update(id, 'Extracting', { current: layer.size, total: layer.size });
  });
  const input = keep ? pipeline(src, teeInto(keep.stream), () => undefined) : src;
  const staged = await opts.unpack?.(ids.chainId).catch(() => undefined);
  let unpacking: Promise<boolean> | undefined;
  let side: PassThrough | undefined;
  try {
    // gzip through node:zlib: on the thread pool, and faster than unpigz here (see README).
    let stream = keep && verified ? gunzipping(input, verified) : (await decompress(input)).stream;
    if (staged) {
      // The decompressed tar also goes to the unpacker, so the first run finds the layer
      // ready. Its failure only costs that: the first run unpacks (and reports) it again.
      const branch = new PassThrough({ highWaterMark: 1 << 20 });
      side = branch;
      unpacking = staged.apply(branch).then(
        () => true,
        () => false,
      );
      // Whatever the unpacker left unread (padding after the end of the archive) drains.
      void unpacking.then(() => branch.resume());
      stream = pipeline(stream, teeInto(branch), () => undefined);
    }
    await opts.store.ingestLayer(stream, diffId, lease);
    if (keep) {
      const bad = await verified;
      if (bad) throw bad;
      opts.store.leaseBlob(lease, (await keep.done).digest);
    }
  } catch (err) {
    side?.destroy();
    await unpacking;
    staged?.discard();
    // The whole blob went through when the diff ID is wrong: its own digest decides the message.
    const whole = hasReason(err, 'CONTENT_DIGEST');
    const bad = whole ? await verified : undefined;
    if (bad) throw bad;
    if (keep && !keep.stream.destroyed) keep.stream.destroy(err as Error);
    await keep?.done.catch(() => undefined);
    // The compressed bytes were verified; a different diff ID means the config lies.
    if (whole) throw corrupt(LAYERS_MISMATCH, { cause: err });
    throw err;
  } finally {
    src.destroy();
  }
  const ready = (await unpacking) ?? false;
  progress.update(id, 'Pull complete');
  if (ready) return staged;
  staged?.discard();
  return undefined;
}

/**
 * gunzip `input`. A decoding error is held back until `input` has ended or failed and the
 * compressed bytes have a `verified` verdict: bad bytes are then reported as the blob
 * verification failure they are (Docker's message), and only a blob that matches its digest
 * yet does not decode is "corrupt gzip stream".
 */
function gunzipping(input: Readable, verified: Promise<Error | undefined>): Readable {
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const settled = new Promise<Error | undefined>((resolve) => {
    input.once('end', () => resolve(verified));
    input.once('error', resolve);
    input.once('close', () => resolve(input.readableEnded ? verified : new WharfError('UNAVAILABLE', 'context canceled')));
  });
  input.pipe(gunzip).pipe(out);
  gunzip.once('error', (err) => {
    input.unpipe(gunzip);
    input.resume();
    void settled.then((inputErr) => out.destroy(inputErr ?? corrupt(`corrupt gzip stream: ${err.message}`, { cause: err })));
  });
  input.once('error', (err) => out.destroy(err));
  out.once('close', () => {
    if (!out.writableFinished) input.destroy();
  });
  return out;
}
