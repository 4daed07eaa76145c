/**
 * /images/*: list, inspect, history, tag, delete, prune, save (get), load, import and pull
 * (both POST /images/create), push, and /images/search. Image data goes out in Docker's
 * shapes; the client formats it.
 */
import type { Engine } from '../../engine/engine.js';
import type { Router } from '../router.js';
import { badRequest, boolQuery, intQuery, JsonStream, sendJson, type ApiRequest } from '../http.js';
import { listImages } from '../../engine/images/list.js';
import { Filters } from '../../core/filters.js';
import { imageHistory, inspectImage } from '../../engine/images/inspect.js';
import { imageDeleter, pruneUnusedImages, tagImage } from '../../engine/images/service.js';
import { importImage } from '../../engine/images/import.js';
import { loadImages, saveImages, saveItems } from '../../engine/images/archive-io.js';
import { pullImages } from '../../engine/images/pull.js';
import { pushImages } from '../../engine/images/push.js';
import { registryClient, searchImages, type AuthConfig } from '../../engine/registry-access.js';
import { parseReference } from '../../core/reference.js';
import { WharfError } from '../../core/errors.js';
import { imageSummary, unixSeconds } from '../../engine/images/summary.js';

/** X-Registry-Auth: base64url JSON of Docker's AuthConfig; absent or `{}` means none. */
export function registryAuth(r: ApiRequest): AuthConfig | undefined {
  const h = r.req.headers['x-registry-auth'];
  if (typeof h !== 'string' || !h) return undefined;
  let v: { username?: string; password?: string; identitytoken?: string };
  try {
    v = JSON.parse(Buffer.from(h.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as typeof v;
  } catch {
    throw badRequest('invalid X-Registry-Auth header');
  }
  if (!v || typeof v !== 'object') return undefined;
  return v.username || v.identitytoken ? { username: v.username, password: v.password, identityToken: v.identitytoken } : undefined;
}

/** The progress sink registry transfers report to, as Docker's JSON messages. */
function progressMessages(stream: JsonStream) {
  return {
    update(id: string, status: string, p?: { current: number; total?: number }) {
      stream.write({ status, progressDetail: p ? { current: p.current, ...(p.total ? { total: p.total } : {}) } : {}, id });
    },
    line(text: string) {
      stream.write({ status: text });
    },
  };
}

/** Run a streamed operation: errors before the first message are HTTP errors, later ones go in the stream. */
async function streamed(r: ApiRequest, fn: (s: JsonStream) => Promise<void>): Promise<void> {
  const s = new JsonStream(r);
  try {
    await fn(s);
  } catch (err) {
    if (!s.begun) throw err;
    s.fail(err);
  }
  s.end();
}

function nameOf(r: ApiRequest): string {
  return r.params.name!;
}

export function registerImageRoutes(router: Router, engine: Engine): void {
  const store = engine.images;

  router.get('/images/json', (r) => {
    const filters = Filters.fromJSON(r.query.get('filters') ?? undefined);
    const images = listImages(store, { all: boolQuery(r.query, 'all'), filters });
    sendJson(r, 200, images.map((i) => imageSummary(i)));
  });

  router.get('/images/search', async (r) => {
    const term = r.query.get('term') ?? '';
    const limit = intQuery(r.query, 'limit') ?? 25;
    if (limit < 1 || limit > 100) throw badRequest(`Limit ${limit} is outside the range of [1, 100]`);
    sendJson(r, 200, await searchImages(term, limit, registryAuth(r)));
  });

  router.get('/images/get', async (r) => {
    const items = saveItems(engine, r.query.getAll('names'));
    r.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await saveImages(engine, items, r.res);
    r.res.end();
  });

  router.post('/images/load', async (r) => {
    // `quiet` only drops progress bars (wharf draws none): the result lines always go out, as dockerd's do.
    const loaded = await loadImages(engine, r.req);
    const s = new JsonStream(r);
    for (const img of loaded) {
      for (const t of img.renamed) s.write({ stream: `The image ${t.tag.familiarString()} already exists, renaming the old one with ID ${t.oldId} to empty string\n` });
      if (!img.tags.length) s.write({ stream: `Loaded image ID: ${img.id}\n` });
      for (const t of img.tags) s.write({ stream: `Loaded image: ${t.familiarString()}\n` });
    }
    s.end();
  });

  router.post('/images/prune', (r) => {
    const filters = Filters.fromJSON(r.query.get('filters') ?? undefined);
    const all = filters.get('dangling')[0] === 'false';
    const { deleted, spaceReclaimed } = pruneUnusedImages(engine, { all, filters });
    sendJson(r, 200, { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: spaceReclaimed });
  });

  router.post('/images/create', async (r) => {
    const fromImage = r.query.get('fromImage');
    const fromSrc = r.query.get('fromSrc');
    const tag = r.query.get('tag') ?? '';
    if (fromSrc !== null) {
      const repo = r.query.get('repo') ?? '';
      const repository = repo ? (tag ? `${repo}:${tag}` : repo) : undefined;
      if (repository) {
        try {
          parseReference(repository);
        } catch (err) {
          throw new WharfError('INVALID_REFERENCE', (err as Error).message);
        }
      }
      if (fromSrc !== '-') throw badRequest('importing from a URL is not supported by wharf serve; send the tarball as the body');
      const rec = await importImage(store, r.req, { source: '-', repository, changes: r.query.getAll('changes'), message: r.query.get('message') ?? undefined, platform: r.query.get('platform') ?? undefined });
      return streamed(r, async (s) => s.write({ status: rec.id }));
    }
    if (!fromImage) throw badRequest('fromImage or fromSrc is required');
    const name = !tag ? fromImage : tag.startsWith('sha256:') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`;
    const auth = registryAuth(r);
    await streamed(r, async (s) => {
      await pullImages(engine, name, { platform: r.query.get('platform') || undefined, progress: progressMessages(s), clientFor: (reg) => registryClient(reg, auth) });
    });
  });

  router.get('/images/{name:.*}/json', (r) => {
    const id = store.resolveId(nameOf(r));
    // dockerd's wording for this route names the reference twice.
    if (!id) throw new WharfError('NOT_FOUND', `no such image: ${nameOf(r)}: No such image: ${nameOf(r)}`);
    sendJson(r, 200, inspectImage(store, engine.root, store.record(id)));
  });

  router.get('/images/{name:.*}/history', (r) => {
    const rows = imageHistory(store, store.get(nameOf(r)));
    sendJson(r, 200, rows.map((h) => ({ Comment: h.comment, Created: unixSeconds(h.created), CreatedBy: h.createdBy, Id: h.id, Size: h.size, Tags: h.tags.length ? h.tags : null })));
  });

  router.get('/images/{name:.*}/get', async (r) => {
    const items = saveItems(engine, [nameOf(r)]);
    r.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await saveImages(engine, items, r.res);
    r.res.end();
  });

  router.post('/images/{name:.*}/tag', (r) => {
    const repo = r.query.get('repo') ?? '';
    const tag = r.query.get('tag') ?? '';
    tagImage(engine, nameOf(r), tag ? `${repo}:${tag}` : repo);
    r.res.writeHead(201);
    r.res.end();
  });

  router.post('/images/{name:.*}/push', async (r) => {
    const tag = r.query.get('tag');
    const name = tag ? `${nameOf(r)}:${tag}` : nameOf(r);
    const auth = registryAuth(r);
    await streamed(r, async (s) => {
      await pushImages(engine, name, { allTags: !tag, progress: progressMessages(s), clientFor: (reg) => registryClient(reg, auth, true) });
    });
  });

  router.delete('/images/{name:.*}', (r) => {
    const records = imageDeleter(engine).remove(nameOf(r), { force: boolQuery(r.query, 'force'), prune: !boolQuery(r.query, 'noprune') });
    sendJson(r, 200, records);
  });
}
