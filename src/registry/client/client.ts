/**
 * RegistryClient: one registry (`docker.io`, `localhost:5000`, ...), its endpoint chosen once
 * by pinging (mirrors first for docker.io pulls; HTTPS, then plain HTTP where allowed),
 * authenticated requests that answer 401 challenges once, and the distribution operations
 * from manifests.ts, blobs.ts and upload.ts plus `/v1/search`.
 */
import type { Readable } from 'node:stream';
import { WharfError } from '../../core/errors.js';
import type { Digest } from '../../core/digest.js';
import type { Descriptor } from '../../core/descriptor.js';
import { DEFAULT_DOMAIN } from '../../core/reference.js';
import { Authenticator, basicHeader, type CredentialSource } from './auth.js';
import { getBlob, statBlob, type BlobReadOptions } from './blobs.js';
import { DOCKER_HUB_INDEX, RegistryConfig, type RegistryEndpoint } from './config.js';
import { CredentialStore, type AuthConfig } from './credentials.js';
import {
  DEFAULT_RETRY, HttpTransport, drain, readBody, responseError,
  type HttpResponse, type RegistryCall, type Requester, type RetryPolicy,
} from './http.js';
import { getManifest, headManifest, listTags, putManifest, type FetchedManifest } from './manifests.js';
import { uploadBlob, type UploadOptions, type UploadResult } from './upload.js';

export interface RegistryClientOptions {
  config?: RegistryConfig;
  /** Credentials: fixed, a lookup function, or (default) Docker's config.json via CredentialStore. */
  credentials?: AuthConfig | CredentialSource;
  retry?: RetryPolicy;
  /** Pushing: never use mirrors. */
  push?: boolean;
}

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

export class RegistryClient implements Requester {
  readonly registry: string;
  readonly retryPolicy: RetryPolicy;
  private readonly config: RegistryConfig;
  private readonly endpoints: RegistryEndpoint[];
  private readonly transports = new Map<string, HttpTransport>();
  private readonly auth = new Map<string, Authenticator>();
  private readonly credentials: CredentialSource;
  private chosen?: Promise<RegistryEndpoint>;

  constructor(registry: string, opts: RegistryClientOptions = {}) {
    this.registry = registry === 'index.docker.io' ? DEFAULT_DOMAIN : registry;
    this.config = opts.config ?? RegistryConfig.load();
    this.retryPolicy = opts.retry ?? DEFAULT_RETRY;
    this.endpoints = this.config.endpoints(this.registry, { push: opts.push });
    const creds = opts.credentials;
    if (typeof creds === 'function') this.credentials = creds;
    else if (creds) this.credentials = async () => creds;
    else {
      const store = new CredentialStore();
      this.credentials = () => store.get(this.registry);
    }
  }

  private transportFor(ep: RegistryEndpoint): HttpTransport {
    let t = this.transports.get(ep.host);
    if (!t) this.transports.set(ep.host, (t = new HttpTransport(ep.tls, this.retryPolicy, ep.insecure)));
    return t;
  }

  private authFor(ep: RegistryEndpoint): Authenticator {
    let a = this.auth.get(ep.baseUrl);
    if (!a) {
      // Mirrors are anonymous; credentials belong to the registry they were stored for.
      const creds = ep.mirror ? async () => undefined : this.credentials;
      this.auth.set(ep.baseUrl, (a = new Authenticator(this.transportFor(ep), creds)));
    }
    return a;
  }

  /** `GET /v2/` on each candidate until one answers; learns the auth challenge. */
  private async pingEndpoint(ep: RegistryEndpoint): Promise<RegistryEndpoint> {
    const candidates = [ep];
    if (ep.insecure && ep.baseUrl.startsWith('https:')) candidates.push({ ...ep, baseUrl: `http://${ep.host}` });
    let lastErr: unknown;
    for (const cand of candidates) {
      const url = `${cand.baseUrl}/v2/`;
      try {
        const res = await this.transportFor(cand).request({ method: 'GET', url, retry: false });
        drain(res.body);
        if (res.status === 401) this.authFor(cand).learn(res.headers['www-authenticate'], []);
        else if (res.status !== 200) throw new WharfError('UNAVAILABLE', `Get "${url}": received unexpected HTTP status: ${res.status} ${res.statusText}`);
        return cand;
      } catch (err) {
        lastErr = err;
      }
    }
    throw lastErr;
  }

  /** The endpoint in use (pings on first call). */
  endpoint(): Promise<RegistryEndpoint> {
    this.chosen ??= (async () => {
      let lastErr: unknown;
      for (const ep of this.endpoints) {
        try {
          return await this.pingEndpoint(ep);
        } catch (err) {
          lastErr = err;
        }
      }
      throw lastErr;
    })();
    this.chosen.catch(() => { this.chosen = undefined; });
    return this.chosen;
  }

  /** Check the registry is reachable and speaks the v2 API. */
  async ping(): Promise<RegistryEndpoint> {
    return this.endpoint();
  }

  async call(req: RegistryCall): Promise<HttpResponse> {
    const ep = await this.endpoint();
    const auth = this.authFor(ep);
    const transport = this.transportFor(ep);
    const url = /^https?:\/\//.test(req.path) ? req.path : ep.baseUrl + req.path;
    for (let attempt = 0; ; attempt++) {
      const headers = { ...req.headers };
      const authz = await auth.authorization(req.scopes, req.method, url);
      if (authz) headers.Authorization = authz;
      const res = await transport.request({ method: req.method, url, headers, body: req.body, retry: req.retry });
      if (res.status === 401 && attempt === 0 && auth.learn(res.headers['www-authenticate'], req.scopes)) {
        drain(res.body);
        continue;
      }
      return res;
    }
  }

  /**
   * Verify credentials as `docker login` does: Basic registries get `GET /v2/` with them,
   * Bearer registries must hand out a token for them.
   */
  async login(): Promise<void> {
    const ep = await this.endpoint();
    const auth = this.authFor(ep);
    if (!auth.challenge) return;
    const url = `${ep.baseUrl}/v2/`;
    let headers: Record<string, string> = {};
    if (auth.challenge.scheme === 'basic') {
      const creds = await this.credentials();
      headers = { Authorization: basicHeader(creds?.username ?? '', creds?.password ?? '') };
    } else {
      headers = { Authorization: (await auth.authorization([], 'GET', url))! };
    }
    const res = await this.transportFor(ep).request({ method: 'GET', url, headers });
    drain(res.body);
    if (res.status !== 200) {
      throw new WharfError('UNAUTHORIZED', `login attempt to ${url} failed with status: ${res.status} ${res.statusText}`);
    }
  }

  getManifest(repo: string, tagOrDigest: string, accept?: string[]): Promise<FetchedManifest> {
    return getManifest(this, repo, tagOrDigest, accept);
  }

  headManifest(repo: string, tagOrDigest: string, accept?: string[]): Promise<Descriptor | undefined> {
    return headManifest(this, repo, tagOrDigest, accept);
  }

  putManifest(repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<Digest> {
    return putManifest(this, repo, ref, bytes, mediaType);
  }

  async blobExists(repo: string, digest: Digest): Promise<boolean> {
    return (await statBlob(this, repo, digest)) !== undefined;
  }

  getBlob(repo: string, digest: Digest, size?: number, opts?: BlobReadOptions): Readable {
    return getBlob(this, repo, digest, size, opts);
  }

  uploadBlob(repo: string, desc: Descriptor, open: () => Readable, opts?: UploadOptions): Promise<UploadResult> {
    return uploadBlob(this, repo, desc, open, opts);
  }

  listTags(repo: string): Promise<string[]> {
    return listTags(this, repo);
  }

  /** `GET /v1/search?q=TERM&n=LIMIT` on this registry (Docker Hub: its index). */
  async search(term: string, limit = 25): Promise<SearchResult[]> {
    const q = `q=${encodeURIComponent(term)}&n=${limit}`;
    const path = this.registry === DEFAULT_DOMAIN ? `${DOCKER_HUB_INDEX}search?${q}` : `/v1/search?${q}`;
    const res = await this.call({ method: 'GET', path, scopes: [] });
    if (res.status !== 200) throw await responseError(res, `Unexpected status code ${res.status}: `);
    const body = JSON.parse((await readBody(res.body)).toString('utf8')) as { results?: Partial<SearchResult>[] | null };
    return (body.results ?? []).map((r) => ({
      name: r.name ?? '',
      description: r.description ?? '',
      star_count: r.star_count ?? 0,
      is_official: !!r.is_official,
      is_automated: !!r.is_automated,
    }));
  }

  close(): void {
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
  }
}
