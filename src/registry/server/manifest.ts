/**
 * Manifest parsing for PUT: decide which of the four formats (Docker schema2, Docker manifest
 * list, OCI manifest, OCI index) a body is, and list what it references so the registry can
 * refuse manifests that point at missing blobs, and record `subject` links for referrers.
 */
import { isDigest, type Digest } from '../../core/digest.js';
import { MediaType } from '../../core/mediatypes.js';
import { regError } from './errors.js';
import type { ReferrerDescriptor } from './meta/store.js';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const KNOWN_TYPES = new Set<string>([
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
]);

interface RawDescriptor {
  mediaType?: unknown;
  digest?: unknown;
  size?: unknown;
  urls?: unknown;
  artifactType?: unknown;
  annotations?: unknown;
}

export interface ParsedManifest {
  mediaType: string;
  kind: 'image' | 'index';
  /** Blobs (config + layers) an image manifest needs in the repository. */
  blobs: Digest[];
  /** Child manifests an index needs in the repository. */
  manifests: Digest[];
  subject?: Digest;
  artifactType?: string;
  annotations?: Record<string, string>;
  config?: { mediaType: string; digest: Digest; size: number };
  layers: { mediaType: string; digest: Digest; size: number }[];
}

function descriptor(raw: unknown, where: string): { mediaType: string; digest: Digest; size: number; foreign: boolean } {
  const d = raw as RawDescriptor;
  if (!d || typeof d !== 'object' || typeof d.digest !== 'string' || !isDigest(d.digest) || typeof d.size !== 'number' || d.size < 0) {
    throw regError('MANIFEST_INVALID', { reason: `invalid descriptor in ${where}` });
  }
  if (typeof d.mediaType !== 'string') throw regError('MANIFEST_INVALID', { reason: `descriptor without mediaType in ${where}` });
  const foreign = Array.isArray(d.urls) && d.urls.length > 0;
  return { mediaType: d.mediaType, digest: d.digest, size: d.size, foreign };
}

/** Parse and check a manifest body; `contentType` is the request's Content-Type header. */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw regError('MANIFEST_INVALID', { reason: 'manifest is not valid JSON' });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw regError('MANIFEST_INVALID', { reason: 'manifest is not an object' });
  if (doc.schemaVersion !== 2) throw regError('MANIFEST_INVALID', { reason: 'schemaVersion must be 2' });
  const declared = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const header = contentType?.split(';')[0]?.trim();
  const headerKnown = header && KNOWN_TYPES.has(header) ? header : undefined;
  if (declared && headerKnown && declared !== headerKnown) {
    throw regError('MANIFEST_INVALID', { reason: `mediaType ${declared} does not match Content-Type ${headerKnown}` });
  }
  let mediaType = declared ?? headerKnown;
  if (!mediaType) {
    // OCI allows omitting mediaType; infer from shape.
    if (Array.isArray(doc.manifests)) mediaType = MediaType.ociIndex;
    else if (doc.config) mediaType = MediaType.ociManifest;
  }
  if (!mediaType || !KNOWN_TYPES.has(mediaType)) throw regError('MANIFEST_INVALID', { reason: `unsupported manifest media type ${mediaType ?? ''}` });

  const parsed: ParsedManifest = { mediaType, kind: 'image', blobs: [], manifests: [], layers: [] };
  if (typeof doc.artifactType === 'string') parsed.artifactType = doc.artifactType;
  if (doc.annotations && typeof doc.annotations === 'object') parsed.annotations = doc.annotations as Record<string, string>;
  if (doc.subject !== undefined) parsed.subject = descriptor(doc.subject, 'subject').digest;

  if (mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList) {
    parsed.kind = 'index';
    if (!Array.isArray(doc.manifests)) throw regError('MANIFEST_INVALID', { reason: 'index without manifests' });
    parsed.manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`).digest);
    return parsed;
  }
  const config = descriptor(doc.config, 'config');
  parsed.config = { mediaType: config.mediaType, digest: config.digest, size: config.size };
  parsed.blobs.push(config.digest);
  if (!Array.isArray(doc.layers)) throw regError('MANIFEST_INVALID', { reason: 'manifest without layers' });
  doc.layers.forEach((l, i) => {
    const d = descriptor(l, `layers[${i}]`);
    parsed.layers.push({ mediaType: d.mediaType, digest: d.digest, size: d.size });
    if (!d.foreign) parsed.blobs.push(d.digest); // foreign layers live elsewhere
  });
  return parsed;
}

/** How a manifest appears in a referrers list (artifactType falls back to config.mediaType). */
export function referrerDescriptor(parsed: ParsedManifest, digest: Digest, size: number): ReferrerDescriptor {
  const desc: ReferrerDescriptor = { mediaType: parsed.mediaType, digest, size };
  const artifactType = parsed.artifactType ?? (parsed.kind === 'image' ? parsed.config?.mediaType : undefined);
  if (artifactType) desc.artifactType = artifactType;
  if (parsed.annotations) desc.annotations = parsed.annotations;
  return desc;
}
