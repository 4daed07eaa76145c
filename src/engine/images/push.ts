/**
 * `push` at the engine level: reference defaults, `--all-tags` (every local tag of the
 * repository, in order), dockerd's "The push refers to repository [...]" header and its
 * error when nothing local carries the tag. Returns the last reference pushed.
 */
import type { Engine } from '../engine.js';
import type { Digest } from '../../core/digest.js';
import { WharfError } from '../../core/errors.js';
import { parseReference, type Reference } from '../../core/reference.js';
import { LayerBlobs } from '../../image/layer-blobs.js';
import { RegistryClient } from '../../registry/client/client.js';
import type { AuthConfig } from '../../registry/client/credentials.js';
import { pushImage } from '../../transport/registry-push.js';
import { silentProgress, type ProgressSink } from '../../transport/registry/progress.js';

export interface PushRequest {
  allTags?: boolean;
  progress?: ProgressSink;
  clientFor?: (registry: string) => RegistryClient;
  /** gzip level (1-9) for layers compressed now; default the engine's (1). */
  gzipLevel?: number;
  /** Credentials for this push (an API request's X-Registry-Auth); default: the credential store's. */
  credentials?: AuthConfig;
  signal?: AbortSignal;
}


/** The message dockerd gives when the reference names no local image. */
export const noLocalImage = (ref: Reference) => new WharfError('NOT_FOUND', `An image does not exist locally with the tag: ${ref.familiarName}`, { reason: 'IMAGE_NOT_LOCAL' });

export async function pushImages(engine: Engine, name: string, req: PushRequest = {}): Promise<string> {
  const progress = req.progress ?? silentProgress;
  let ref: Reference;
  try {
    ref = parseReference(name);
  } catch (err) {
    throw new WharfError('INVALID_REFERENCE', (err as Error).message);
  }
  if (ref.digest) throw new WharfError('INVALID_ARGUMENT', 'cannot push a digest reference');
  if (req.allTags && ref.tag) throw new WharfError('INVALID_ARGUMENT', "tag can't be used with --all-tags/-a");
  if (!req.allTags && !ref.tag) {
    progress.line('Using default tag: latest');
    ref = ref.withDefaultTag();
  }
  progress.line(`The push refers to repository [${ref.name}]`);
  const store = engine.images;
  const targets: [Reference, Digest][] = req.allTags
    ? store
        .list()
        .flatMap((img) => img.tags.filter((t) => t.name === ref.name).map((t) => [t, img.id] as [Reference, Digest]))
        .sort((a, b) => (a[0].tag! < b[0].tag! ? -1 : 1))
    : [];
  if (!req.allTags) {
    const id = store.resolveRef(ref);
    if (id) targets.push([ref, id]);
  }
  if (!targets.length) throw noLocalImage(ref);
  const client = req.clientFor?.(ref.domain) ?? new RegistryClient(ref.domain, { push: true, credentials: req.credentials });
  const opts = { client, store, blobs: new LayerBlobs(engine.db), progress, gzipLevel: req.gzipLevel ?? engine.pushGzipLevel, signal: req.signal };
  try {
    // dockerd reaches the registry before it lists any layer: an unreachable one fails first.
    await client.ping();
    for (const [r, id] of targets) await pushImage(r, id, opts);
  } catch (err) {
    // dockerd's push says only this, without the request that needed credentials.
    if (err instanceof WharfError && /^[A-Z][a-z]+ "[^"]*": no basic auth credentials$/.test(err.message)) throw new WharfError('UNAUTHORIZED', 'no basic auth credentials');
    throw err;
  } finally {
    client.close();
  }
  return targets[targets.length - 1]![0].toString();
}
