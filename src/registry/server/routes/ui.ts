/**
 * Serves the web UI: one HTML page and one script, embedded as strings so the UI ships inside
 * the compiled output with no asset copying. The page talks to the registry's own API with the
 * browser's credentials, so it shows and deletes exactly what the user may.
 */
import { route, send, type RequestContext, type Route } from '../http.js';
import { UI_HTML, UI_SCRIPT } from '../ui/assets.js';

export function uiRoutes(): Route[] {
  const page = async (ctx: RequestContext) =>
    send(ctx, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache', 'Content-Security-Policy': "default-src 'self'" }, UI_HTML);
  const script = async (ctx: RequestContext) =>
    send(ctx, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }, UI_SCRIPT);
  const home = async (ctx: RequestContext) => send(ctx, 302, { Location: '/ui/' });
  return [
    route(['GET', 'HEAD'], /^\/$/, [], home),
    route(['GET', 'HEAD'], /^\/ui\/?$/, [], page),
    route(['GET', 'HEAD'], /^\/ui\/app\.js$/, [], script),
  ];
}
