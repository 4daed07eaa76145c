/**
 * `system prune`: dockerd's order (stopped containers, then unused volumes when asked, then images,
 * dangling or all unused), each step by its own engine operation, and the space given back.
 * Networks and build cache have nothing to prune in wharf (no user networks, no build cache yet).
 */
import type { Engine } from './engine.js';
import { Filters } from '../core/filters.js';
import { pruneContainers } from './containers/manage.js';
import { pruneVolumes } from './volumes.js';
import { pruneUnusedImages } from './images/service.js';
import type { DeleteRecord } from './images/delete.js';

export interface SystemPruneResult {
  containers: string[];
  volumes: string[];
  images: DeleteRecord[];
  spaceReclaimed: number;
}

export async function systemPrune(engine: Engine, opts: { all?: boolean; volumes?: boolean }): Promise<SystemPruneResult> {
  const c = await pruneContainers(engine, new Filters());
  const v = opts.volumes ? pruneVolumes(engine, { all: true }) : { VolumesDeleted: [], SpaceReclaimed: 0 };
  const i = pruneUnusedImages(engine, { all: opts.all, filters: new Filters() });
  return { containers: c.ContainersDeleted, volumes: v.VolumesDeleted, images: i.deleted, spaceReclaimed: c.SpaceReclaimed + v.SpaceReclaimed + i.spaceReclaimed };
}
