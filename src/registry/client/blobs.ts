/**
 * Blob reads: HEAD for existence and a streaming GET that hashes as it goes, checks size and
 * digest at the end (DIGEST_MISMATCH with Docker's "filesystem layer verification failed"
 * text), and resumes with a Range request after a dropped connection (bounded, with backoff).
 */
import { Readable } from 'node:stream';
import { WharfError } from '../../core/errors.js';
import { Digester, parseDigest, type Digest } from '../../core/digest.js';
import { repositoryScope } from './auth.js';
import { backoff, drain, isRetriableNetworkError, networkError, responseError, sleep, type Requester } from './http.js';

export interface BlobReadOptions {
  /** Called with the number of bytes received so far. */
  onProgress?: (current: number, total?: number) => void;
  /** Abort the transfer. */
  signal?: AbortSignal;
  /**
   * Hash the bytes and fail on a digest mismatch (default). false when the consumer checks the
   * digest itself (the content store's writer, for a blob it keeps): the size is still checked.
   */
  verify?: boolean;
}

/** Size of the blob when the registry has it, undefined otherwise. */
export async function statBlob(c: Requester, repo: string, digest: Digest, extraScopes: string[] = []): Promise<number | undefined> {
  const res = await c.call({ method: 'HEAD', path: `/v2/${repo}/blobs/${digest}`, scopes: [repositoryScope(repo), ...extraScopes] });
  drain(res.body);
  if (res.status === 404) return undefined;
  if (res.status === 200) return Number(res.headers['content-length'] ?? 0);
  throw await responseError(res);
}

/** Bytes handed on at once by getBlob's stream. */
const BATCH = 1 << 20;

export function verificationError(digest: string, detail?: string): WharfError {
  return new WharfError('DIGEST_MISMATCH', `filesystem layer verification failed for digest ${digest}${detail ? ` (${detail})` : ''}`);
}

/**
 * Stream a blob. The stream errors with DIGEST_MISMATCH when the bytes do not hash to `digest`
 * or their count differs from `size`; it never ends successfully on unverified content.
 */
export function getBlob(c: Requester, repo: string, digest: Digest, size?: number, opts: BlobReadOptions = {}): Readable {
  const { algorithm } = parseDigest(digest);
  const path = `/v2/${repo}/blobs/${digest}`;
  async function* chunks(): AsyncGenerator<Buffer> {
    const hash = opts.verify === false ? undefined : new Digester(algorithm);
    let offset = 0;
    let failures = 0;
    let url = path; // the absolute URL once a response names it, for Docker's `Get "URL": ...` text
    // Socket reads are ~64 KiB; consumers (gunzip on the thread pool, the content store) do
    // far better with fewer, larger chunks, so they are passed on in batches of BATCH bytes.
    let batch: Buffer[] = [];
    let batched = 0;
    const flush = (): Buffer => {
      const out = batch.length === 1 ? batch[0]! : Buffer.concat(batch, batched);
      batch = [];
      batched = 0;
      return out;
    };
    for (;;) {
      const headers: Record<string, string> = {};
      if (offset > 0) headers.Range = `bytes=${offset}-`;
      let skip = 0;
      try {
        const res = await c.call({ method: 'GET', path, scopes: [repositoryScope(repo)], headers });
        url = res.url;
        if (res.status === 200 && offset > 0) skip = offset; // range ignored: discard what we have
        else if (res.status !== 200 && res.status !== 206) {
          if (res.status === 416 && size !== undefined && offset >= size) {
            drain(res.body);
            break;
          }
          throw await responseError(res);
        }
        const total = size ?? (res.status === 200 ? Number(res.headers['content-length'] ?? NaN) : undefined);
        for await (const raw of res.body) {
          if (opts.signal?.aborted) {
            res.body.destroy();
            throw new WharfError('UNAVAILABLE', 'context canceled');
          }
          let chunk = raw as Buffer;
          if (skip > 0) {
            const n = Math.min(skip, chunk.length);
            skip -= n;
            chunk = chunk.subarray(n);
            if (!chunk.length) continue;
          }
          offset += chunk.length;
          if (size !== undefined && offset > size) throw verificationError(digest, `more than ${size} bytes`);
          hash?.update(chunk);
          batch.push(chunk);
          batched += chunk.length;
          if (batched >= BATCH) {
            opts.onProgress?.(offset, Number.isFinite(total) ? total : undefined);
            yield flush();
          }
        }
        opts.onProgress?.(offset, Number.isFinite(total) ? total : undefined);
        // A cut connection makes Node's response stream throw; a clean end means the registry is done.
        break;
      } catch (err) {
        if (err instanceof WharfError) throw err;
        if (!isRetriableNetworkError(err) || failures >= c.retryPolicy.retries) {
          throw networkError('GET', url, err);
        }
        await sleep(backoff(c.retryPolicy, failures++));
      }
    }
    if (size !== undefined && offset !== size) throw verificationError(digest, `got ${offset} bytes, want ${size}`);
    if (hash && hash.digest() !== digest) throw verificationError(digest);
    if (batched) yield flush();
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 << 20 });
}
