/** POST /build: a tar context in the body, the classic builder's JSON stream out (`{stream}`, `{aux: {ID}}`, errorDetail). */
import type { Engine } from '../../engine/engine.js';
import type { Router } from '../router.js';
import { badRequest, boolQuery, intQuery, JsonStream, type ApiRequest } from '../http.js';
import { buildImage } from '../../engine/build.js';

function jsonQuery<T>(r: ApiRequest, key: string): T | undefined {
  const v = r.query.get(key);
  if (!v) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch (err) {
    throw badRequest(`invalid ${key}: ${(err as Error).message}`);
  }
}

export function registerBuildRoutes(router: Router, engine: Engine): void {
  router.post('/build', async (r) => {
    const args = jsonQuery<Record<string, string | null>>(r, 'buildargs') ?? {};
    const abort = new AbortController();
    r.res.on('close', () => {
      if (!r.res.writableFinished) abort.abort();
    });
    const s = new JsonStream(r);
    try {
      await buildImage(engine, {
        contextPath: '-',
        stdin: r.req,
        file: r.query.get('dockerfile') || undefined,
        tags: r.query.getAll('t').filter(Boolean),
        buildArgs: new Map(Object.entries(args).map(([k, v]) => [k, v ?? undefined])),
        noCache: boolQuery(r.query, 'nocache'),
        target: r.query.get('target') || undefined,
        labels: jsonQuery<Record<string, string>>(r, 'labels'),
        rm: boolQuery(r.query, 'rm', true),
        forceRm: boolQuery(r.query, 'forcerm'),
        network: r.query.get('networkmode') || undefined,
        pull: boolQuery(r.query, 'pull'),
        platform: r.query.get('platform') || undefined,
        memory: intQuery(r.query, 'memory') || undefined,
        shmSize: intQuery(r.query, 'shmsize') || undefined,
        cacheFrom: jsonQuery<string[]>(r, 'cachefrom'),
        extraHosts: (r.query.get('extrahosts') ?? '').split(',').filter(Boolean),
        signal: abort.signal,
      }, (m) => s.write(m));
    } catch (err) {
      s.fail(err);
    }
    s.end();
  });
}
