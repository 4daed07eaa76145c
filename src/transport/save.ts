/**
 * `save`: images from the local store into a docker-archive tar. We write the layout
 * Docker 25+ writes (OCI image layout `blobs/`, `index.json`, `oci-layout`) plus the
 * `manifest.json` and `repositories` that every docker load reads. Layers are stored
 * uncompressed by diff ID, so saving is a plain copy of blobs: no re-tarring of a
 * filesystem as Docker does. All mtimes are zero, so the same images save byte-identical.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TarWriter } from '../archive/tar.js';
import type { ImageStore } from '../image/store.js';
import { digestOf, hexOf, type Digest } from '../core/digest.js';
import { MediaType } from '../core/mediatypes.js';
import { parseReference, type Reference } from '../core/reference.js';
import { notFound } from '../core/errors.js';

export interface SaveItem {
  id: Digest;
  tags: Reference[];
}

/** Which images and tags `save ARGS` means, as Docker decides it. */
export function resolveSaveItems(store: ImageStore, args: string[]): SaveItem[] {
  const byId = new Map<Digest, SaveItem>();
  const add = (id: Digest, tag?: Reference) => {
    const item = byId.get(id) ?? { id, tags: [] };
    if (tag && !item.tags.some((t) => t.toString() === tag.toString())) item.tags.push(tag);
    byId.set(id, item);
  };
  for (const arg of args) {
    let ref: Reference | undefined;
    try {
      ref = parseReference(arg);
    } catch {
      ref = undefined;
    }
    if (ref && !ref.tag && !ref.digest && !arg.startsWith('sha256:')) {
      // A bare repository name saves every tag of that repository.
      const tagged = store.list().flatMap((img) => img.tags.filter((t) => t.name === ref!.name).map((t) => [img.id, t] as const));
      if (tagged.length) {
        for (const [id, t] of tagged) add(id, t);
        continue;
      }
    }
    const id = store.resolveId(arg);
    if (!id) throw notFound(`No such image: ${arg}`);
    const viaName = ref !== undefined && store.resolveRef(ref) === id;
    add(id, viaName && !ref!.digest ? ref!.withDefaultTag() : undefined);
  }
  return [...byId.values()];
}

const dirEntry = (name: string) => ({ name, type: 'dir' as const, mode: 0o755, mtime: 0 });
const fileEntry = (name: string, size: number) => ({ name, type: 'file' as const, mode: 0o644, mtime: 0, size });

export async function saveImages(store: ImageStore, items: SaveItem[], out: Writable): Promise<void> {
  const tar = new TarWriter();
  const done = pipeline(tar.stream, out);
  try {
    await tar.add(dirEntry('blobs/'));
    await tar.add(dirEntry('blobs/sha256/'));
    const written = new Set<string>();
    const manifestJson: unknown[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    const indexManifests: unknown[] = [];
    for (const item of items) {
      const layers = store.layerChain(item.id);
      for (const layer of layers) {
        if (written.has(layer.diffId)) continue;
        written.add(layer.diffId);
        const size = store.content.info(layer.diffId).size;
        await tar.add(fileEntry(`blobs/sha256/${hexOf(layer.diffId)}`, size), store.content.open(layer.diffId));
      }
      const configBytes = store.content.read(item.id);
      if (!written.has(item.id)) {
        written.add(item.id);
        await tar.add(fileEntry(`blobs/sha256/${hexOf(item.id)}`, configBytes.length), configBytes);
      }
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.ociManifest,
          config: { mediaType: MediaType.ociConfig, digest: item.id, size: configBytes.length },
          layers: layers.map((l) => ({ mediaType: MediaType.ociLayer, digest: l.diffId, size: store.content.info(l.diffId).size })),
        }),
      );
      const manifestDigest = digestOf(manifest);
      if (!written.has(manifestDigest)) {
        written.add(manifestDigest);
        await tar.add(fileEntry(`blobs/sha256/${hexOf(manifestDigest)}`, manifest.length), manifest);
      }
      const desc = { mediaType: MediaType.ociManifest, digest: manifestDigest, size: manifest.length };
      if (item.tags.length === 0) indexManifests.push(desc);
      for (const t of item.tags) {
        indexManifests.push({ ...desc, annotations: { 'io.containerd.image.name': t.toString(), 'org.opencontainers.image.ref.name': t.tag } });
        (repositories[t.familiarName] ??= {})[t.tag!] = hexOf(item.id);
      }
      manifestJson.push({
        Config: `blobs/sha256/${hexOf(item.id)}`,
        RepoTags: item.tags.length ? item.tags.map((t) => t.familiarString()) : null,
        Layers: layers.map((l) => `blobs/sha256/${hexOf(l.diffId)}`),
      });
    }
    const meta: [string, unknown][] = [
      ['index.json', { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: indexManifests }],
      ['manifest.json', manifestJson],
      ['oci-layout', { imageLayoutVersion: '1.0.0' }],
    ];
    if (Object.keys(repositories).length) meta.push(['repositories', repositories]);
    for (const [name, value] of meta) {
      const bytes = Buffer.from(JSON.stringify(value) + (name === 'oci-layout' ? '' : '\n'));
      await tar.add(fileEntry(name, bytes.length), bytes);
    }
    await tar.finish();
  } catch (err) {
    tar.abort(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  await done;
}
