/**
 * Operations endpoints: health, online GC, whole-repository delete, storage use, search
 * metadata, and the webhook delivery log. All but /healthz need `registry:admin:*`.
 */
import { collectGarbage, storageUsage } from '../gc.js';
import { regError } from '../errors.js';
import { readBody, route, sendJson, type RequestContext, type Route } from '../http.js';
import { checkName } from '../names.js';
import type { Registry } from '../registry.js';
import type { RepoMeta } from '../store.js';

export function adminRoutes(reg: Registry): Route[] {
  const { store } = reg;
  const needAdmin = (ctx: RequestContext) => reg.auth.authorize(ctx, [{ type: 'registry', name: 'admin', actions: ['*'] }]);

  async function health(ctx: RequestContext) {
    const ok = (await store.driver.stat('/')) !== null;
    sendJson(ctx, ok ? 200 : 503, { status: ok ? 'ok' : 'storage unavailable', webhooksPending: reg.notifier.pending() });
  }

  async function gc(ctx: RequestContext) {
    await needAdmin(ctx);
    const q = ctx.url.searchParams;
    const flag = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
    const grace = q.get('gracePeriod');
    const report = await collectGarbage(store, reg.uploads, {
      deleteUntagged: flag('deleteUntagged'),
      dryRun: flag('dryRun'),
      gracePeriod: grace !== null ? Number(grace) * 1000 : (reg.config.gc?.gracePeriod ?? 3600) * 1000,
      pins: reg.pins,
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
    if (!(await store.repositoryExists(name))) throw regError('NAME_UNKNOWN', { name });
    await store.deleteRepository(name);
    reg.notifier.emit(ctx, 'delete', { mediaType: '', digest: '', size: 0, length: 0, repository: name, url: '' });
    sendJson(ctx, 202, { deleted: name });
  }

  async function getMeta(ctx: RequestContext) {
    await needAdmin(ctx);
    sendJson(ctx, 200, await store.getMeta(checkName(ctx.params.name!)));
  }

  async function putMeta(ctx: RequestContext) {
    await needAdmin(ctx);
    const name = checkName(ctx.params.name!);
    if (!(await store.repositoryExists(name))) throw regError('NAME_UNKNOWN', { name });
    let patch: RepoMeta;
    try {
      patch = JSON.parse((await readBody(ctx.req, 64 * 1024)).toString());
    } catch {
      throw regError('UNSUPPORTED', undefined, { status: 400, message: 'body must be JSON' });
    }
    const meta = mergeMeta(await store.getMeta(name), patch);
    await store.setMeta(name, meta);
    sendJson(ctx, 200, meta);
  }

  async function deliveries(ctx: RequestContext) {
    await needAdmin(ctx);
    sendJson(ctx, 200, { pending: reg.notifier.pending(), deliveries: reg.notifier.deliveries() });
  }

  return [
    route(['GET', 'HEAD'], /^\/(?:healthz|debug\/health)$/, [], health),
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
