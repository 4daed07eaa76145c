/**
 * Blob uploads: HEAD first (skip what the registry has), cross-repository mount
 * (`POST ?mount=DIGEST&from=REPO`), then one monolithic PUT, or PATCH chunks of `chunkSize`
 * for large blobs closed by a PUT with `?digest=`. A failed attempt restarts from a fresh
 * upload session with the blob reopened, a bounded number of times.
 */
import { Readable, Transform } from 'node:stream';
import { WharfError } from '../../core/errors.js';
import type { Descriptor } from '../../core/descriptor.js';
import { repositoryScope } from './auth.js';
import { statBlob } from './blobs.js';
import { backoff, drain, responseError, sleep, type HttpResponse, type Requester } from './http.js';

export type UploadResult = 'exists' | 'mounted' | 'pushed';

export interface UploadOptions {
  /** Repositories on the same registry that may already hold the blob. */
  mountFrom?: string[];
  /** Blobs larger than this go up in PATCH chunks of this size (default 64 MiB). */
  chunkSize?: number;
  onProgress?: (current: number, total: number) => void;
}

export const DEFAULT_CHUNK_SIZE = 64 << 20;

function location(res: HttpResponse): string {
  const loc = res.headers.location;
  if (!loc) throw new WharfError('UNAVAILABLE', 'registry did not return an upload location');
  return new URL(loc, res.url).toString();
}

function withDigest(loc: string, digest: string): string {
  const u = new URL(loc);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/** Count bytes through a stream for progress reports. */
function counter(onProgress: ((n: number) => void) | undefined, start = 0): Transform {
  let n = start;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      onProgress?.(n);
      cb(null, chunk);
    },
  });
}

/** Split a stream into Buffers of exactly `size` bytes (the last may be shorter). */
async function* fixedChunks(src: Readable, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of src) {
    let chunk = c as Buffer;
    while (chunk.length) {
      const take = Math.min(size - have, chunk.length);
      parts.push(chunk.subarray(0, take));
      have += take;
      chunk = chunk.subarray(take);
      if (have === size) {
        yield Buffer.concat(parts);
        parts = [];
        have = 0;
      }
    }
  }
  if (have) yield Buffer.concat(parts);
}

async function startUpload(c: Requester, repo: string, desc: Descriptor, mountFrom: string[]): Promise<'mounted' | string> {
  const scopes = [repositoryScope(repo, true)];
  for (const from of mountFrom) {
    if (from === repo) continue;
    const res = await c.call({
      method: 'POST',
      path: `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(from)}`,
      scopes: [...scopes, repositoryScope(from)],
      retry: true,
    });
    if (res.status === 201) {
      drain(res.body);
      return 'mounted';
    }
    if (res.status === 202) {
      drain(res.body);
      return location(res);
    }
    drain(res.body);
  }
  const res = await c.call({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, scopes, retry: true });
  if (res.status !== 202) throw await responseError(res);
  drain(res.body);
  return location(res);
}

async function sendBlob(c: Requester, repo: string, desc: Descriptor, loc: string, open: () => Readable, opts: UploadOptions): Promise<void> {
  const scopes = [repositoryScope(repo, true)];
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const progress = (n: number) => opts.onProgress?.(n, desc.size);
  if (desc.size <= chunkSize) {
    const res = await c.call({
      method: 'PUT',
      path: withDigest(loc, desc.digest),
      scopes,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(desc.size) },
      body: () => open().pipe(counter(progress)),
      retry: false,
    });
    if (res.status !== 201) throw await responseError(res);
    drain(res.body);
    return;
  }
  let offset = 0;
  for await (const chunk of fixedChunks(open(), chunkSize)) {
    const res = await c.call({
      method: 'PATCH',
      path: loc,
      scopes,
      headers: {
        'Content-Type': 'application/octet-stream',
        'Content-Range': `${offset}-${offset + chunk.length - 1}`,
      },
      body: chunk,
      retry: false,
    });
    if (res.status !== 202 && res.status !== 204) throw await responseError(res);
    drain(res.body);
    loc = location(res);
    offset += chunk.length;
    progress(offset);
  }
  if (offset !== desc.size) {
    throw new WharfError('DIGEST_MISMATCH', `blob ${desc.digest} has ${offset} bytes, descriptor says ${desc.size}`);
  }
  const res = await c.call({ method: 'PUT', path: withDigest(loc, desc.digest), scopes, retry: false });
  if (res.status !== 201) throw await responseError(res);
  drain(res.body);
}

export async function uploadBlob(
  c: Requester,
  repo: string,
  desc: Descriptor,
  open: () => Readable,
  opts: UploadOptions = {},
): Promise<UploadResult> {
  if ((await statBlob(c, repo, desc.digest)) !== undefined) return 'exists';
  for (let attempt = 0; ; attempt++) {
    try {
      const started = await startUpload(c, repo, desc, attempt === 0 ? opts.mountFrom ?? [] : []);
      if (started === 'mounted') return 'mounted';
      await sendBlob(c, repo, desc, started, open, opts);
      return 'pushed';
    } catch (err) {
      const retriable = err instanceof WharfError && err.code === 'UNAVAILABLE';
      if (!retriable || attempt >= Math.min(2, c.retryPolicy.retries)) throw err;
      await sleep(backoff(c.retryPolicy, attempt));
    }
  }
}
