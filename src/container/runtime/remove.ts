/** Delete a stopped container for good: snapshot, network leftovers, anonymous volumes, record. */
import { snapshotter } from '../../snapshot/snapshotter.js';
import { ContainerStore } from '../store.js';
import type { ContainerRecord } from '../types.js';
import { VolumeStore } from '../volumes.js';
import { cleanupStart } from './prepare.js';

export async function removeContainerFiles(root: string, rec: ContainerRecord, opts: { volumes: boolean }): Promise<void> {
  const store = new ContainerStore(root);
  store.updateState(rec.Id, (s) => Object.assign(s, { Status: 'removing' }));
  await cleanupStart(root, rec, async () => {
    await snapshotter(root, rec.Driver).remove(rec.Id);
    store.remove(rec.Id);
  });
  if (opts.volumes) {
    const volumes = new VolumeStore(root);
    for (const m of rec.Mounts) {
      if (m.Type === 'volume' && m.Name && volumes.get(m.Name)?.Anonymous) {
        try {
          volumes.remove(m.Name);
        } catch {
          /* still used by another container */
        }
      }
    }
  }
}
