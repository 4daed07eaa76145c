/**
 * `system check`: is the store consistent? Every image's config and layers present and
 * matching their digests, every reference pointing at an image. Unreferenced blobs and
 * temp files left by a killed process are reported but are not errors: nothing can see
 * them, and `system check --prune` removes them. Unpacked layers must match their record
 * (entries and bytes counted when the unpack completed): a tree a killed `rmi` cut short is
 * an error, and `--prune` drops it so it is unpacked again.
 */
import type { Engine } from './engine.js';
import { digestFile, type Digest } from '../core/digest.js';
import type { ImageConfig } from '../image/types.js';
import { checkLayerDirs } from '../snapshot/layers.js';

export interface CheckReport {
  images: number;
  layers: number;
  errors: string[];
  unreferencedBlobs: string[];
  staleIngest: number;
}

export async function checkStore(engine: Engine, opts: { prune?: boolean; verifyContent?: boolean } = {}): Promise<CheckReport> {
  const errors: string[] = [];
  const store = engine.images;
  const images = store.list();
  const verified = new Map<string, boolean>();
  const verify = async (digest: Digest) => {
    if (!verified.has(digest)) {
      let ok = store.content.has(digest);
      if (ok && opts.verifyContent !== false) ok = (await digestFile(store.content.path(digest))).digest === digest;
      verified.set(digest, ok);
    }
    return verified.get(digest)!;
  };
  for (const img of images) {
    if (!(await verify(img.id))) {
      errors.push(`image ${img.id}: config blob missing or corrupt`);
      continue;
    }
    const config = JSON.parse(store.content.read(img.id).toString('utf8')) as ImageConfig;
    const chain = store.layerChain(img.id);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (chain.length !== diffIds.length || chain.some((l, i) => l.diffId !== diffIds[i])) {
      errors.push(`image ${img.id}: recorded layers do not match its config`);
    }
    for (const l of chain) if (!(await verify(l.diffId))) errors.push(`image ${img.id}: layer ${l.diffId} missing or corrupt`);
  }
  const layerDirs = checkLayerDirs(engine.root, !!opts.prune);
  errors.push(...layerDirs.errors);
  const all = await store.content.list();
  const unreferencedBlobs = store.unreferencedBlobs(all);
  const staleIngest = opts.prune ? await store.content.cleanIngest(0) : 0;
  if (opts.prune) for (const d of unreferencedBlobs) await store.content.delete(d as Digest);
  return { images: images.length, layers: verified.size - images.length, errors, unreferencedBlobs, staleIngest };
}
