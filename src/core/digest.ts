/**
 * Content digests (`algorithm:hex`) as the OCI image spec defines them. node:crypto loads on
 * the first hash (~2 ms of start-up that commands which only parse digests never pay).
 */
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { WharfError } from './errors.js';

let crypto: typeof import('node:crypto') | undefined;
const createHash = (algorithm: string): Hash => (crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash(algorithm);

export type Digest = `${string}:${string}`;
export type Algorithm = 'sha256' | 'sha512';

const hexLength: Record<Algorithm, number> = { sha256: 64, sha512: 128 };
const DIGEST_RE = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

export function isDigest(value: string): value is Digest {
  const m = DIGEST_RE.exec(value);
  if (!m) return false;
  const algo = m[1] as Algorithm;
  const len = hexLength[algo];
  return len !== undefined && m[2]!.length === len && /^[a-f0-9]+$/.test(m[2]!);
}

export function parseDigest(value: string): { algorithm: Algorithm; hex: string } {
  if (!isDigest(value)) throw new WharfError('INVALID_ARGUMENT', `invalid digest: ${JSON.stringify(value)}`);
  const [algorithm, hex] = value.split(':') as [Algorithm, string];
  return { algorithm, hex };
}

export function digestOf(data: Buffer | string, algorithm: Algorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Incremental hashing with a running byte count, for streams. */
export class Digester {
  private readonly hash: Hash;
  size = 0;
  constructor(readonly algorithm: Algorithm = 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }
  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}

export async function digestFile(path: string, algorithm: Algorithm = 'sha256'): Promise<{ digest: Digest; size: number }> {
  const d = new Digester(algorithm);
  for await (const chunk of createReadStream(path)) d.update(chunk as Buffer);
  return { digest: d.digest(), size: d.size };
}

/** The hex part of a digest, as Docker shows IDs. */
export function hexOf(digest: string): string {
  const i = digest.indexOf(':');
  return i < 0 ? digest : digest.slice(i + 1);
}

export function shortId(digest: string): string {
  return hexOf(digest).slice(0, 12);
}
