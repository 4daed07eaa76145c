/**
 * `wharf serve`'s HTTP server: Docker's Engine API on unix sockets and TCP (optionally TLS,
 * with client certificates when verifying). It strips the `/vX.Y` prefix and refuses
 * versions outside the range Docker's daemon accepts, sets dockerd's response headers,
 * hands `Upgrade: tcp` requests their connection (attach, exec start), and maps errors.
 */
import { createServer as createHttpServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Engine } from '../engine/engine.js';
import { API_VERSION, WHARF_VERSION } from '../engine/version.js';
import { Router } from './router.js';
import type { ApiRequest } from './http.js';
import { sendJson } from './http.js';
import { errorMessage, errorStatus } from './edge.js';
import { isHijacked } from './streams.js';
import { stopResidents } from '../engine/containers/resident.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerImageRoutes } from './routes/images.js';
import { registerContainerRoutes } from './routes/containers.js';
import { registerStreamRoutes } from './routes/streams.js';
import { registerVolumeRoutes } from './routes/volumes.js';
import { registerBuildRoutes } from './routes/build.js';

export const MIN_API_VERSION = '1.12';

export interface TlsFiles {
  ca?: Buffer;
  cert: Buffer;
  key: Buffer;
  /** Refuse clients without a certificate signed by `ca`. */
  verify: boolean;
}

/** Compare two `major.minor` API versions. */
export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

const commonHeaders = {
  'Api-Version': API_VERSION,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: `wharf/${WHARF_VERSION} (linux)`,
};

export interface ApiOptions {
  /** Containers keep running when the server stops (detached monitors), as dockerd's --live-restore. */
  liveRestore?: boolean;
}

export function buildRouter(engine: Engine, o: ApiOptions = {}): Router {
  const router = new Router();
  registerSystemRoutes(router, engine);
  registerImageRoutes(router, engine);
  registerContainerRoutes(router, engine, { resident: !o.liveRestore });
  registerStreamRoutes(router, engine);
  registerVolumeRoutes(router, engine);
  registerBuildRoutes(router, engine);
  return router;
}

export class ApiServer {
  private readonly router: Router;
  private readonly servers: Server[] = [];
  /** Sockets taken over by attach/exec: closed with the server. */
  private readonly hijacked = new Set<Socket>();

  constructor(
    readonly engine: Engine,
    private readonly options: ApiOptions = {},
  ) {
    this.router = buildRouter(engine, options);
  }

  /** An http(s) server answering the API; the caller listens on it. */
  server(tls?: TlsFiles): Server {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => void this.dispatch(req, res);
    const server = tls
      ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.verify, rejectUnauthorized: tls.verify }, onRequest)
      : createHttpServer(onRequest);
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const res = new ServerResponse(req);
      res.assignSocket(socket);
      res.shouldKeepAlive = false;
      this.hijacked.add(socket);
      socket.once('close', () => this.hijacked.delete(socket));
      void this.dispatch(req, res, { socket, head });
    });
    // Streams (logs -f, events, stats) stay open as long as the client wants.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    server.keepAliveTimeout = 60_000;
    this.servers.push(server);
    return server;
  }

  /** Stop listening; without --live-restore the containers this server supervises stop too. */
  async close(): Promise<void> {
    for (const s of this.hijacked) s.destroy();
    if (!this.options.liveRestore) await stopResidents();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => { s.close(() => r()); s.closeAllConnections(); })));
  }

  async dispatch(req: IncomingMessage, res: ServerResponse, upgrade?: { socket: Socket; head: Buffer }): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://wharf');
    let path = url.pathname;
    let version = API_VERSION;
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
    if (m) {
      version = m[1]!;
      path = m[2]!;
    }
    for (const [k, v] of Object.entries(commonHeaders)) res.setHeader(k, v);
    const method = req.method ?? 'GET';
    let found;
    try {
      found = this.router.match(method, path) ?? (method === 'HEAD' ? this.router.match('GET', path) : undefined);
    } catch (err) {
      sendJson({ req, res, method, path, query: url.searchParams, params: {}, version }, errorStatus(err), { message: errorMessage(err) });
      return;
    }
    const r: ApiRequest = { req, res, method, path, query: url.searchParams, params: found?.params ?? {}, version, upgrade };
    if (compareVersions(version, MIN_API_VERSION) < 0 || compareVersions(version, API_VERSION) > 0) res.removeHeader('Docker-Experimental');
    if (compareVersions(version, MIN_API_VERSION) < 0) {
      const text = `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version\n`;
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(text);
      return;
    }
    if (compareVersions(version, API_VERSION) > 0) {
      sendJson(r, 400, { message: `client version ${version} is too new. Maximum supported API version is ${API_VERSION}` });
      return;
    }
    if (!found) {
      for (const k of Object.keys(commonHeaders)) res.removeHeader(k);
      sendJson(r, 404, { message: 'page not found' });
      return;
    }
    try {
      await found.handler(r);
    } catch (err) {
      if (process.env.WHARF_API_DEBUG) process.stderr.write(`${method} ${path}: ${(err as Error)?.stack ?? String(err)}\n`);
      if (res.headersSent || isHijacked(r) || upgrade?.socket.destroyed) {
        if (upgrade) upgrade.socket.destroy();
        else res.destroy();
        return;
      }
      const status = errorStatus(err);
      sendJson(r, status, { message: errorMessage(err) });
      if (status === 413) req.destroy();
    }
  }
}
