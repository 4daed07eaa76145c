/**
 * /containers/*: list, create, inspect, lifecycle (start, stop, kill, restart, pause,
 * unpause, wait, remove), rename, top, stats, changes, export, archive (cp), commit, prune.
 */
import type { Engine } from '../../engine/engine.js';
import type { Router } from '../router.js';
import { badRequest, boolQuery, filterList, intQuery, readJson, sendJson, sendStatus, type ApiRequest } from '../http.js';
import { createOptions } from '../create-body.js';
import { createContainer, commitContainer, containerChanges, exportContainer, inspectContainer, killContainer, removeContainer, restartContainer, stopContainer } from '../../engine/containers.js';
import { pauseContainer, unpauseContainer } from '../../engine/containers/lifecycle.js';
import { tarFromContainer, untarIntoContainer } from '../../engine/containers/fs.js';
import { containerSummaries } from '../../engine/containers/summary.js';
import { getContainer, pruneContainers, renameContainer, topContainer, waitForCondition, type WaitCondition } from '../../engine/containers/api-ops.js';
import { startContainer } from '../../engine/containers/attach-stream.js';
import { statContainerPath } from '../../engine/containers/archive-stat.js';
import { containerStats } from '../../engine/containers/stats-json.js';
import { forgetExecs } from '../../engine/containers/exec.js';
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

/** `until` / `label` filters of container prune, as Docker takes them. */
function pruneSelector(filters: string[]) {
  const tests = filters.map((f) => {
    const i = f.indexOf('=');
    const key = f.slice(0, i);
    const value = f.slice(i + 1);
    if (key === 'until') {
      const n = Number(value);
      const cutoff = Number.isFinite(n) ? n * 1000 : Date.parse(value);
      if (!Number.isFinite(cutoff)) throw badRequest(`failed to parse value ${value} as a timestamp`);
      return (rec: { Created: string }) => Date.parse(rec.Created) < cutoff;
    }
    if (key === 'label' || key === 'label!') {
      const [k = '', ...v] = value.split('=');
      return (rec: { Config: { Labels?: Record<string, string> | null } }) => {
        const has = k in (rec.Config.Labels ?? {}) && (!v.length || rec.Config.Labels![k] === v.join('='));
        return key === 'label' ? has : !has;
      };
    }
    throw badRequest(`Invalid filter '${key}'`);
  });
  return (rec: Parameters<Parameters<typeof pruneContainers>[1]>[0]) => tests.every((t) => t(rec as never));
}

export function registerContainerRoutes(router: Router, engine: Engine): void {
  const root = engine.root;
  const id = (r: ApiRequest) => r.params.id!;

  router.get('/containers/json', (r) => {
    const limit = intQuery(r.query, 'limit');
    sendJson(r, 200, containerSummaries(engine, { all: boolQuery(r.query, 'all'), last: limit && limit > 0 ? limit : undefined, size: boolQuery(r.query, 'size'), filters: filterList(r.query), noTrunc: true }));
  });

  router.post('/containers/create', async (r) => {
    const body = await readJson(r.req);
    const rec = await createContainer(engine, createOptions(body, r.query.get('name') ?? undefined));
    sendJson(r, 201, { Id: rec.Id, Warnings: [] });
  });

  router.post('/containers/prune', async (r) => {
    const deleted = await pruneContainers(root, pruneSelector(filterList(r.query)));
    sendJson(r, 200, { ContainersDeleted: deleted.length ? deleted : null, SpaceReclaimed: 0 });
  });

  router.get('/containers/{id}/json', (r) => {
    const v = inspectContainer(root, id(r), { size: boolQuery(r.query, 'size') });
    if (!v) throw new WharfError('NOT_FOUND', `No such container: ${id(r)}`);
    sendJson(r, 200, v);
  });

  router.post('/containers/{id}/start', async (r) => {
    const res = await startContainer(root, id(r));
    sendStatus(r, res === 'already' ? 304 : 204);
  });

  router.post('/containers/{id}/stop', async (r) => {
    const { st } = getContainer(root, id(r));
    if (!st.Running && !st.Restarting) return sendStatus(r, 304);
    await stopContainer(root, id(r), timeout(r), r.query.get('signal') ?? undefined);
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/kill', async (r) => {
    await killContainer(root, id(r), r.query.get('signal') || 'SIGKILL');
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/restart', async (r) => {
    getContainer(root, id(r));
    await restartContainer(root, id(r), timeout(r));
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/pause', async (r) => {
    await pauseContainer(root, id(r));
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/unpause', async (r) => {
    await unpauseContainer(root, id(r));
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/wait', async (r) => {
    const condition = (r.query.get('condition') || 'not-running') as WaitCondition;
    if (!['not-running', 'next-exit', 'removed'].includes(condition)) throw badRequest(`invalid condition: "${condition}"`);
    const closed = closedFlag(r);
    getContainer(root, id(r));
    // The status goes out at once: `docker run` waits for it before it starts the container.
    r.res.writeHead(200, { 'Content-Type': 'application/json' });
    r.res.flushHeaders();
    const code = await waitForCondition(root, id(r), condition, closed);
    r.res.end(JSON.stringify({ Error: null, StatusCode: code }) + '\n');
  });

  router.delete('/containers/{id}', async (r) => {
    const { rec } = getContainer(root, id(r));
    await removeContainer(root, id(r), { force: boolQuery(r.query, 'force'), volumes: boolQuery(r.query, 'v') });
    forgetExecs(rec.Id);
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/rename', (r) => {
    const name = r.query.get('name');
    if (!name) throw badRequest('name is required');
    renameContainer(root, id(r), name);
    sendStatus(r, 204);
  });

  router.post('/containers/{id}/update', async (r) => {
    const body = await readJson(r.req);
    getContainer(root, id(r));
    const keys = Object.keys(body).filter((k) => body[k] !== 0 && body[k] !== '' && body[k] !== null && !(Array.isArray(body[k]) && !(body[k] as unknown[]).length));
    if (keys.length) throw new WharfError('UNSUPPORTED', `wharf cannot update ${keys.join(', ')} of a container yet`);
    sendJson(r, 200, { Warnings: [] });
  });

  router.get('/containers/{id}/top', async (r) => {
    const psArgs = (r.query.get('ps_args') ?? '').split(/\s+/).filter(Boolean);
    sendJson(r, 200, await topContainer(root, id(r), psArgs));
  });

  router.get('/containers/{id}/stats', async (r) => {
    const stream = boolQuery(r.query, 'stream', true) && !boolQuery(r.query, 'one-shot');
    const closed = closedFlag(r);
    getContainer(root, id(r));
    r.res.writeHead(200, { 'Content-Type': 'application/json' });
    for await (const s of containerStats(root, id(r), { stream, oneShot: boolQuery(r.query, 'one-shot') }, closed)) r.res.write(JSON.stringify(s) + '\n');
    r.res.end();
  });

  router.get('/containers/{id}/changes', async (r) => {
    const changes = await containerChanges(root, id(r));
    sendJson(r, 200, changes.length ? changes.map((c) => ({ Kind: KIND[c.kind], Path: c.path })) : null);
  });

  router.get('/containers/{id}/export', async (r) => {
    getContainer(root, id(r));
    r.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await exportContainer(root, id(r), async (tar) => {
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
    await tarFromContainer(root, id(r), path, async (tar) => {
      for await (const c of tar) r.res.write(c);
    });
    r.res.end();
  });

  router.put('/containers/{id}/archive', async (r) => {
    const path = r.query.get('path');
    if (!path) throw badRequest('Bad parameter: path cannot be empty');
    await untarIntoContainer(root, id(r), path, r.req);
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
