/**
 * /containers/*: list, create, inspect, lifecycle (start, stop, kill, restart, pause,
 * unpause, wait, remove), rename, top, stats, changes, export, archive (cp), commit, prune.
 */
import type { Engine } from '../../engine/engine.js';
import type { Router } from '../router.js';
import { badRequest, boolQuery, intQuery, readJson, sendJson, sendStatus, type ApiRequest } from '../http.js';
import { createRequest } from '../create-body.js';
import {
  commitContainer, containerChanges, createContainer, exportContainer, inspectContainer, killContainer, listContainers, pauseContainer, pruneContainers,
  removeContainer, renameContainer, restartContainer, stopContainer, tarFromContainer, topContainer, unpauseContainer, untarIntoContainer,
} from '../../engine/containers.js';
import { waitForCondition, type WaitCondition } from '../../engine/containers/api-ops.js';
import { startForApi } from '../../engine/containers/attach-stream.js';
import { statContainerPath } from '../../engine/containers/archive-stat.js';
import { containerStats } from '../../engine/containers/stats-json.js';
import { forgetExecs } from '../../engine/containers/exec-instances.js';
import { Filters } from '../../core/filters.js';
import { WharfError } from '../../core/errors.js';

const KIND = { C: 0, A: 1, D: 2 } as const;

function timeout(r: ApiRequest): number | undefined {
  return intQuery(r.query, 't');
}

function closedFlag(r: ApiRequest): () => boolean {
  let gone = false;
  r.res.on('close', () => (gone = true));
  return () => gone;
}

export function registerContainerRoutes(router: Router, engine: Engine, o: { resident: boolean }): void {
  const root = engine.root;
  const id = (r: ApiRequest) => r.params.id!;
  const filters = (r: ApiRequest) => Filters.fromJSON(r.query.get('filters') ?? undefined);
  const state = (r: ApiRequest) => engine.containers.state(engine.containers.get(id(r)).Id);

  router.get('/containers/json', async (r) => {
    const limit = intQuery(r.query, 'limit');
    sendJson(r, 200, await listContainers(engine, { all: boolQuery(r.query, 'all'), last: limit && limit > 0 ? limit : undefined, size: boolQuery(r.query, 'size'), filters: filters(r) }));
  });

  router.post('/containers/create', async (r) => {
    const body = await readJson(r.req);
    const rec = await createContainer(engine, createRequest(body, r.query.get('name') ?? undefined));
    sendJson(r, 201, { Id: rec.Id, Warnings: [] });
  });

  router.post('/containers/prune', async (r) => {
    const report = await pruneContainers(engine, filters(r));
    sendJson(r, 200, { ContainersDeleted: report.ContainersDeleted.length ? report.ContainersDeleted : null, SpaceReclaimed: report.SpaceReclaimed });
  });

  router.get('/containers/{id}/json', (r) => {
    const v = inspectContainer(engine, id(r), { size: boolQuery(r.query, 'size') });
    if (!v) throw new WharfError('NOT_FOUND', `No such container: ${id(r)}`);
    sendJson(r, 200, v);
  });

  router.post('/containers/{id}/start', async (r) => {
    const res = await startForApi(engine, id(r), o);
    sendStatus(r, res === 'already' ? 304 : 204);
  });

  router.post('/containers/{id}/stop', async (r) => {
    const st = state(r);
    if (!st.Running && !st.Restarting) return sendStatus(r, 304);
    await stopContainer(engine, id(r), timeout(r), r.query.get('signal') ?? undefined);
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/kill', async (r) => {
    await killContainer(engine, id(r), r.query.get('signal') || 'SIGKILL');
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/restart', async (r) => {
    engine.containers.get(id(r));
    if (o.resident) {
      await stopContainer(engine, id(r), timeout(r));
      await startForApi(engine, id(r), o);
    } else await restartContainer(engine, id(r), timeout(r));
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/pause', async (r) => {
    await pauseContainer(engine, id(r));
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/unpause', async (r) => {
    await unpauseContainer(engine, id(r));
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/wait', async (r) => {
    const condition = (r.query.get('condition') || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw badRequest(`invalid condition: "${condition}"`);
    const closed = closedFlag(r);
    engine.containers.get(id(r));
    // The status goes out at once: `docker run` waits for it before it starts the container.
    r.res.writeHead(200, { 'Content-Type': 'application/json' });
    r.res.flushHeaders();
    const code = await waitForCondition(engine, id(r), condition, closed);
    r.res.end(JSON.stringify({ Error: null, StatusCode: code }) + '\n');
  });

  router.delete('/containers/{id}', async (r) => {
    const rec = engine.containers.get(id(r));
    await removeContainer(engine, id(r), { force: boolQuery(r.query, 'force'), volumes: boolQuery(r.query, 'v') });
    forgetExecs(rec.Id);
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/rename', (r) => {
    const name = r.query.get('name');
    if (!name) throw badRequest('name is required');
    renameContainer(engine, id(r), name);
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/update', async (r) => {
    const body = await readJson(r.req);
    engine.containers.get(id(r));
    const keys = Object.keys(body).filter((k) => body[k] !== 0 && body[k] !== '' && body[k] !== null && !(Array.isArray(body[k]) && !(body[k] as unknown[]).length));
    if (keys.length) throw new WharfError('UNSUPPORTED', `wharf cannot update ${keys.join(', ')} of a container yet`);
    sendJson(r, 200, { Warnings: [] });
  });

  router.get('/containers/{id}/top', async (r) => {
    const psArgs = (r.query.get('ps_args') ?? '').split(/\s+/).filter(Boolean);
    sendJson(r, 200, await topContainer(engine, id(r), psArgs));
  });

  router.get('/containers/{id}/stats', async (r) => {
    const stream = boolQuery(r.query, 'stream', true) && !boolQuery(r.query, 'one-shot');
    const closed = closedFlag(r);
    engine.containers.get(id(r));
    r.res.writeHead(200, { 'Content-Type': 'application/json' });
    for await (const s of containerStats(engine, id(r), { stream, oneShot: boolQuery(r.query, 'one-shot') }, closed)) r.res.write(JSON.stringify(s) + '\n');
    r.res.end();
  });

  router.get('/containers/{id}/changes', async (r) => {
    const changes = await containerChanges(engine, id(r));
    sendJson(r, 200, changes.length ? changes.map((c) => ({ Kind: KIND[c.kind], Path: c.path })) : null);
  });

  router.get('/containers/{id}/export', async (r) => {
    engine.containers.get(id(r));
    r.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await exportContainer(engine, id(r), async (tar) => {
      for await (const c of tar) r.res.write(c);
    });
    r.res.end();
  });

  const stat = async (r: ApiRequest) => {
    const path = r.query.get('path');
    if (!path) throw badRequest('Bad parameter: path cannot be empty');
    const s = await statContainerPath(root, id(r), path);
    r.res.setHeader('X-Docker-Container-Path-Stat', Buffer.from(JSON.stringify(s)).toString('base64'));
    return path;
  };

  router.head('/containers/{id}/archive', async (r) => {
    await stat(r);
    sendStatus(r, 200);
  });

  router.get('/containers/{id}/archive', async (r) => {
    const path = await stat(r);
    r.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await tarFromContainer(engine, id(r), path, async (tar) => {
      for await (const c of tar) r.res.write(c);
    });
    r.res.end();
  });

  router.put('/containers/{id}/archive', async (r) => {
    const path = r.query.get('path');
    if (!path) throw badRequest('Bad parameter: path cannot be empty');
    await untarIntoContainer(engine, id(r), path, r.req);
    sendStatus(r, 200);
  });

  router.post('/commit', async (r) => {
    const container = r.query.get('container');
    if (!container) throw badRequest('container is required');
    // The body is the config docker's CLI builds from --change; wharf applies the same changes from the query.
    await readJson(r.req);
    const repo = r.query.get('repo') ?? '';
    const tag = r.query.get('tag') ?? '';
    const img = await commitContainer(engine, container, {
      author: r.query.get('author') ?? undefined,
      message: r.query.get('comment') ?? undefined,
      changes: r.query.getAll('changes').filter(Boolean),
      pause: boolQuery(r.query, 'pause', true),
      reference: repo ? (tag ? `${repo}:${tag}` : repo) : undefined,
    });
    sendJson(r, 201, { Id: img.id });
  });
}
