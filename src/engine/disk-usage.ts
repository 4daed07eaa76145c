/** GET /system/df: Docker's per-object disk usage (images, containers, volumes, build cache). */
import type { Engine } from './engine.js';
import { Filters } from '../core/filters.js';
import { imageSummary } from './images/summary.js';
import { containerUsage } from './images/service.js';
import { diskUsage as pathSize, listContainers } from './containers/list.js';
import { listVolumes } from './volumes.js';

export async function systemDiskUsage(engine: Engine): Promise<Record<string, unknown>> {
  const usage = containerUsage(engine);
  const layers = new Map<string, number>();
  const images = engine.images.list().map((img) => {
    for (const l of engine.images.layerChain(img.id)) layers.set(l.diffId, l.size);
    return { ...imageSummary(img, usage(img.id).length), SharedSize: 0 };
  });
  const volumes = listVolumes(engine, new Filters()).map((v) => ({ ...v, UsageData: { Size: pathSize(v.Mountpoint), RefCount: engine.volumes.users(v.Name).length } }));
  return {
    LayersSize: [...layers.values()].reduce((a, b) => a + b, 0),
    Images: images,
    Containers: await listContainers(engine, { all: true, size: true }),
    Volumes: volumes,
    BuildCache: [],
  };
}
