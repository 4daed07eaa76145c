/**
 * `import`: a (possibly compressed) tarball becomes a one-layer image, with Docker's
 * config shape and its "Imported from ..." history comment.
 */
import { createReadStream } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { Readable } from 'node:stream';
import { decompress } from '../../archive/compression.js';
import { applyChange } from '../../image/changes.js';
import type { ImageStore } from '../../image/store.js';
import type { ContainerConfig, ImageConfig, ImageRecord } from '../../image/types.js';
import { hostPlatform } from '../../core/descriptor.js';
import { WharfError } from '../../core/errors.js';
import { nowRfc3339Nano } from '../../core/units.js';
import { parseReference } from '../../core/reference.js';
import { fullContainerConfig } from './inspect.js';
import { WHARF_VERSION } from '../version.js';

export interface ImportOptions {
  /** FILE, URL or `-` (stdin). */
  source: string;
  repository?: string;
  changes?: string[];
  message?: string;
  platform?: string;
}

export async function openSource(source: string, stdin: Readable): Promise<Readable> {
  if (source === '-') return stdin;
  if (/^https?:\/\//.test(source)) {
    return new Promise((resolve, reject) => {
      const get = source.startsWith('https:') ? httpsGet : httpGet;
      get(source, (res) => {
        if ((res.statusCode ?? 500) >= 400) {
          res.resume();
          reject(new WharfError('NOT_FOUND', `Get "${source}": status code ${res.statusCode}`));
        } else resolve(res);
      }).on('error', (err) => reject(new WharfError('UNAVAILABLE', `Get "${source}": ${err.message}`)));
    });
  }
  const stream = createReadStream(source);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (err: NodeJS.ErrnoException) => reject(new WharfError('NOT_FOUND', `open ${source}: no such file or directory`, { cause: err })));
  });
  return stream;
}

export async function importImage(store: ImageStore, input: Readable, opts: ImportOptions): Promise<ImageRecord> {
  // Check everything the user typed before reading a byte.
  const tag = opts.repository ? parseReference(opts.repository).withDefaultTag().toString() : undefined;
  const config: ContainerConfig = {};
  for (const change of opts.changes ?? []) applyChange(config, change);
  const platform = hostPlatform();
  if (opts.platform) {
    const [os, arch] = opts.platform.split('/');
    if (os) platform.os = os;
    if (arch) platform.architecture = arch;
  }
  // The lease rides on the async context: every layer ingested inside is leased to it.
  return store.withLease(async (lease) => {
    const { stream } = await decompress(input);
    const layer = await store.ingestLayer(stream, undefined, lease);
    const created = nowRfc3339Nano();
    const comment = opts.message || `Imported from ${/^https?:\/\//.test(opts.source) ? opts.source : '-'}`;
    const image: ImageConfig = {
      architecture: platform.architecture,
      comment,
      config: fullContainerConfig(config) as ContainerConfig,
      container_config: fullContainerConfig(undefined) as ContainerConfig,
      created,
      docker_version: WHARF_VERSION,
      history: [{ created, comment }],
      os: platform.os,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
    };
    return store.addImage(image, { tags: tag ? [tag] : [] });
  });
}
