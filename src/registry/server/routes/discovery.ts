/**
 * Content discovery: the /v2/ base check, tag lists and the catalog with `n`/`last`
 * pagination and `Link` headers, the referrers API, and Docker Hub's v1 search. Listings only
 * ever show repositories the caller may pull.
 */
import { MediaType } from '../../../core/mediatypes.js';
import { regError } from '../errors.js';
import { route, send, sendJson, type RequestContext, type Route } from '../http.js';
import { checkDigest, checkName } from '../names.js';
import { needRepo, type Registry } from '../registry.js';
import { searchRepositories } from '../search.js';

const CATALOG_MAX = 1000;

/** Apply `n` and `last` to a sorted list; returns the page and the next-page Link if any. */
export function paginate(items: string[], url: URL, path: string, max?: number): { page: string[]; link?: string } {
  const nParam = url.searchParams.get('n');
  const last = url.searchParams.get('last');
  let n: number | undefined;
  if (nParam !== null && nParam !== '') {
    n = Number(nParam);
    if (!Number.isInteger(n) || n < 0) throw regError('PAGINATION_NUMBER_INVALID', { n: nParam });
  }
  if (max !== undefined) n = Math.min(n ?? max, max);
  const rest = last ? items.filter((x) => x > last) : items;
  if (n === undefined || rest.length <= n) return { page: n === 0 ? [] : rest };
  const page = rest.slice(0, n);
  if (n === 0) return { page };
  const next = `${path}?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}`;
  return { page, link: `<${next}>; rel="next"` };
}

export function discoveryRoutes(reg: Registry): Route[] {
  const { store, auth } = reg;

  async function base(ctx: RequestContext) {
    await auth.authorize(ctx, []);
    sendJson(ctx, 200, {});
  }

  async function catalog(ctx: RequestContext) {
    await auth.authorize(ctx, [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
    const repos = (await store.meta.listRepositories()).filter((r) => auth.can(ctx, 'repository', r, 'pull'));
    const { page, link } = paginate(repos, ctx.url, '/v2/_catalog', CATALOG_MAX);
    sendJson(ctx, 200, { repositories: page }, link ? { Link: link } : {});
  }

  async function tags(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull');
    if (!(await store.meta.repositoryExists(name))) throw regError('NAME_UNKNOWN', { name });
    const all = await store.meta.listTags(name);
    const { page, link } = paginate(all, ctx.url, `/v2/${name}/tags/list`);
    sendJson(ctx, 200, { name, tags: page }, link ? { Link: link } : {});
  }

  async function referrers(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull');
    const subject = checkDigest(ctx.params.digest);
    const artifactType = ctx.url.searchParams.get('artifactType');
    let manifests = await store.meta.listReferrers(name, subject);
    const headers: Record<string, string> = { 'Content-Type': MediaType.ociIndex };
    if (artifactType) {
      manifests = manifests.filter((m) => m.artifactType === artifactType);
      headers['OCI-Filters-Applied'] = 'artifactType';
    }
    manifests.sort((a, b) => (a.digest < b.digest ? -1 : 1));
    send(ctx, 200, headers, JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests }));
  }

  /** Docker's `docker search` pings v1 first; answer as a standalone v1 registry would. */
  async function ping(ctx: RequestContext) {
    sendJson(ctx, 200, {}, { 'X-Docker-Registry-Version': '0.6.0', 'X-Docker-Registry-Standalone': 'true' });
  }

  async function search(ctx: RequestContext) {
    if (auth.mode !== 'none') await auth.authorize(ctx, []);
    const q = ctx.url.searchParams;
    const visible = (await store.meta.listRepositories()).filter((r) => auth.can(ctx, 'repository', r, 'pull'));
    const result = await searchRepositories(store.meta, visible, q.get('q') ?? '', Number(q.get('n') || 25), Number(q.get('page') || 1));
    sendJson(ctx, 200, result);
  }

  return [
    route(['GET', 'HEAD'], /^\/v2\/?$/, [], base),
    route('GET', /^\/v2\/_catalog$/, [], catalog),
    route('GET', /^\/v2\/(.+)\/tags\/list$/, ['name'], tags),
    route('GET', /^\/v2\/(.+)\/referrers\/([^/]+)$/, ['name', 'digest'], referrers),
    route(['GET', 'HEAD'], /^\/v1\/_ping$/, [], ping),
    route('GET', /^\/v1\/search$/, [], search),
  ];
}
