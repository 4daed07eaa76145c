/** /volumes/* and /networks/*: Docker's volume and network resources. */
import type { Engine } from '../../engine/engine.js';
import type { Router } from '../router.js';
import { badRequest, boolQuery, filterList, readJson, sendJson, sendStatus } from '../http.js';
import { createVolume, inspectVolume, listVolumes, pruneVolumes, removeVolume, type VolumeRecord } from '../../engine/volumes.js';
import { inspectNetwork, listNetworks } from '../../engine/networks.js';
import { WharfError } from '../../core/errors.js';

/** The volume as the API shows it (wharf's `Anonymous` mark is its own). */
function volumeView(v: VolumeRecord) {
  const { Anonymous: _anon, ...rest } = v;
  return rest;
}

export function registerVolumeRoutes(router: Router, engine: Engine): void {
  const root = engine.root;
  router.get('/volumes', (r) => sendJson(r, 200, { Volumes: listVolumes(root, filterList(r.query)).map(volumeView), Warnings: null }));
  router.post('/volumes/create', async (r) => {
    const body = await readJson<{ Name?: string; Driver?: string; Labels?: Record<string, string>; DriverOpts?: Record<string, string> }>(r.req);
    if (body.Driver && body.Driver !== 'local') throw new WharfError('NOT_FOUND', `plugin "${body.Driver}" not found`);
    if (body.DriverOpts && Object.keys(body.DriverOpts).length) throw badRequest('wharf local volumes take no driver options');
    sendJson(r, 201, volumeView(createVolume(root, body.Name || undefined, body.Labels ?? {})));
  });
  router.post('/volumes/prune', (r) => {
    const filters = filterList(r.query);
    // API 1.41 and older prune every unused volume; `all` is how newer clients ask for that.
    const all = filters.includes('all=true') || filters.includes('all=1') || r.version <= '1.41';
    const { names } = pruneVolumes(root, all);
    sendJson(r, 200, { VolumesDeleted: names.length ? names : null, SpaceReclaimed: 0 });
  });
  router.get('/volumes/{name}', (r) => sendJson(r, 200, volumeView(inspectVolume(root, r.params.name!))));
  router.delete('/volumes/{name}', (r) => {
    removeVolume(root, r.params.name!, boolQuery(r.query, 'force'));
    sendStatus(r, 204);
  });

  router.get('/networks', (r) => {
    const filters = filterList(r.query);
    let list = listNetworks(root);
    for (const f of filters) {
      const [k, v = ''] = [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)];
      if (k === 'name') list = list.filter((n) => String(n.Name).includes(v));
      else if (k === 'id') list = list.filter((n) => String(n.Id).startsWith(v));
      else if (k === 'driver') list = list.filter((n) => n.Driver === v);
      else if (k === 'type') list = list.filter(() => v === 'builtin');
      else if (k !== 'scope' || v !== 'local') list = k === 'scope' ? [] : list;
    }
    sendJson(r, 200, list);
  });
  router.get('/networks/{id}', (r) => sendJson(r, 200, inspectNetwork(root, r.params.id!)));
}
