/**
 * Request authorisation. Routes declare the access they need; this module decides, before any
 * storage is touched, whether the caller has it, so a refused request learns nothing about
 * what exists. Three modes: open, htpasswd basic auth, and Docker token auth (Bearer JWTs
 * issued by the built-in /auth/token endpoint).
 */
import type { IncomingMessage } from 'node:http';
import type { RegistryConfig } from '../config.js';
import { regError } from '../errors.js';
import type { RequestContext } from '../http.js';
import { covers, DEFAULT_RULES, formatScope, grantedActions, type AccessRule, type ResourceAccess } from './access.js';
import { Htpasswd } from './htpasswd.js';
import { TokenSigner } from './jwt.js';

export interface Authorizer {
  readonly mode: 'none' | 'basic' | 'token';
  /**
   * Resolve the caller and check `needed`; throws 401/403 RegistryErrors. `needed` empty means
   * "any authenticated caller" (the /v2/ base check).
   */
  authorize(ctx: RequestContext, needed: ResourceAccess[]): Promise<void>;
  /** Whether the (already resolved) caller's rules allow `action`, to filter listings. */
  can(ctx: RequestContext, type: 'repository' | 'registry', name: string, action: string): boolean;
  /** Credentials check for the token endpoint and basic auth. */
  checkPassword?(user: string, password: string): Promise<boolean>;
  readonly signer?: TokenSigner;
  readonly rules: AccessRule[];
  tokenSettings?: { service: string; issuer: string; expiration: number; realm?: string };
}

export function parseBasic(req: IncomingMessage): { user: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h || !/^basic /i.test(h)) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function createAuthorizer(config: RegistryConfig): Authorizer {
  const rules = config.auth?.access ?? DEFAULT_RULES;
  if (config.auth?.token) return tokenAuthorizer(config, rules);
  if (config.auth?.htpasswd) return basicAuthorizer(config.auth.htpasswd.path, config.auth.htpasswd.realm ?? 'wharf-registry', rules);
  return {
    mode: 'none',
    rules,
    async authorize() {},
    can: () => true,
  };
}

function basicAuthorizer(path: string, realm: string, rules: AccessRule[]): Authorizer {
  const users = new Htpasswd(path);
  const challenge = { 'WWW-Authenticate': `Basic realm="${realm}"` };
  return {
    mode: 'basic',
    rules,
    checkPassword: (u, p) => users.check(u, p),
    async authorize(ctx, needed) {
      const creds = parseBasic(ctx.req);
      if (creds) {
        if (!(await users.check(creds.user, creds.password))) throw regError('UNAUTHORIZED', undefined, { headers: challenge });
        ctx.actor = creds.user;
      } else if (needed.length === 0) {
        throw regError('UNAUTHORIZED', undefined, { headers: challenge });
      }
      for (const n of needed) {
        const have = grantedActions(rules, ctx.actor, n.type, n.name);
        if (!n.actions.every((a) => have.has(a))) {
          if (!ctx.actor) throw regError('UNAUTHORIZED', undefined, { headers: challenge });
          throw regError('DENIED');
        }
      }
    },
    can(ctx, type, name, action) {
      return grantedActions(rules, ctx.actor, type, name).has(action);
    },
  };
}

function tokenAuthorizer(config: RegistryConfig, rules: AccessRule[]): Authorizer {
  const t = config.auth!.token!;
  const users = t.htpasswd ? new Htpasswd(t.htpasswd) : undefined;
  const settings = {
    service: t.service ?? 'wharf-registry',
    issuer: t.issuer ?? 'wharf-registry-token-issuer',
    expiration: t.expiration ?? 300,
    realm: t.realm,
  };
  const signer = new TokenSigner(t.key);
  const realmFor = (ctx: RequestContext) => settings.realm ?? `${ctx.url.protocol}//${ctx.url.host}/auth/token`;
  const challengeFor = (ctx: RequestContext, needed: ResourceAccess[], insufficient: boolean) => {
    let v = `Bearer realm="${realmFor(ctx)}",service="${settings.service}"`;
    if (needed.length) v += `,scope="${needed.map(formatScope).join(' ')}"`;
    if (insufficient) v += ',error="insufficient_scope"';
    return { 'WWW-Authenticate': v };
  };
  return {
    mode: 'token',
    rules,
    signer,
    tokenSettings: settings,
    checkPassword: async (u, p) => (users ? users.check(u, p) : false),
    async authorize(ctx, needed) {
      const h = ctx.req.headers.authorization;
      const token = h && /^bearer /i.test(h) ? h.slice(7).trim() : undefined;
      const claims = token ? signer.verify(token, settings.service, settings.issuer) : null;
      if (!claims) throw regError('UNAUTHORIZED', undefined, { headers: challengeFor(ctx, needed, false) });
      if (claims.sub) ctx.actor = claims.sub;
      const access = (claims.access ?? []) as ResourceAccess[];
      if (!covers(access, needed)) {
        throw regError('UNAUTHORIZED', { access: needed }, {
          message: 'insufficient scope',
          headers: challengeFor(ctx, needed, true),
        });
      }
    },
    can(ctx, type, name, action) {
      return grantedActions(rules, ctx.actor, type, name).has(action);
    },
  };
}
