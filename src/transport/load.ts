/**
 * `load`: docker-archive (Docker's legacy `<id>/layer.tar` layout and the 25+ OCI layout)
 * and OCI image-layout tars, plain or compressed, from a file or a pipe, in one pass:
 * every file streams straight into the content store while its digest (and, for
 * uncompressed layers, its size) is computed, so nothing is read twice. Images become
 * visible only once all their blobs are verified; a failure deletes the blobs this load
 * wrote that nothing references.
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { decompress } from '../archive/compression.js';
import { readTar } from '../archive/tar.js';
import type { ImageStore } from '../image/store.js';
import type { ImageConfig } from '../image/types.js';
import { scanLayerSize } from '../image/layer-size.js';
import { corrupt } from '../core/errors.js';
import { hostPlatform } from '../core/descriptor.js';
import { isIndexMediaType } from '../core/mediatypes.js';
import { parseReference, type Reference } from '../core/reference.js';
import type { Digest } from '../core/digest.js';

interface StoredFile {
  digest: Digest;
  size: number;
  /** Set when the bytes parsed as a tar: the layer size Docker would report. */
  layerSize?: number;
  /** Kept in memory for JSON files we may need to parse. */
  bytes?: Buffer;
}

export interface LoadedImage {
  id: Digest;
  tags: Reference[];
  /** Tags that moved away from another image (Docker prints a note for each). */
  renamed: { tag: Reference; oldId: Digest }[];
}

interface Candidate {
  configPath: string;
  layerPaths: string[];
  tags: Reference[];
}

const SMALL = 4 << 20;

export async function loadArchive(store: ImageStore, input: Readable): Promise<LoadedImage[]> {
  const lease = store.createLease();
  const written: Digest[] = [];
  try {
    const files = await ingestEntries(store, input, lease, written);
    const candidates = files.has('manifest.json') ? fromDockerManifest(files) : fromOciIndex(files, store);
    if (candidates.length === 0) throw corrupt('invalid archive: no manifest.json or index.json with images');
    const results: LoadedImage[] = [];
    for (const c of candidates) results.push(await commitImage(store, files, c, lease, written));
    // The archive's own metadata (manifest.json, index.json, OCI manifests...) was stored
    // on the way in like every file; what no image references now goes.
    store.releaseLease(lease);
    for (const d of store.unreferencedBlobs(written)) await store.content.delete(d as Digest);
    return results;
  } catch (err) {
    store.releaseLease(lease);
    for (const d of store.unreferencedBlobs(written)) await store.content.delete(d as Digest);
    throw err;
  } finally {
    store.releaseLease(lease);
  }
}

async function ingestEntries(store: ImageStore, input: Readable, lease: string, written: Digest[]): Promise<Map<string, StoredFile>> {
  const files = new Map<string, StoredFile>();
  const links = new Map<string, string>();
  const { stream } = await decompress(input);
  for await (const { header, body } of readTar(stream)) {
    const name = posix.normalize(header.name).replace(/^(\.\/)+/, '').replace(/\/$/, '');
    if (header.type === 'symlink' || header.type === 'hardlink') {
      const target = header.type === 'symlink' ? posix.join(posix.dirname(name), header.linkname) : posix.normalize(header.linkname);
      links.set(name, target);
      continue;
    }
    if (header.type !== 'file') continue;
    const keep = header.size <= SMALL && (name.endsWith('.json') || !name.includes('/') || name.endsWith('/json'));
    const chunks: Buffer[] = [];
    const scanner = scanLayerSize();
    const blob = await store.content.ingest(body, { size: header.size }, (chunk) => {
      if (keep) chunks.push(chunk);
      scanner.push(chunk);
    });
    store.leaseBlob(lease, blob.digest);
    written.push(blob.digest);
    const layerSize = await scanner.finish().catch(() => undefined);
    files.set(name, { ...blob, layerSize, bytes: keep ? Buffer.concat(chunks) : undefined });
  }
  for (const [alias, target] of links) {
    const f = files.get(target);
    if (f) files.set(alias, f);
  }
  return files;
}

function jsonOf(files: Map<string, StoredFile>, path: string, store?: ImageStore): unknown {
  const f = files.get(path);
  if (!f) throw corrupt(`invalid archive: missing ${path}`);
  // OCI blobs are not kept in memory while streaming: read small ones back from the store.
  const bytes = f.bytes ?? (store && f.size <= SMALL ? store.content.read(f.digest) : undefined);
  if (!bytes) throw corrupt(`invalid archive: ${path} is too large`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw corrupt(`invalid archive: ${path} is not valid JSON`);
  }
}

function fromDockerManifest(files: Map<string, StoredFile>): Candidate[] {
  const manifest = jsonOf(files, 'manifest.json') as { Config: string; RepoTags?: string[] | null; Layers: string[] }[];
  if (!Array.isArray(manifest)) throw corrupt('invalid archive: manifest.json is not a list');
  return manifest.map((m) => ({
    configPath: posix.normalize(m.Config),
    layerPaths: (m.Layers ?? []).map((l) => posix.normalize(l)),
    tags: (m.RepoTags ?? []).map((t) => parseReference(t).withDefaultTag()),
  }));
}

interface OciDescriptor {
  mediaType?: string;
  digest: string;
  annotations?: Record<string, string>;
  platform?: { os: string; architecture: string };
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

function fromOciIndex(files: Map<string, StoredFile>, store: ImageStore): Candidate[] {
  const index = jsonOf(files, 'index.json') as { manifests?: OciDescriptor[] };
  const out: Candidate[] = [];
  const host = hostPlatform();
  const visit = (desc: OciDescriptor, tags: Reference[]) => {
    const doc = jsonOf(files, blobPath(desc.digest), store) as { mediaType?: string; manifests?: OciDescriptor[]; config?: { digest: string }; layers?: { digest: string }[] };
    if (isIndexMediaType(desc.mediaType ?? doc.mediaType) || doc.manifests) {
      const pick = doc.manifests?.find((m) => !m.platform || (m.platform.os === host.os && m.platform.architecture === host.architecture));
      if (pick) visit(pick, tags);
      return;
    }
    if (!doc.config) throw corrupt(`invalid archive: ${desc.digest} is not an image manifest`);
    out.push({ configPath: blobPath(doc.config.digest), layerPaths: (doc.layers ?? []).map((l) => blobPath(l.digest)), tags });
  };
  for (const desc of index.manifests ?? []) {
    const name = desc.annotations?.['io.containerd.image.name'] ?? desc.annotations?.['org.opencontainers.image.ref.name'];
    let tags: Reference[] = [];
    try {
      if (name && (name.includes('/') || name.includes(':'))) tags = [parseReference(name).withDefaultTag()];
    } catch {
      tags = [];
    }
    visit(desc, tags);
  }
  return out;
}

async function commitImage(store: ImageStore, files: Map<string, StoredFile>, c: Candidate, lease: string, written: Digest[]): Promise<LoadedImage> {
  const configFile = files.get(c.configPath);
  if (!configFile) throw corrupt(`invalid archive: missing config ${c.configPath}`);
  const config = jsonOf(files, c.configPath, store) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== c.layerPaths.length) {
    throw corrupt(`invalid archive: config lists ${diffIds.length} layers, manifest ${c.layerPaths.length}`);
  }
  for (let i = 0; i < diffIds.length; i++) {
    const f = files.get(c.layerPaths[i]!);
    if (!f) throw corrupt(`invalid archive: missing layer ${c.layerPaths[i]}`);
    if (f.digest === diffIds[i] && f.layerSize !== undefined) {
      store.recordLayer(f.digest, f.layerSize);
    } else {
      // A compressed layer (OCI layouts): its diff ID is the digest of the decompressed tar.
      // Verified even when the store has that layer already: a wrong archive must fail.
      const { kind, stream } = await decompress(store.content.open(f.digest));
      if (kind === 'none') {
        stream.destroy();
        throw corrupt(`invalid archive: layer ${c.layerPaths[i]} has digest ${f.digest}, config says ${diffIds[i]}`);
      }
      const layer = await store.ingestLayer(stream, diffIds[i], lease).catch((err: Error) => {
        throw corrupt(`invalid archive: layer ${c.layerPaths[i]}: ${err.message}`);
      });
      written.push(layer.diffId);
    }
  }
  const configBytes = store.content.read(configFile.digest);
  const renamed: LoadedImage['renamed'] = [];
  for (const tag of c.tags) {
    const old = store.resolveRef(tag);
    if (old && old !== configFile.digest) renamed.push({ tag, oldId: old });
  }
  const rec = store.addImage(config, { configBytes, tags: c.tags.map((t) => t.toString()) });
  return { id: rec.id, tags: c.tags, renamed };
}
