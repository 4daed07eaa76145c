/**
 * Wiring for image operations that need more than the image store: which containers
 * use an image (read from the container records), and the deleter built on it.
 */
import type { Engine } from '../engine.js';
import { ImageDeleter, type UsageLookup } from './delete.js';
import { containerUsers } from '../container-usage.js';
import { removeLayerDir } from '../../snapshot/layers.js';

export function containerUsage(engine: Engine): UsageLookup {
  return (imageId) => containerUsers(engine, imageId);
}

export function imageDeleter(engine: Engine): ImageDeleter {
  return new ImageDeleter(engine.images, containerUsage(engine), (chainId) => removeLayerDir(engine.root, chainId));
}
