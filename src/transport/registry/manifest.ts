/**
 * Manifest handling for registry transfers: parsing image manifests and indexes, picking the
 * entry of a manifest list / OCI index for a platform (Docker's error when none matches), and
 * writing the Docker schema2 manifest a push sends (3-space indentation, as dockerd writes it,
 * so the same image pushed by either gets the same manifest bytes).
 */
import { WharfError } from '../../core/errors.js';
import type { Descriptor, Platform } from '../../core/descriptor.js';
import { MediaType, isIndexMediaType, isManifestMediaType } from '../../core/mediatypes.js';

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ImageIndex {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}

export type ParsedManifest = { kind: 'index'; index: ImageIndex } | { kind: 'image'; manifest: ImageManifest };

export function parseManifest(bytes: Buffer, mediaType: string): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new WharfError('CORRUPT', 'invalid manifest: not JSON');
  }
  const mt = (doc.mediaType as string | undefined) ?? mediaType;
  if (doc.schemaVersion === 1) {
    throw new WharfError('UNSUPPORTED', 'Docker Image Format v1 and Docker Image manifest version 2, schema 1 support is disabled by default');
  }
  if (isIndexMediaType(mt) || (Array.isArray(doc.manifests) && !doc.layers)) {
    return { kind: 'index', index: doc as unknown as ImageIndex };
  }
  if (isManifestMediaType(mt) || (doc.config && Array.isArray(doc.layers))) {
    const m = doc as unknown as ImageManifest;
    if (!m.config?.digest || !Array.isArray(m.layers)) throw new WharfError('CORRUPT', 'invalid manifest: no config or layers');
    return { kind: 'image', manifest: m };
  }
  throw new WharfError('UNSUPPORTED', `unsupported manifest media type and no default available: ${mt || 'unknown'}`);
}

/** `os/arch[/variant]`, as Docker names a platform in messages. */
export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

const normVariant = (p: Platform) => (p.architecture === 'arm64' && (!p.variant || p.variant === 'v8') ? '' : p.variant ?? '');

function matches(want: Platform, have: Platform | undefined): boolean {
  if (!have || have.os !== want.os || have.architecture !== want.architecture) return false;
  return !want.variant || normVariant(want) === normVariant(have);
}

/** The index entry for `want` (first match, as containerd's matcher), or docker's error. */
export function selectPlatform(index: ImageIndex, want: Platform): Descriptor {
  const found = (index.manifests ?? []).find((d) => isManifestMediaType(d.mediaType) && matches(want, d.platform));
  if (!found) throw new WharfError('NOT_FOUND', `no matching manifest for ${platformString(want)} in the manifest list entries`);
  return found;
}

/** Docker schema2 manifest bytes for a config and gzip layers, formatted as dockerd does. */
export function schema2Manifest(config: { digest: string; size: number }, layers: { digest: string; size: number }[]): Buffer {
  const doc = {
    schemaVersion: 2,
    mediaType: MediaType.dockerManifest,
    config: { mediaType: MediaType.dockerConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: MediaType.dockerLayerGzip, size: l.size, digest: l.digest })),
  };
  return Buffer.from(JSON.stringify(doc, null, 3));
}

/** Layer media types a Docker schema2 manifest may carry as gzip layers. */
export const GZIP_LAYER_TYPES = new Set<string>([MediaType.dockerLayerGzip, MediaType.ociLayerGzip]);
