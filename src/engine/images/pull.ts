/**
 * `pull` at the engine level: reference defaults (`Using default tag: latest`), `--all-tags`,
 * `--platform`, and dockerd's closing lines ("Status: Downloaded newer image for ..." or
 * "Status: Image is up to date for ..."). Returns the reference line the CLI prints last.
 */
import type { Engine } from '../engine.js';
import { parsePlatform, type Platform } from '../../core/descriptor.js';
import { WharfError } from '../../core/errors.js';
import { parseReference, type Reference } from '../../core/reference.js';
import { LayerBlobs } from '../../image/layer-blobs.js';
import { RegistryClient } from '../../registry/client/client.js';
import type { AuthConfig } from '../../registry/client/credentials.js';
import { pullImage } from '../../transport/registry-pull.js';
import { layerStager } from '../../snapshot/snapshotter.js';
import { silentProgress, type ProgressSink } from '../../transport/registry/progress.js';

export { silentProgress, type ProgressSink } from '../../transport/registry/progress.js';

export interface PullRequest {
  allTags?: boolean;
  platform?: string;
  progress?: ProgressSink;
  /** How to reach a registry (tests inject retry policies and configs). */
  clientFor?: (registry: string) => RegistryClient;
  /** Credentials for this pull (an API request's X-Registry-Auth); default: the credential store's. */
  credentials?: AuthConfig;
  signal?: AbortSignal;
}

function parseUserReference(name: string): Reference {
  try {
    return parseReference(name);
  } catch (err) {
    throw new WharfError('INVALID_REFERENCE', (err as Error).message);
  }
}

function platformOf(spec?: string): Platform | undefined {
  if (!spec) return undefined;
  try {
    return parsePlatform(spec);
  } catch {
    throw new WharfError('INVALID_ARGUMENT', `"${spec}": unknown operating system or architecture: invalid argument`);
  }
}

/** Layers unpacked while they download, for the driver new containers get (none if it is unusable). */
function unpackerFor(engine: Engine) {
  try {
    return layerStager(engine.root, engine.storageDriver);
  } catch {
    return undefined;
  }
}

/** Pull `name` (or every tag of it); returns the fully-qualified reference docker prints last. */
export async function pullImages(engine: Engine, name: string, req: PullRequest = {}): Promise<string> {
  const progress = req.progress ?? silentProgress;
  let ref = parseUserReference(name);
  if (req.allTags && (ref.tag || ref.digest)) throw new WharfError('INVALID_ARGUMENT', "tag can't be used with --all-tags/-a");
  if (!req.allTags && !ref.tag && !ref.digest) {
    progress.line('Using default tag: latest');
    ref = ref.withDefaultTag();
  }
  const platform = platformOf(req.platform);
  const client = req.clientFor?.(ref.domain) ?? new RegistryClient(ref.domain, { credentials: req.credentials });
  const opts = { client, store: engine.images, blobs: new LayerBlobs(engine.db), platform, progress, signal: req.signal, unpack: unpackerFor(engine) };
  try {
    const refs = req.allTags ? (await client.listTags(ref.path)).map((t) => ref.withTag(t)) : [ref];
    let updated = false;
    for (const r of refs) updated = (await pullImage(r, opts)).updated || updated;
    const shown = req.allTags ? ref.repository() : ref;
    progress.line(`Status: ${updated ? 'Downloaded newer image' : 'Image is up to date'} for ${shown.familiarString()}`);
    return shown.toString();
  } finally {
    client.close();
  }
}
