/**
 * The server factory: builds the services, the route table and an http or https server, and
 * maps every failure to a spec error body at this one edge. `createRegistryServer` is what the
 * CLI, tests and benchmarks start; it listens only where the config says.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Digest } from '../../core/digest.js';
import { createAuthorizer } from './auth/index.js';
import { splitAddr, type RegistryConfig } from './config.js';
import { RegistryError, regError } from './errors.js';
import { openStore } from './backends.js';
import { BackendUnavailableError, BlobNotFoundError } from './blobs/store.js';
import { gcOnce } from './gc.js';
import { baseHeaders, match, newContext, sendError, type RequestContext, type Route } from './http.js';
import type { Registry } from './registry.js';
import { adminRoutes } from './routes/admin.js';
import { blobRoutes } from './routes/blobs.js';
import { discoveryRoutes } from './routes/discovery.js';
import { manifestRoutes } from './routes/manifests.js';
import { tokenRoutes } from './routes/token.js';
import { uiRoutes } from './routes/ui.js';
import { Metrics, routeLabel } from './metrics.js';
import { InvalidPathError } from './storage/driver.js';
import { UploadManager } from './uploads.js';
import { Notifier, type Outbox } from './webhooks.js';
import type { PostgresMetadata } from './meta/postgres.js';
import type { RegistryStore } from './store.js';

export interface RunningRegistry {
  registry: Registry;
  server: Server;
  /** Base URL once listening, e.g. http://127.0.0.1:5000 */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Where request log lines go; default stderr. */
  log?: (line: string) => void;
}

export async function buildRegistry(config: RegistryConfig): Promise<Registry> {
  const store = await openStore(config);
  const metrics = new Metrics();
  return {
    config,
    store,
    uploads: new UploadManager(store, {
      onCommit(seconds, size) {
        metrics.uploadSeconds.observe(seconds);
        metrics.uploadBytes.add({}, size);
      },
    }),
    auth: createAuthorizer(config),
    notifier: new Notifier(config.notifications?.endpoints ?? [], config.addr, await outboxOf(store)),
    metrics,
    pins: new Map<Digest, number>(),
  };
}

/** With PostgreSQL metadata, webhooks go through its shared outbox. */
async function outboxOf(store: RegistryStore): Promise<Outbox | undefined> {
  if (store.meta.kind !== 'postgres') return undefined;
  const { PostgresOutbox } = await import('./meta/postgres-webhooks.js');
  return new PostgresOutbox(store.meta as PostgresMetadata);
}

/** Count a finished request in the metrics. */
function countRequest(reg: Registry, route: Route | undefined, ctx: RequestContext): void {
  const label = route ? routeLabel(route.pattern, route.keys) : 'unmatched';
  const { req, res } = ctx;
  reg.metrics.requests.add({ route: label, method: req.method ?? '', status: String(res.statusCode) });
  const out = Number(res.getHeader('Content-Length') ?? 0);
  if (out > 0 && req.method !== 'HEAD') reg.metrics.bytesOut.add({ route: label }, out);
  const inBytes = Number(req.headers['content-length'] ?? 0);
  if (inBytes > 0) reg.metrics.bytesIn.add({ route: label }, inBytes);
}

export function requestHandler(reg: Registry, secure: boolean, log: (line: string) => void) {
  const routes: Route[] = [
    ...tokenRoutes(reg),
    ...discoveryRoutes(reg),
    ...blobRoutes(reg),
    ...manifestRoutes(reg),
    ...adminRoutes(reg),
    ...(reg.config.ui === false ? [] : uiRoutes(reg)),
  ];
  const logRequests = reg.config.log?.requests !== false;

  return async (req: IncomingMessage, res: ServerResponse) => {
    const ctx = newContext(req, res, secure);
    baseHeaders(res);
    for (const [name, value] of Object.entries(reg.config.headers ?? {})) res.setHeader(name, value);
    let matched: Route | undefined;
    res.on('finish', () => {
      countRequest(reg, matched, ctx);
      if (logRequests) log(requestLine(ctx));
    });
    try {
      const { route, params, methodMismatch } = match(routes, req.method ?? 'GET', ctx.url.pathname);
      matched = route;
      if (!route) {
        if (methodMismatch) throw regError('UNSUPPORTED', undefined, { status: 405 });
        throw regError('NAME_UNKNOWN', undefined, { status: 404, message: 'not found' });
      }
      ctx.params = params;
      await route.handler(ctx);
    } catch (err) {
      if (!req.complete) req.resume();
      sendError(ctx, toRegistryError(err, log));
    }
  };
}

function toRegistryError(err: unknown, log: (line: string) => void): RegistryError {
  if (err instanceof RegistryError) return err;
  if (err instanceof InvalidPathError || err instanceof URIError) return regError('NAME_INVALID');
  if (err instanceof BlobNotFoundError) return regError('BLOB_UNKNOWN', { digest: err.digest });
  if (err instanceof BackendUnavailableError) {
    log(`backend unavailable: ${err.message}`);
    return regError('UNAVAILABLE', { backend: err.backend }, { message: `${err.backend} unavailable`, headers: { 'Retry-After': '1' } });
  }
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') return regError('BLOB_UPLOAD_INVALID', undefined, { message: 'request aborted' });
  log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
  return regError('UNKNOWN');
}

function requestLine(ctx: RequestContext): string {
  const { req, res } = ctx;
  return JSON.stringify({
    time: new Date(ctx.started).toISOString(),
    id: ctx.id,
    remote: req.socket.remoteAddress,
    method: req.method,
    path: ctx.url.pathname,
    status: res.statusCode,
    bytes: Number(res.getHeader('Content-Length') ?? 0),
    ms: Date.now() - ctx.started,
    user: ctx.actor,
    agent: req.headers['user-agent'],
  });
}

export async function createRegistryServer(config: RegistryConfig, options: ServerOptions = {}): Promise<RunningRegistry> {
  const log = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const reg = await buildRegistry(config);
  const secure = !!config.tls;
  const handler = requestHandler(reg, secure, log);
  const server = secure
    ? createHttpsServer({ cert: readFileSync(config.tls!.cert), key: readFileSync(config.tls!.key) }, handler)
    : createHttpServer(handler);
  server.keepAliveTimeout = 65_000;
  server.on('close', () => void reg.store.close().catch(() => {}));
  server.requestTimeout = 0; // large blob uploads may take long
  const { host, port } = splitAddr(config.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let gcTimer: NodeJS.Timeout | undefined;
  const interval = config.gc?.interval ?? 0;
  if (interval > 0) {
    let running = false;
    gcTimer = setInterval(() => {
      if (running) return;
      running = true;
      gcOnce(reg, {})
        .then((r) => {
          if (!r.skipped) log(JSON.stringify({ gc: { deletedBlobs: r.deletedBlobs.length, freedBytes: r.freedBytes, deletedManifests: r.deletedManifests.length } }));
        })
        .catch((err) => log(`gc failed: ${(err as Error).message}`))
        .finally(() => {
          running = false;
          prunePins(reg, (config.gc?.gracePeriod ?? 3600) * 1000);
        });
    }, interval * 1000);
    gcTimer.unref();
  }

  return {
    registry: reg,
    server,
    port: actualPort,
    url: `${secure ? 'https' : 'http'}://${shownHost}:${actualPort}`,
    async close() {
      if (gcTimer) clearInterval(gcTimer);
      reg.notifier.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function prunePins(reg: Registry, grace: number): void {
  const now = Date.now();
  for (const [d, t] of reg.pins) if (now - t > grace) reg.pins.delete(d);
}
