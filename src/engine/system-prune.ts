/**
 * `system prune`: dockerd's order (stopped containers, then unused volumes when asked, then images,
 * dangling or all unused), each step's own rules, and the space the images gave back. Networks and
 * build cache have nothing to prune in wharf (no user networks, no build cache yet).
 */
import type { Engine } from './engine.js';
import { ContainerStore } from '../container/store.js';
import { VolumeStore } from '../container/volumes.js';
import { removeContainerFiles } from '../container/runtime/remove.js';
import { pruneImages } from './images/prune.js';
import { containerUsage, imageDeleter } from './images/service.js';
import type { DeleteRecord } from './images/delete.js';

export interface SystemPruneResult {
  containers: string[];
  volumes: string[];
  images: DeleteRecord[];
  spaceReclaimed: number;
}

export async function systemPrune(engine: Engine, opts: { all?: boolean; volumes?: boolean }): Promise<SystemPruneResult> {
  const store = new ContainerStore(engine.root);
  const containers: string[] = [];
  for (const rec of store.list()) {
    const st = store.state(rec.Id);
    if (st.Running || st.Restarting || st.Paused) continue;
    await removeContainerFiles(engine.root, rec, { volumes: false });
    containers.push(rec.Id);
  }
  const volumes = opts.volumes ? new VolumeStore(engine.root).prune(true).names : [];
  const { deleted, spaceReclaimed } = pruneImages(engine.images, imageDeleter(engine), containerUsage(engine), { all: opts.all, filters: new Map() });
  return { containers, volumes, images: deleted, spaceReclaimed };
}
