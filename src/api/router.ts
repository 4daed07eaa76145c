/**
 * Routes as Docker's router writes them: a method and a path template whose `{name}` takes
 * one segment and `{name:.*}` the rest (image names carry slashes). A handler is parse plus
 * one engine call; the server maps what it throws.
 */
import type { ApiRequest } from './http.js';
import { WharfError } from '../core/errors.js';

export type Handler = (r: ApiRequest) => Promise<void> | void;

interface Route {
  method: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler): this {
    const names: string[] = [];
    const source = template.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)(:\\\.\*)?\}/g, (_m, name: string, rest?: string) => {
      names.push(name);
      return rest ? '(.+)' : '([^/]+)';
    });
    this.routes.push({ method, re: new RegExp(`^${source}$`), names, handler });
    return this;
  }

  get = (t: string, h: Handler) => this.add('GET', t, h);
  post = (t: string, h: Handler) => this.add('POST', t, h);
  put = (t: string, h: Handler) => this.add('PUT', t, h);
  head = (t: string, h: Handler) => this.add('HEAD', t, h);
  delete = (t: string, h: Handler) => this.add('DELETE', t, h);

  /** The handler and path parameters for a request, or 'no-route' / 'no-method'. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.re.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.names.forEach((n, i) => {
        try {
          params[n] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new WharfError('INVALID_ARGUMENT', `invalid URL escape in ${JSON.stringify(m[i + 1])}`);
        }
      });
      return { handler: route.handler, params };
    }
    return undefined;
  }
}
