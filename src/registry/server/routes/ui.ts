/**
 * Serves the web UI: one HTML page and one script, embedded as strings so the UI ships inside
 * the compiled output with no asset copying. The page talks to the registry's own API with the
 * browser's credentials, so it shows and deletes exactly what the user may.
 */
import { route, send, sendJson, type RequestContext, type Route } from '../http.js';
import { checkName } from '../names.js';
import { needRepo, type Registry } from '../registry.js';
import { UI_HTML, UI_SCRIPT } from '../ui/assets.js';

export function uiRoutes(reg: Registry): Route[] {
  // The script fetches tokens from the realm: allow its origin when it is not this server.
  const realm = reg.auth.tokenSettings?.realm;
  const connect = realm ? `; connect-src 'self' ${new URL(realm).origin}` : '';
  const csp = `default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:${connect}`;
  const page = async (ctx: RequestContext) =>
    send(ctx, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', 'Content-Security-Policy': csp }, UI_HTML);
  const script = async (ctx: RequestContext) =>
    send(ctx, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }, UI_SCRIPT);
  /** What the signed-in user may do on a repository, so the UI offers only allowed actions. */
  const access = async (ctx: RequestContext) => {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull');
    sendJson(ctx, 200, { pull: true, delete: reg.config.delete !== false && reg.auth.can(ctx, 'repository', name, 'delete') });
  };
  const home = async (ctx: RequestContext) => send(ctx, 302, { Location: '/ui/' });
  return [
    route(['GET', 'HEAD'], /^\/$/, [], home),
    route(['GET', 'HEAD'], /^\/ui\/?$/, [], page),
    route(['GET', 'HEAD'], /^\/ui\/app\.js$/, [], script),
    route('GET', /^\/ui\/access\/(.+)$/, ['name'], access),
  ];
}
