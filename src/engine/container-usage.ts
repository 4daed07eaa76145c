/**
 * What the image side needs to know of containers (which use an image; a container's
 * inspect JSON for the generic `inspect`), behind plain functions so image code does
 * not depend on the container runtime.
 */
import type { ContainerUser } from './images/delete.js';
import type { Engine } from './engine.js';

export function containerUsers(_root: string, _imageId: string): ContainerUser[] {
  return [];
}

export function inspectContainerByName(_engine: Engine, _name: string): unknown {
  return undefined;
}
