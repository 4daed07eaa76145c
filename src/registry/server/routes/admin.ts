/**
 * Operations endpoints: health, online GC, whole-repository delete, storage use, search
 * metadata, and the webhook delivery log. All but /healthz need `registry:admin:*`.
 */
import { gcOnce, storageUsage } from '../gc.js';
import { regError } from '../errors.js';
import { readBody, route, send, sendJson, type RequestContext, type Route } from '../http.js';
import { checkName } from '../names.js';
import type { Registry } from '../registry.js';
import type { RepoMeta } from '../meta/store.js';

export function adminRoutes(reg: Registry): Route[] {
  const { store } = reg;
  const needAdmin = (ctx: RequestContext) => reg.auth.authorize(ctx, [{ type: 'registry', name: 'admin', actions: ['*'] }]);

  /** Each backend answers within a few seconds, or counts as down. */
  async function probe(check: () => Promise<void>): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 5s')), 5000)))]);
      return null;
    } catch (err) {
      return (err as Error).message;
    } finally {
      clearTimeout(timer);
    }
  }

  async function health(ctx: RequestContext) {
    const [storage, database] = await Promise.all([probe(() => store.blobs.health()), probe(() => store.meta.health())]);
    reg.metrics.backendUp.set({ backend: 'storage', kind: store.blobs.kind }, storage ? 0 : 1);
    reg.metrics.backendUp.set({ backend: 'database', kind: store.meta.kind }, database ? 0 : 1);
    const checks = {
      storage: { kind: store.blobs.kind, status: storage ? 'down' : 'ok', ...(storage ? { error: storage } : {}) },
      database: { kind: store.meta.kind, status: database ? 'down' : 'ok', ...(database ? { error: database } : {}) },
    };
    if (storage || database) {
      const down = [storage ? 'storage' : '', database ? 'database' : ''].filter(Boolean).join(' and ');
      throw regError('UNAVAILABLE', checks, { message: `${down} unavailable` });
    }
    sendJson(ctx, 200, { status: 'ok', ...checks, webhooksPending: await reg.notifier.pending() });
  }

  async function metrics(ctx: RequestContext) {
    send(ctx, 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }, reg.metrics.render());
  }

  async function gc(ctx: RequestContext) {
    await needAdmin(ctx);
    const q = ctx.url.searchParams;
    const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
    const grace = q.get('gracePeriod');
    const report = await gcOnce(reg, {
      deleteUntagged: flag('deleteUntagged'),
      dryRun: flag('dryRun'),
      gracePeriod: grace !== null ? Number(grace) : undefined,
    });
    sendJson(ctx, 200, report);
  }

  async function du(ctx: RequestContext) {
    await needAdmin(ctx);
    sendJson(ctx, 200, await storageUsage(store));
  }

  async function deleteRepo(ctx: RequestContext) {
    await needAdmin(ctx);
    const name = checkName(ctx.params.name!);
    if (!(await store.meta.repositoryExists(name))) throw regError('NAME_UNKNOWN', { name });
    await store.meta.deleteRepository(name);
    reg.notifier.emit(ctx, 'delete', { mediaType: '', digest: '', size: 0, length: 0, repository: name, url: '' });
    sendJson(ctx, 202, { deleted: name });
  }

  async function getMeta(ctx: RequestContext) {
    await needAdmin(ctx);
    sendJson(ctx, 200, await store.meta.getMeta(checkName(ctx.params.name!)));
  }

  async function putMeta(ctx: RequestContext) {
    await needAdmin(ctx);
    const name = checkName(ctx.params.name!);
    if (!(await store.meta.repositoryExists(name))) throw regError('NAME_UNKNOWN', { name });
    let patch: RepoMeta;
    try {
      patch = JSON.parse((await readBody(ctx.req, 64 * 1024)).toString());
    } catch {
      throw regError('UNSUPPORTED', undefined, { status: 400, message: 'body must be JSON' });
    }
    const meta = mergeMeta(await store.meta.getMeta(name), patch);
    await store.meta.setMeta(name, meta);
    sendJson(ctx, 200, meta);
  }

  async function deliveries(ctx: RequestContext) {
    await needAdmin(ctx);
    sendJson(ctx, 200, { pending: await reg.notifier.pending(), deliveries: await reg.notifier.deliveries() });
  }

  return [
    route(['GET', 'HEAD'], /^\/(?:healthz|debug\/health)$/, [], health),
    route('GET', /^\/metrics$/, [], metrics),
    route('POST', /^\/admin\/gc$/, [], gc),
    route('GET', /^\/admin\/du$/, [], du),
    route('DELETE', /^\/admin\/repositories\/(.+)$/, ['name'], deleteRepo),
    route('GET', /^\/admin\/meta\/(.+)$/, ['name'], getMeta),
    route('PUT', /^\/admin\/meta\/(.+)$/, ['name'], putMeta),
    route('GET', /^\/admin\/webhooks\/deliveries$/, [], deliveries),
  ];
}

/** Only known fields, with their types checked. */
export function mergeMeta(current: RepoMeta, patch: RepoMeta): RepoMeta {
  const out: RepoMeta = { ...current };
  if (typeof patch.description === 'string') out.description = patch.description.slice(0, 1000);
  if (typeof patch.stars === 'number' && Number.isInteger(patch.stars) && patch.stars >= 0) out.stars = patch.stars;
  if (typeof patch.official === 'boolean') out.official = patch.official;
  if (typeof patch.automated === 'boolean') out.automated = patch.automated;
  return out;
}
