/**
 * The two upload moves the registry client does not make for push: a single cross-repository
 * mount attempt (to say which repository it came from, as Docker's "Mounted from X"), and a
 * layer compressed while it uploads. Like dockerd, the gzip stream goes up in one streaming
 * PATCH and is closed by `PUT ?digest=` once its digest is known; at the same time it is kept
 * in the content store, so the next push of this layer sends the very same blob.
 */
import { createReadStream } from 'node:fs';
import { PassThrough, pipeline, type Readable, type Transform } from 'node:stream';
import { compress, cpuCount } from '../../archive/compression.js';
import type { ContentStore, BlobInfo } from '../../content/store.js';
import { WharfError, isWharfError } from '../../core/errors.js';
import { repositoryScope } from '../../registry/client/auth.js';
import { backoff, drain, responseError, sleep, type HttpResponse } from '../../registry/client/http.js';
import type { RegistryClient } from '../../registry/client/client.js';
import { teeInto } from './tee.js';

function location(res: HttpResponse): string {
  const loc = res.headers.location;
  if (!loc) throw new WharfError('UNAVAILABLE', 'registry did not return an upload location');
  return new URL(loc, res.url).toString();
}

/** `POST ?mount=DIGEST&from=REPO`: true when the registry linked the blob into `repo`. */
export async function tryMount(c: RegistryClient, repo: string, digest: string, from: string): Promise<boolean> {
  const res = await c.call({
    method: 'POST',
    path: `/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
    scopes: [repositoryScope(repo, true), repositoryScope(from)],
    retry: true,
  });
  drain(res.body);
  if (res.status === 201) return true;
  if (res.status === 202) {
    // The registry opened an upload instead; close it so it does not linger.
    const del = await c.call({ method: 'DELETE', path: location(res), scopes: [repositoryScope(repo, true)] }).catch(() => undefined);
    if (del) drain(del.body);
    return false;
  }
  if (res.status === 401 || res.status === 403) return false;
  throw await responseError(res);
}

export interface CompressUploadOptions {
  level?: number;
  /** Uncompressed bytes read so far. */
  onProgress?: (current: number) => void;
}

/** Layers of this process being compressed and uploaded right now. */
let compressing = 0;

async function once(c: RegistryClient, repo: string, content: ContentStore, tarPath: string, opts: CompressUploadOptions): Promise<BlobInfo> {
  const scopes = [repositoryScope(repo, true)];
  const start = await c.call({ method: 'POST', path: `/v2/${repo}/blobs/uploads/`, scopes, retry: true });
  if (start.status !== 202) throw await responseError(start);
  drain(start.body);

  const { stream: sink, done } = content.writer();
  done.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
  let source: Readable | undefined;
  let tap: Transform | undefined;
  const body = () => {
    if (source) throw new WharfError('INTERNAL', 'a compressed layer stream cannot be sent twice');
    const input = createReadStream(tarPath, { highWaterMark: 1 << 20 });
    let read = 0;
    input.on('data', (chunk) => opts.onProgress?.((read += chunk.length)));
    // Share the cores among the layers compressing now instead of oversubscribing them.
    source = compress(input, 'gzip', opts.level, Math.max(1, Math.floor(cpuCount() / Math.max(1, compressing))));
    tap = teeInto(sink);
    return pipeline(source, tap, (err) => {
      if (err) sink.destroy(err);
    });
  };
  try {
    const patched = await c.call({
      method: 'PATCH',
      path: location(start),
      scopes,
      headers: { 'Content-Type': 'application/octet-stream' },
      body,
      retry: false,
    });
    if (patched.status !== 202 && patched.status !== 204) throw await responseError(patched);
    drain(patched.body);
    const blob = await done;
    const url = new URL(location(patched));
    url.searchParams.set('digest', blob.digest);
    const put = await c.call({ method: 'PUT', path: url.toString(), scopes, retry: false });
    if (put.status !== 201) throw await responseError(put);
    drain(put.body);
    return blob;
  } catch (err) {
    tap?.destroy();
    source?.destroy();
    if (!(sink as PassThrough).destroyed) sink.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
}

/** Compress the layer tar at `tarPath` with gzip while uploading it; retried from scratch on network failures. */
export async function compressAndUpload(
  c: RegistryClient,
  repo: string,
  content: ContentStore,
  tarPath: string,
  opts: CompressUploadOptions = {},
): Promise<BlobInfo> {
  compressing++;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await once(c, repo, content, tarPath, opts);
      } catch (err) {
        if (!isWharfError(err, 'UNAVAILABLE') || attempt >= Math.min(2, c.retryPolicy.retries)) throw err;
        await sleep(backoff(c.retryPolicy, attempt));
      }
    }
  } finally {
    compressing--;
  }
}
