/** Delete a stopped container for good: snapshot, network leftovers, anonymous volumes, record. */
import { snapshotter } from '../../snapshot/snapshotter.js';
import type { ContainerStores } from '../stores.js';
import type { ContainerRecord } from '../types.js';
import { cleanupStart } from './prepare.js';

export async function removeContainerFiles(stores: ContainerStores, rec: ContainerRecord, opts: { volumes: boolean }): Promise<void> {
  const store = stores.containers;
  const root = store.root;
  store.updateState(rec.Id, (s) => Object.assign(s, { Status: 'removing' }));
  await cleanupStart(root, rec, async () => {
    await snapshotter(root, rec.Driver).remove(rec.Id);
    store.remove(rec.Id);
  });
  if (opts.volumes) {
    const volumes = stores.volumes;
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
