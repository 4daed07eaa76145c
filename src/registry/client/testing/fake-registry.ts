/**
 * An in-memory OCI distribution registry on 127.0.0.1 for tests: manifests, blobs (with
 * Range), uploads (monolithic, chunked PATCH, cross-repo mount), tag listing with pagination,
 * `/v1/search`, optional Basic or Bearer auth (with its own token endpoint), a request log,
 * and a `fault` hook that can answer any request itself to misbehave.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { digestOf, type Digest } from '../../../core/digest.js';

export interface FakeRegistryOptions {
  auth?: { scheme: 'basic' | 'bearer'; username: string; password: string; tokenTtl?: number };
  /** Page size for tags/list when the client asks for none. */
  tagsPageSize?: number;
}

export interface LoggedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

export type FaultHook = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers });
  res.end(data);
};

const regError = (res: ServerResponse, status: number, code: string, message: string, headers?: Record<string, string>) =>
  json(res, status, { errors: [{ code, message, detail: null }] }, headers);

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export class FakeRegistry {
  readonly blobs = new Map<string, Buffer>();
  /** Which repositories may serve a blob (mount needs it in `from`). */
  readonly repoBlobs = new Map<string, Set<string>>();
  readonly manifests = new Map<string, Map<string, { bytes: Buffer; mediaType: string }>>();
  readonly uploads = new Map<string, { repo: string; parts: Buffer[] }>();
  readonly requests: LoggedRequest[] = [];
  searchResults: unknown[] = [];
  fault?: FaultHook;
  private readonly tokens = new Map<string, number>();
  private server!: http.Server;
  host = '';

  constructor(readonly opts: FakeRegistryOptions = {}) {}

  static async start(opts: FakeRegistryOptions = {}): Promise<FakeRegistry> {
    const r = new FakeRegistry(opts);
    r.server = http.createServer((req, res) => {
      r.handle(req, res).catch((err) => {
        if (!res.headersSent) regError(res, 500, 'UNKNOWN', String(err));
        else res.destroy();
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.host = `127.0.0.1:${(r.server.address() as AddressInfo).port}`;
    return r;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forget every issued token (clients must fetch new ones). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  /** Store a blob in a repository; `digest` may be given to plant a lying one. */
  addBlob(repo: string, bytes: Buffer, digest: Digest = digestOf(bytes)): Digest {
    this.blobs.set(digest, bytes);
    if (!this.repoBlobs.has(repo)) this.repoBlobs.set(repo, new Set());
    this.repoBlobs.get(repo)!.add(digest);
    return digest;
  }

  addManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Digest {
    const digest = digestOf(bytes);
    if (!this.manifests.has(repo)) this.manifests.set(repo, new Map());
    const m = this.manifests.get(repo)!;
    m.set(digest, { bytes, mediaType });
    if (ref !== digest) m.set(ref, { bytes, mediaType });
    return digest;
  }

  private authorized(req: IncomingMessage, res: ServerResponse): boolean {
    const a = this.opts.auth;
    if (!a) return true;
    const header = req.headers.authorization ?? '';
    if (a.scheme === 'basic') {
      const expected = 'Basic ' + Buffer.from(`${a.username}:${a.password}`).toString('base64');
      if (header === expected) return true;
      regError(res, 401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': 'Basic realm="fake"' });
      return false;
    }
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    const exp = this.tokens.get(token);
    if (exp !== undefined && exp > Date.now()) return true;
    const m = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(req.url ?? '');
    const scope = m ? `,scope="repository:${m[1]}:${req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'pull,push'}"` : '';
    regError(res, 401, 'UNAUTHORIZED', 'authentication required', {
      'WWW-Authenticate': `Bearer realm="${this.url}/token",service="fake-registry"${scope}`,
    });
    return false;
  }

  private token(req: IncomingMessage, res: ServerResponse): void {
    const a = this.opts.auth!;
    const header = req.headers.authorization;
    if (header) {
      const expected = 'Basic ' + Buffer.from(`${a.username}:${a.password}`).toString('base64');
      if (header !== expected) return json(res, 401, { details: 'incorrect username or password' });
    }
    const token = randomUUID();
    const ttl = a.tokenTtl ?? 300;
    this.tokens.set(token, Date.now() + ttl * 1000);
    json(res, 200, { token, expires_in: ttl, issued_at: new Date().toISOString() });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (this.fault && (await this.fault(req, res))) return;
    const u = new URL(req.url ?? '/', this.url);
    if (u.pathname === '/token' && this.opts.auth?.scheme === 'bearer') return this.token(req, res);
    if (!this.authorized(req, res)) return;
    if (u.pathname === '/v2/' || u.pathname === '/v2') return json(res, 200, {}, { 'Docker-Distribution-Api-Version': 'registry/2.0' });
    if (u.pathname === '/v1/search') {
      const q = u.searchParams.get('q') ?? '';
      const n = Number(u.searchParams.get('n') ?? 25);
      const results = (this.searchResults as { name: string }[]).filter((r) => r.name.includes(q)).slice(0, n);
      return json(res, 200, { num_results: results.length, query: q, results });
    }
    const m = /^\/v2\/(.+?)\/(manifests|blobs\/uploads|blobs|tags)\/(.*)$/.exec(u.pathname);
    if (!m) return regError(res, 404, 'NOT_FOUND', 'not found');
    const [, repo, kind, rest] = m as unknown as [string, string, string, string];
    if (kind === 'manifests') return this.manifest(req, res, repo, decodeURIComponent(rest));
    if (kind === 'blobs') return this.blob(req, res, repo, rest);
    if (kind === 'blobs/uploads') return this.upload(req, res, u, repo, rest);
    return this.tagList(res, u, repo);
  }

  private async manifest(req: IncomingMessage, res: ServerResponse, repo: string, ref: string): Promise<void> {
    if (req.method === 'PUT') {
      const body = await readAll(req);
      const digest = this.addManifest(repo, ref, body, req.headers['content-type'] ?? '');
      res.writeHead(201, { 'Docker-Content-Digest': digest, Location: `/v2/${repo}/manifests/${digest}`, 'Content-Length': 0 });
      return void res.end();
    }
    const m = this.manifests.get(repo)?.get(ref);
    if (!m) return regError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
    res.writeHead(200, { 'Content-Type': m.mediaType, 'Content-Length': m.bytes.length, 'Docker-Content-Digest': digestOf(m.bytes) });
    res.end(req.method === 'HEAD' ? undefined : m.bytes);
  }

  private blob(req: IncomingMessage, res: ServerResponse, repo: string, digest: string): void {
    const bytes = this.repoBlobs.get(repo)?.has(digest) ? this.blobs.get(digest) : undefined;
    if (!bytes) return regError(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const headers = { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': digest };
    if (range && req.method === 'GET') {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : bytes.length - 1;
      if (start >= bytes.length) return regError(res, 416, 'BLOB_UNKNOWN', 'range not satisfiable');
      res.writeHead(206, { ...headers, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${bytes.length}` });
      return void res.end(bytes.subarray(start, end + 1));
    }
    res.writeHead(200, { ...headers, 'Content-Length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  private async upload(req: IncomingMessage, res: ServerResponse, u: URL, repo: string, id: string): Promise<void> {
    if (req.method === 'POST') {
      const mount = u.searchParams.get('mount');
      const from = u.searchParams.get('from');
      if (mount && from && this.repoBlobs.get(from)?.has(mount)) {
        this.addBlob(repo, this.blobs.get(mount)!, mount as Digest);
        res.writeHead(201, { Location: `/v2/${repo}/blobs/${mount}`, 'Docker-Content-Digest': mount, 'Content-Length': 0 });
        return void res.end();
      }
      await readAll(req);
      const uuid = randomUUID();
      this.uploads.set(uuid, { repo, parts: [] });
      res.writeHead(202, { Location: `/v2/${repo}/blobs/uploads/${uuid}?_state=x`, 'Docker-Upload-UUID': uuid, Range: '0-0', 'Content-Length': 0 });
      return void res.end();
    }
    const up = this.uploads.get(id);
    if (!up) return regError(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    const body = await readAll(req);
    if (body.length) up.parts.push(body);
    if (req.method === 'PATCH') {
      const size = up.parts.reduce((n, p) => n + p.length, 0);
      res.writeHead(202, { Location: `/v2/${repo}/blobs/uploads/${id}?_state=y`, Range: `0-${size - 1}`, 'Content-Length': 0 });
      return void res.end();
    }
    const all = Buffer.concat(up.parts);
    const digest = u.searchParams.get('digest') ?? '';
    if (digestOf(all) !== digest) return regError(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
    this.uploads.delete(id);
    this.addBlob(repo, all);
    res.writeHead(201, { Location: `/v2/${repo}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 });
    res.end();
  }

  private tagList(res: ServerResponse, u: URL, repo: string): void {
    const m = this.manifests.get(repo);
    if (!m) return regError(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    const all = [...m.keys()].filter((k) => !k.includes(':')).sort();
    const n = Number(u.searchParams.get('n') ?? this.opts.tagsPageSize ?? 1000);
    const last = u.searchParams.get('last');
    const start = last ? all.findIndex((t) => t > last) : 0;
    const page = start < 0 ? [] : all.slice(start, start + n);
    const headers: Record<string, string> = {};
    if (start >= 0 && start + n < all.length) headers.Link = `</v2/${repo}/tags/list?n=${n}&last=${page[page.length - 1]}>; rel="next"`;
    json(res, 200, { name: repo, tags: page }, headers);
  }
}
