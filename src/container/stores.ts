/**
 * The two stores container code works on, as one value: the engine passes itself (it holds
 * both), and the per-container monitor, which runs without an engine, opens them once.
 */
import { ContainerStore } from './store.js';
import { VolumeStore } from './volumes.js';

export interface ContainerStores {
  readonly containers: ContainerStore;
  readonly volumes: VolumeStore;
}

export function openContainerStores(root: string): ContainerStores {
  const containers = new ContainerStore(root);
  return { containers, volumes: new VolumeStore(root, containers) };
}
