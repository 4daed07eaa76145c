/**
 * Wiring for image operations that need more than the image store: which containers
 * use an image (read from the container records), the deleter built on it, prune and tag.
 */
import type { Engine } from '../engine.js';
import { ImageDeleter, type UsageLookup } from './delete.js';
import { containerUsers } from '../container-usage.js';
import { removeLayerDir } from '../../snapshot/layers.js';
import { WharfError } from '../../core/errors.js';
import type { Filters } from '../../core/filters.js';
import { parseReference, type Reference } from '../../core/reference.js';
import { pruneImages } from './prune.js';

export function containerUsage(engine: Engine): UsageLookup {
  return (imageId) => containerUsers(engine, imageId);
}

export function imageDeleter(engine: Engine): ImageDeleter {
  return new ImageDeleter(engine.images, containerUsage(engine), (chainId) => removeLayerDir(engine.root, chainId));
}

/** `image prune` with the engine first: unused images (dangling ones unless `all`) and the bytes freed. */
export function pruneUnusedImages(engine: Engine, o: { all?: boolean; filters: Filters }): ReturnType<typeof pruneImages> {
  return pruneImages(engine.images, imageDeleter(engine), containerUsage(engine), o);
}

/**
 * `tag SOURCE TARGET`: TARGET (a repository and tag, no digest) points at SOURCE's image. The
 * CLI checks TARGET's syntax first, for docker's client-side wording.
 */
export function tagImage(engine: Engine, source: string, target: string): void {
  let ref: Reference;
  try {
    ref = parseReference(target);
  } catch (err) {
    throw new WharfError('INVALID_REFERENCE', `Error parsing reference: "${target}" is not a valid repository/tag: ${(err as Error).message}`, { cause: err });
  }
  if (ref.digest) throw new WharfError('INVALID_ARGUMENT', 'refusing to create a tag with a digest reference');
  const id = engine.images.resolveId(source);
  if (!id) throw new WharfError('NOT_FOUND', `No such image: ${source.includes(':') || /^[a-f0-9]{1,64}$/.test(source) ? source : `${source}:latest`}`, { reason: 'NO_SUCH_IMAGE' });
  engine.images.tag(id, ref);
}
