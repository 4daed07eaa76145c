/**
 * HTTP plumbing for the registry client: keep-alive agents with the registry's TLS material,
 * redirects (dropping credentials across hosts), bounded retries with backoff on network
 * errors and 5xx, and Docker's one-line texts for network failures and registry error bodies.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { Readable } from 'node:stream';
import { WharfError, type ErrorCode } from '../../core/errors.js';
import type { TlsMaterial } from './config.js';

export type Body = Buffer | (() => Readable);

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Body;
  /** Retry network errors and 5xx (default: GET and HEAD only). */
  retry?: boolean;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** Final URL after redirects. */
  url: string;
}

export interface RetryPolicy {
  retries: number;
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 150 };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Exponential backoff with jitter for attempt 0, 1, 2... */
export function backoff(policy: RetryPolicy, attempt: number): number {
  const d = policy.baseDelayMs * 2 ** attempt;
  return Math.min(d + Math.random() * d * 0.2, 10_000);
}

/** Go's method spelling in net/http errors: `Get "url": ...`. */
const goMethod = (m: string) => m.charAt(0) + m.slice(1).toLowerCase();

/** Turn a Node socket error into Docker's (Go's) one-line text, as UNAVAILABLE. */
export function networkError(method: string, url: string, err: unknown): WharfError {
  if (err instanceof WharfError) return err;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const u = URL.canParse(url) ? new URL(url) : new URL(url, 'http://registry');
  let detail: string;
  switch (e.code) {
    case 'ECONNREFUSED':
      detail = `dial tcp ${e.address ?? u.hostname}:${e.port ?? u.port}: connect: connection refused`;
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      detail = `dial tcp: lookup ${u.hostname}: no such host`;
      break;
    case 'ECONNRESET':
      detail = 'read: connection reset by peer';
      break;
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      detail = `dial tcp ${u.host}: i/o timeout`;
      break;
    case 'EPIPE':
      detail = 'write: broken pipe';
      break;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      detail = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
      break;
    case 'CERT_HAS_EXPIRED':
    case 'CERT_NOT_YET_VALID':
      detail = 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
      break;
    default: {
      // OpenSSL's "tlsv13 alert certificate required" / "sslv3 alert bad certificate" are Go's remote errors.
      const alert = /alert (certificate required|bad certificate|unknown ca|handshake failure)/i.exec(e.message ?? '')?.[1];
      if (alert) {
        detail = `remote error: tls: ${alert.toLowerCase()}`;
        break;
      }
      detail = /wrong version number|packet length too long/i.test(e.message ?? '')
        ? 'http: server gave HTTP response to HTTPS client'
        : e.message ?? String(err);
    }
  }
  return new WharfError('UNAVAILABLE', `${goMethod(method)} "${url}": ${detail}`, { cause: err });
}

export function isRetriableNetworkError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return ['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET'].includes(code ?? '') ||
    /socket hang up|aborted/i.test((err as Error)?.message ?? '');
}

/** Read a response body into memory, refusing more than `limit` bytes. */
export async function readBody(res: IncomingMessage, limit = 16 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.destroy();
      throw new WharfError('CORRUPT', `response exceeded maximum allowed size of ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export function drain(res: IncomingMessage): void {
  res.resume();
}

interface RegistryErrorBody {
  errors?: { code?: string; message?: string; detail?: unknown }[];
  details?: string;
}

/** distribution's errcode text: `manifest unknown: manifest unknown`. */
export function registryErrorText(status: number, statusText: string, body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as RegistryErrorBody;
    const errs = parsed.errors ?? [];
    if (errs.length) {
      return errs
        .map((e) => `${(e.code ?? 'unknown').toLowerCase().replace(/_/g, ' ')}: ${e.message ?? ''}`.trim())
        .join(', ');
    }
    if (parsed.details) return `${status === 401 ? 'unauthorized' : 'error'}: ${parsed.details}`;
  } catch {
    // not JSON
  }
  const text = body.toString('utf8').trim().split('\n')[0] ?? '';
  if (status === 401) return `unauthorized: ${text || 'authentication required'}`;
  if (status === 403) return `denied: ${text || 'requested access to the resource is denied'}`;
  return `received unexpected HTTP status: ${status} ${statusText}`;
}

export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'DENIED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 400 || status === 413) return 'INVALID_ARGUMENT';
  if (status >= 500 || status === 429) return 'UNAVAILABLE';
  return 'INTERNAL';
}

/** Read the body of a failed response and turn it into a WharfError (with an optional prefix). */
export async function responseError(res: HttpResponse, prefix = ''): Promise<WharfError> {
  const body = await readBody(res.body, 1 << 20).catch(() => Buffer.alloc(0));
  const text = registryErrorText(res.status, res.statusText, body);
  return new WharfError(codeForStatus(res.status), prefix + text);
}

export class HttpTransport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  /** `insecure`: skip certificate verification, as dockerd does for insecure registries. */
  constructor(tls: TlsMaterial = {}, readonly retry: RetryPolicy = DEFAULT_RETRY, insecure = false) {
    const agentOpts = { keepAlive: true, maxSockets: 32, timeout: 120_000 };
    this.httpAgent = new http.Agent(agentOpts);
    this.httpsAgent = new https.Agent({
      ...agentOpts,
      ca: tls.ca ? [...rootCertificates, ...tls.ca.map((b) => b.toString('utf8'))] : undefined,
      cert: tls.cert,
      key: tls.key,
      rejectUnauthorized: !insecure,
    });
  }

  /** One exchange, following up to 5 redirects. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers = { ...req.headers };
    let method = req.method;
    for (let hop = 0; ; hop++) {
      const res = await this.once(method, url, headers, req.body);
      const loc = res.headers.location;
      if (res.status >= 300 && res.status < 400 && res.status !== 304 && loc && hop < 5) {
        drain(res.body);
        const next = new URL(loc, url);
        if (next.host !== new URL(url).host) {
          headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
        }
        if (res.status === 303) method = 'GET';
        url = next.toString();
        continue;
      }
      return res;
    }
  }

  /** `send` with bounded retries on network errors and 5xx when the request may be repeated. */
  async request(req: HttpRequest): Promise<HttpResponse> {
    const retriable = req.retry ?? (req.method === 'GET' || req.method === 'HEAD');
    for (let attempt = 0; ; attempt++) {
      const last = !retriable || attempt >= this.retry.retries;
      try {
        const res = await this.send(req);
        if (res.status >= 500 && res.status !== 501 && !last) {
          drain(res.body);
          await sleep(backoff(this.retry, attempt));
          continue;
        }
        return res;
      } catch (err) {
        if (last || !isRetriableNetworkError(err)) throw networkError(req.method, req.url, err);
        await sleep(backoff(this.retry, attempt));
      }
    }
  }

  private once(method: string, url: string, headers: Record<string, string>, body?: Body): Promise<HttpResponse> {
    const u = new URL(url);
    const mod = u.protocol === 'https:' ? https : http;
    const agent = u.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    const h: Record<string, string | number> = { 'User-Agent': 'wharf/0.1', ...headers };
    if (Buffer.isBuffer(body)) h['Content-Length'] = body.length;
    else if (!body && method !== 'GET' && method !== 'HEAD') h['Content-Length'] = 0;
    return new Promise((resolve, reject) => {
      const creq = mod.request(u, { method, headers: h, agent }, (res) => {
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: res, url });
      });
      creq.on('error', reject);
      if (!body) creq.end();
      else if (Buffer.isBuffer(body)) creq.end(body);
      else {
        const src = body();
        src.on('error', (e) => creq.destroy(e));
        src.pipe(creq);
      }
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** A request to one registry, authenticated for `scopes`; `path` is relative to the endpoint or absolute. */
export interface RegistryCall {
  method: string;
  path: string;
  scopes: string[];
  headers?: Record<string, string>;
  body?: Body;
  retry?: boolean;
}

/** What manifests.ts, blobs.ts and upload.ts need from the client. */
export interface Requester {
  /** The registry name as addressed (`docker.io`, `localhost:5000`). */
  readonly registry: string;
  call(req: RegistryCall): Promise<HttpResponse>;
  readonly retryPolicy: RetryPolicy;
}
