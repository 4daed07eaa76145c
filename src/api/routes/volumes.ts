/** /volumes/* and /networks/*: Docker's volume and network resources. */
import type { Engine } from '../../engine/engine.js';
import type { Router } from '../router.js';
import { badRequest, boolQuery, readJson, sendJson, sendStatus, type ApiRequest } from '../http.js';
import { createVolume, inspectVolume, listVolumes, pruneVolumes, removeVolume } from '../../engine/containers.js';
import { inspectNetwork, listNetworks } from '../../engine/networks.js';
import { Filters } from '../../core/filters.js';
import { WharfError } from '../../core/errors.js';

const filtersOf = (r: ApiRequest) => Filters.fromJSON(r.query.get('filters') ?? undefined);

export function registerVolumeRoutes(router: Router, engine: Engine): void {
  router.get('/volumes', (r) => sendJson(r, 200, { Volumes: listVolumes(engine, filtersOf(r)), Warnings: null }));
  router.post('/volumes/create', async (r) => {
    const body = await readJson<{ Name?: string; Driver?: string; Labels?: Record<string, string>; DriverOpts?: Record<string, string> }>(r.req);
    if (body.Driver && body.Driver !== 'local') throw new WharfError('NOT_FOUND', `plugin "${body.Driver}" not found`);
    if (body.DriverOpts && Object.keys(body.DriverOpts).length) throw badRequest('wharf local volumes take no driver options');
    sendJson(r, 201, createVolume(engine, { name: body.Name || undefined, labels: body.Labels ?? {} }));
  });
  router.post('/volumes/prune', (r) => {
    const all = filtersOf(r).get('all');
    // API 1.41 and older prune every unused volume; `all` is how newer clients ask for that.
    const report = pruneVolumes(engine, { all: all.includes('true') || all.includes('1') || r.version <= '1.41' });
    sendJson(r, 200, { VolumesDeleted: report.VolumesDeleted.length ? report.VolumesDeleted : null, SpaceReclaimed: report.SpaceReclaimed });
  });
  router.get('/volumes/{name}', (r) => sendJson(r, 200, inspectVolume(engine, r.params.name!)));
  router.delete('/volumes/{name}', (r) => {
    removeVolume(engine, r.params.name!, { force: boolQuery(r.query, 'force') });
    sendStatus(r, 204);
  });

  router.get('/networks', (r) => {
    const filters = filtersOf(r);
    filters.checkKeys(['name', 'id', 'driver', 'type', 'scope', 'label']);
    let list = listNetworks(engine);
    for (const v of filters.get('name')) list = list.filter((n) => String(n.Name).includes(v));
    for (const v of filters.get('id')) list = list.filter((n) => String(n.Id).startsWith(v));
    for (const v of filters.get('driver')) list = list.filter((n) => n.Driver === v);
    for (const v of filters.get('type')) list = list.filter(() => v === 'builtin');
    for (const v of filters.get('scope')) list = list.filter(() => v === 'local');
    if (filters.get('label').length) list = [];
    sendJson(r, 200, list);
  });
  router.get('/networks/{id}', (r) => sendJson(r, 200, inspectNetwork(engine, r.params.id!)));
}
