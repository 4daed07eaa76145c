/**
 * The built-in token endpoint of Docker's token auth. GET (docker, skopeo) and the OAuth2
 * password-grant POST both exchange credentials (or none, for anonymous access) and requested
 * scopes for a signed JWT carrying only the actions the access rules grant.
 */
import { grantAccess, parseScopes } from '../auth/access.js';
import { parseBasic } from '../auth/index.js';
import { regError } from '../errors.js';
import { readBody, route, sendJson, type RequestContext, type Route } from '../http.js';
import type { Registry } from '../registry.js';

export function tokenRoutes(reg: Registry): Route[] {
  const { auth } = reg;
  if (auth.mode !== 'token' || !auth.signer || !auth.tokenSettings) return [];
  const settings = auth.tokenSettings;
  const signer = auth.signer;

  async function issue(ctx: RequestContext, account: string | undefined, scopes: string[], service: string | null) {
    if (service && service !== settings.service) throw regError('DENIED', { service }, { status: 400, message: 'unknown service' });
    const access = grantAccess(auth.rules, account, parseScopes(scopes)).filter((a) => a.actions.length > 0);
    const { token, issuedAt } = signer.sign({ iss: settings.issuer, sub: account ?? '', aud: settings.service, access }, settings.expiration);
    sendJson(ctx, 200, { token, access_token: token, expires_in: settings.expiration, issued_at: issuedAt.toISOString() });
  }

  const deny = () => regError('UNAUTHORIZED', undefined, { message: 'invalid username or password' });

  async function getToken(ctx: RequestContext) {
    const q = ctx.url.searchParams;
    const creds = parseBasic(ctx.req);
    let account: string | undefined;
    if (creds) {
      if (!(await auth.checkPassword!(creds.user, creds.password))) throw deny();
      account = creds.user;
    }
    await issue(ctx, account, q.getAll('scope'), q.get('service'));
  }

  async function postToken(ctx: RequestContext) {
    const form = new URLSearchParams((await readBody(ctx.req, 64 * 1024)).toString());
    let account: string | undefined;
    if (form.get('grant_type') === 'password') {
      const user = form.get('username') ?? '';
      if (!(await auth.checkPassword!(user, form.get('password') ?? ''))) throw deny();
      account = user;
    } else {
      throw regError('UNSUPPORTED', { grant_type: form.get('grant_type') }, { status: 400, message: 'unsupported grant type' });
    }
    await issue(ctx, account, (form.get('scope') ?? '').split(' ').filter(Boolean), form.get('service'));
  }

  return [route('GET', /^\/auth\/token$/, [], getToken), route('POST', /^\/auth\/token$/, [], postToken)];
}
