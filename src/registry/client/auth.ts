/**
 * Registry authentication: parses `WWW-Authenticate` challenges (Basic and Bearer with realm,
 * service, scope), answers Basic with stored credentials, and fetches Bearer tokens (GET with
 * basic credentials, OAuth2 POST for refresh tokens and as a fallback), cached per scope set
 * until shortly before they expire.
 */
import { WharfError } from '../../core/errors.js';
import type { AuthConfig } from './credentials.js';
import { readBody, registryErrorText, type HttpTransport, networkError } from './http.js';

export interface Challenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

export type CredentialSource = () => Promise<AuthConfig | undefined>;

/** Parse a WWW-Authenticate header into its challenges (RFC 7235, quoted or token values). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const value of Array.isArray(header) ? header : header ? [header] : []) {
    const tok = /\s*,?\s*([A-Za-z0-9_.-]+)(\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?/y;
    let current: { scheme: string; params: Record<string, string> } | undefined;
    let m: RegExpExecArray | null;
    while (tok.lastIndex < value.length && (m = tok.exec(value))) {
      if (!m[2]) {
        current = { scheme: m[1]!.toLowerCase(), params: {} };
        if (current.scheme === 'basic' || current.scheme === 'bearer') out.push(current as Challenge);
      } else if (current) {
        current.params[m[1]!.toLowerCase()] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[4]!;
      }
    }
  }
  return out;
}

/** `repository:NAME:pull` or `repository:NAME:pull,push`. */
export function repositoryScope(repo: string, push = false): string {
  return `repository:${repo}:${push ? 'pull,push' : 'pull'}`;
}

export const basicHeader = (username: string, password: string) =>
  'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');

interface CachedToken {
  token: string;
  expiresAt: number;
}

interface TokenResponse {
  token?: string;
  access_token?: string;
  expires_in?: number;
  issued_at?: string;
  refresh_token?: string;
}

export class Authenticator {
  challenge?: Challenge;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly transport: HttpTransport,
    private readonly credentials: CredentialSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Learn the registry's challenge from a 401 and drop cached tokens for these scopes. */
  learn(header: string | string[] | undefined, scopes: string[]): boolean {
    const challenges = parseChallenges(header);
    const chosen = challenges.find((c) => c.scheme === 'bearer') ?? challenges[0];
    if (!chosen) return false;
    this.challenge = chosen;
    this.tokens.delete(scopeKey(scopes));
    return true;
  }

  /** The Authorization header for a request needing `scopes`, or undefined when none applies. */
  async authorization(scopes: string[], method: string, url: string): Promise<string | undefined> {
    const ch = this.challenge;
    if (!ch) return undefined;
    if (ch.scheme === 'basic') {
      const creds = await this.credentials();
      if (!creds?.username) {
        const m = method.charAt(0) + method.slice(1).toLowerCase();
        throw new WharfError('UNAUTHORIZED', `${m} "${url}": no basic auth credentials`);
      }
      return basicHeader(creds.username, creds.password ?? '');
    }
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.now()) return `Bearer ${cached.token}`;
    let p = this.pending.get(key);
    if (!p) {
      p = this.fetchToken(ch.params, scopes).finally(() => this.pending.delete(key));
      this.pending.set(key, p);
    }
    return `Bearer ${await p}`;
  }

  private async fetchToken(params: Record<string, string>, scopes: string[]): Promise<string> {
    const realm = params.realm;
    if (!realm) throw new WharfError('UNAUTHORIZED', 'unauthorized: bearer challenge without a realm');
    const creds = await this.credentials();
    const service = params.service;
    const wanted = scopes.length ? scopes : params.scope ? [params.scope] : [];
    let body: TokenResponse;
    if (creds?.identityToken) {
      body = await this.postToken(realm, service, wanted, { grant_type: 'refresh_token', refresh_token: creds.identityToken });
    } else {
      const u = new URL(realm);
      if (service) u.searchParams.set('service', service);
      for (const s of wanted) u.searchParams.append('scope', s);
      if (creds?.username) u.searchParams.set('account', creds.username);
      const headers: Record<string, string> = {};
      if (creds?.username) headers.Authorization = basicHeader(creds.username, creds.password ?? '');
      const res = await this.transport.request({ method: 'GET', url: u.toString(), headers });
      if ((res.status === 404 || res.status === 405) && creds?.username) {
        res.body.resume();
        body = await this.postToken(realm, service, wanted, {
          grant_type: 'password', username: creds.username, password: creds.password ?? '',
        });
      } else {
        body = await this.parseTokenResponse(res.status, res.statusText, await readBody(res.body, 1 << 20));
      }
    }
    const token = body.token ?? body.access_token;
    if (!token) throw new WharfError('UNAUTHORIZED', 'unauthorized: authorization server did not include a token in the response');
    const ttl = Math.max(body.expires_in ?? 60, 60) * 1000;
    const issued = body.issued_at ? Date.parse(body.issued_at) : NaN;
    const start = Number.isFinite(issued) && Math.abs(issued - this.now()) < 3600_000 ? issued : this.now();
    this.tokens.set(scopeKey(scopes), { token, expiresAt: start + ttl - 5000 });
    return token;
  }

  private async postToken(realm: string, service: string | undefined, scopes: string[], form: Record<string, string>): Promise<TokenResponse> {
    const f = new URLSearchParams({ ...form, client_id: 'wharf', access_type: 'offline' });
    if (service) f.set('service', service);
    if (scopes.length) f.set('scope', scopes.join(' '));
    const res = await this.transport
      .request({ method: 'POST', url: realm, retry: true, body: Buffer.from(f.toString()), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
      .catch((e) => { throw networkError('POST', realm, e); });
    return this.parseTokenResponse(res.status, res.statusText, await readBody(res.body, 1 << 20));
  }

  private async parseTokenResponse(status: number, statusText: string, bytes: Buffer): Promise<TokenResponse> {
    if (status !== 200) {
      const text = registryErrorText(status, statusText, bytes);
      throw new WharfError(status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'DENIED' : 'UNAVAILABLE', text);
    }
    try {
      return JSON.parse(bytes.toString('utf8')) as TokenResponse;
    } catch {
      throw new WharfError('UNAUTHORIZED', 'unauthorized: unable to decode token response');
    }
  }
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(' ');
}
