/**
 * Minimal ES256 JSON Web Tokens for Docker's token auth. The registry both issues and verifies
 * them, so one P-256 key (from a PEM file, or generated at start) is all the trust needed.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: { type: string; name: string; actions: string[] }[];
}

export class TokenSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  readonly kid: string;

  constructor(keyFile?: string) {
    if (keyFile) {
      this.privateKey = createPrivateKey(readFileSync(keyFile));
    } else {
      this.privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    }
    this.publicKey = createPublicKey(this.privateKey);
    this.kid = randomUUID();
  }

  sign(claims: Omit<TokenClaims, 'iat' | 'nbf' | 'jti' | 'exp'>, ttlSeconds: number): { token: string; issuedAt: Date } {
    const now = Math.floor(Date.now() / 1000);
    const full: TokenClaims = { ...claims, iat: now, nbf: now - 5, exp: now + ttlSeconds, jti: randomUUID() };
    const head = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: this.kid }));
    const body = b64url(JSON.stringify(full));
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return { token: `${head}.${body}.${b64url(sig)}`, issuedAt: new Date(now * 1000) };
  }

  /** The claims of a valid, unexpired token for `audience`, or null. */
  verify(token: string, audience: string, issuer: string): TokenClaims | null {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [head, body, sig] = parts as [string, string, string];
    try {
      const header = JSON.parse(Buffer.from(head, 'base64url').toString());
      if (header.alg !== 'ES256') return null;
      const ok = verify('sha256', Buffer.from(`${head}.${body}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
      if (!ok) return null;
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as TokenClaims;
      const now = Date.now() / 1000;
      if (claims.aud !== audience || claims.iss !== issuer) return null;
      if (typeof claims.exp !== 'number' || claims.exp < now || (claims.nbf ?? 0) > now + 30) return null;
      return claims;
    } catch {
      return null;
    }
  }
}
