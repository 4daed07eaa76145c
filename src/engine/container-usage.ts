/**
 * What the image side needs to know of containers: which use an image (and whether they
 * run), and a container's inspect JSON for the generic `inspect`.
 */
import type { ContainerUser } from './images/delete.js';
import type { Engine } from './engine.js';
import { inspectContainer } from './containers/inspect.js';

export function containerUsers(engine: Engine, imageId: string): ContainerUser[] {
  const store = engine.containers;
  return store
    .list()
    .filter((r) => r.Image === imageId)
    .map((r) => ({ id: r.Id, running: store.state(r.Id).Running }));
}

export function inspectContainerByName(engine: Engine, name: string, o: { size?: boolean } = {}): unknown {
  return inspectContainer(engine, name, o);
}
