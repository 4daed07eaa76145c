/** Volumes for the engine's callers: Docker's list filters, create, inspect, remove and prune. */
import { VolumeStore, type VolumeRecord } from '../container/volumes.js';
import { invalidArgument } from '../core/errors.js';

export type { VolumeRecord };

/** `key=value` filters of `volume ls`: dangling, name, label, driver. */
export function listVolumes(root: string, filters: string[] = []): VolumeRecord[] {
  const store = new VolumeStore(root);
  let list = store.list();
  for (const f of filters) {
    const i = f.indexOf('=');
    const [k, v] = i < 0 ? [f, ''] : [f.slice(0, i), f.slice(i + 1)];
    if (k === 'dangling') {
      if (!['true', 'false', '1', '0'].includes(v)) throw invalidArgument(`Invalid filter 'dangling=${v}'`);
      list = list.filter((x) => (store.users(x.Name).length === 0) === (v === 'true' || v === '1'));
    } else if (k === 'name') list = list.filter((x) => x.Name.includes(v));
    else if (k === 'driver') list = list.filter((x) => x.Driver === v);
    else if (k === 'label') {
      const [lk = '', ...lv] = v.split('=');
      list = list.filter((x) => lk in x.Labels && (!lv.length || x.Labels[lk] === lv.join('=')));
    } else throw invalidArgument(`Invalid filter '${k}'`);
  }
  return list;
}

export const createVolume = (root: string, name: string | undefined, labels: Record<string, string>) => new VolumeStore(root).create(name, labels);
export const inspectVolume = (root: string, name: string) => new VolumeStore(root).inspect(name);
export const removeVolume = (root: string, name: string, force: boolean) => new VolumeStore(root).remove(name, force);
export const pruneVolumes = (root: string, all: boolean) => new VolumeStore(root).prune(all);
export const volumeUsers = (root: string, name: string) => new VolumeStore(root).users(name);
