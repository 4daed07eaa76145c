/**
 * Volume operations in docker's shapes: create, list (filters dangling and name), inspect
 * (docker's field order, null for no labels or options), remove and prune (names and the
 * bytes reclaimed). The CLI formats the rows.
 */
import type { Filters } from '../core/filters.js';
import type { VolumeRecord } from '../container/volumes.js';
import type { Engine } from './engine.js';
import { diskUsage } from './containers/list.js';

/** The API's Volume object. */
export interface Volume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: string;
}

const volumeView = (v: VolumeRecord): Volume => ({
  CreatedAt: v.CreatedAt,
  Driver: v.Driver,
  Labels: Object.keys(v.Labels ?? {}).length ? v.Labels : null,
  Mountpoint: v.Mountpoint,
  Name: v.Name,
  Options: v.Options ?? null,
  Scope: v.Scope,
});

export function createVolume(engine: Engine, o: { name?: string; labels?: Record<string, string> } = {}): Volume {
  return volumeView(engine.volumes.create(o.name, o.labels ?? {}));
}

export function listVolumes(engine: Engine, filters: Filters): Volume[] {
  const volumes = engine.volumes;
  let list = volumes.list();
  for (const v of filters.get('dangling')) list = list.filter((x) => (volumes.users(x.Name).length === 0) === (v === 'true' || v === '1'));
  for (const v of filters.get('name')) list = list.filter((x) => x.Name.includes(v));
  return list.map(volumeView);
}

export function inspectVolume(engine: Engine, name: string): Volume {
  return volumeView(engine.volumes.inspect(name));
}

export function removeVolume(engine: Engine, name: string, o: { force?: boolean } = {}): void {
  engine.volumes.remove(name, o.force);
}

export interface VolumePruneReport {
  VolumesDeleted: string[];
  SpaceReclaimed: number;
}

/** Unused volumes (anonymous ones only unless `all`); the bytes counted as `system df` counts them. */
export function pruneVolumes(engine: Engine, o: { all?: boolean } = {}): VolumePruneReport {
  const sizes = new Map(engine.volumes.list().map((v) => [v.Name, diskUsage(v.Mountpoint)]));
  const { names } = engine.volumes.prune(o.all);
  return { VolumesDeleted: names, SpaceReclaimed: names.reduce((n, name) => n + (sizes.get(name) ?? 0), 0) };
}
