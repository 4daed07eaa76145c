/**
 * Blob endpoints: GET/HEAD with Range, DELETE, and the upload protocol (monolithic POST,
 * POST+PUT, chunked PATCH with Content-Range, status GET, cancel DELETE, cross-repository and
 * anonymous mount).
 */
import type { Digest } from '../../../core/digest.js';
import { regError } from '../errors.js';
import { contentLength, route, send, unsupported, type RequestContext, type Route } from '../http.js';
import { checkDigest, checkName, isRepositoryName } from '../names.js';
import { needRepo, type Registry } from '../registry.js';

const NAME = '(.+)';
/** Lifetime of a pre-signed blob URL (`--s3-redirect`). */
const REDIRECT_SECONDS = 20 * 60;

function parseRange(header: string, size: number): { start: number; end: number } | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return null;
  return { start, end };
}

/** The upload's Range header value: bytes received so far, inclusive. */
const rangeOf = (size: number) => `0-${Math.max(0, size - 1)}`;

function uploadHeaders(name: string, id: string, size: number) {
  return { Location: `/v2/${name}/blobs/uploads/${id}`, Range: rangeOf(size), 'Docker-Upload-UUID': id };
}

function createdHeaders(name: string, digest: Digest) {
  return { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest };
}

/** Content-Range `start-end` (optionally with a `bytes ` prefix). */
function parseContentRange(value: string | undefined): { start: number; end: number } | undefined {
  if (!value) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/\d+|\/\*)?$/.exec(value.trim());
  if (!m) throw regError('RANGE_INVALID', { contentRange: value }, { status: 416 });
  return { start: Number(m[1]), end: Number(m[2]) };
}

/**
 * Bytes of file read-ahead shared by all blob downloads. One or a few streams (a docker pull)
 * read 1 MiB at a time, the fastest here; many concurrent ones get smaller pieces, so 50
 * clients cost ~16 MiB of read buffers instead of ~100 MiB plus the GC lag that comes with it.
 */
const READ_BUDGET = 16 << 20;
const readSize = (streams: number) => Math.max(64 << 10, Math.min(1 << 20, Math.floor(READ_BUDGET / Math.max(1, streams))));

/** If-None-Match: `*` or a list of entity tags, weak or strong. */
function notModified(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

export function blobRoutes(reg: Registry): Route[] {
  const { store, uploads } = reg;
  /** Blob downloads in progress on this server (sizes their reads). */
  let streams = 0;

  /** A linked blob's size: metadata that tracks blobs knows it, sparing an object-store round trip. */
  async function layerInfo(digest: Digest): Promise<{ size: number } | null> {
    if (!store.meta.tracksBlobs) return store.blobs.stat(digest);
    const size = await store.meta.blobSize(digest);
    return size === null ? null : { size };
  }

  async function getBlob(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull');
    const digest = checkDigest(ctx.params.digest);
    const layer = await store.meta.hasLayer(name, digest);
    const manifest = layer ? null : await store.meta.getManifest(name, digest);
    const info = layer ? await layerInfo(digest) : manifest ? { size: manifest.body.length } : null;
    if (!info) throw regError('BLOB_UNKNOWN', { digest });
    if (layer && ctx.req.method === 'GET' && reg.config.storage?.s3?.redirect) {
      const location = await store.blobs.redirectUrl(digest, REDIRECT_SECONDS);
      if (location) return send(ctx, 307, { Location: location, 'Docker-Content-Digest': digest });
    }
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': digest,
      ETag: `"${digest}"`,
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'max-age=31536000',
    };
    let start = 0;
    let end = info.size - 1;
    let status = 200;
    const range = ctx.req.headers.range;
    if (range && info.size > 0) {
      const r = parseRange(range, info.size);
      if (!r) {
        ctx.res.setHeader('Content-Range', `bytes */${info.size}`);
        throw regError('RANGE_INVALID', { range }, { status: 416 });
      }
      ({ start, end } = r);
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${info.size}`;
    }
    // distribution's ServeBlob answers GET, HEAD and 304 alike, and each is a pull event.
    reg.notifier.emit(ctx, 'pull', { mediaType: 'application/octet-stream', digest, size: info.size, length: info.size, repository: name, url: `${ctx.url.origin}/v2/${name}/blobs/${digest}` });
    // Content is immutable, so the digest is a strong validator.
    if (status === 200 && notModified(ctx.req.headers['if-none-match'], headers.ETag as string)) {
      for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
      ctx.res.statusCode = 304;
      ctx.res.end();
      return;
    }
    headers['Content-Length'] = info.size === 0 ? 0 : end - start + 1;
    const bodyless = ctx.req.method === 'HEAD' || info.size === 0;
    streams++;
    try {
      // Opened before any header is set: a store that fails here still gets a clean error answer.
      const stream = manifest || bodyless ? undefined : await store.blobs.open(digest, start, end, readSize(streams));
      for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
      ctx.res.statusCode = status;
      if (bodyless) return void ctx.res.end();
      await new Promise<void>((resolve, reject) => {
        if (!stream) return void ctx.res.end(manifest!.body.subarray(start, end + 1), () => resolve());
        stream.on('error', reject);
        ctx.res.on('close', () => {
          stream.destroy();
          resolve();
        });
        stream.pipe(ctx.res);
      });
    } finally {
      streams--;
    }
  }

  async function deleteBlob(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'delete');
    if (reg.config.delete === false) throw unsupported();
    const digest = checkDigest(ctx.params.digest);
    if (!(await store.meta.hasLayer(name, digest))) throw regError('BLOB_UNKNOWN', { digest });
    await store.meta.unlinkLayer(name, digest);
    send(ctx, 202, { 'Docker-Content-Digest': digest });
  }

  /** Link an existing blob into `name`; true when it could be mounted. */
  async function tryMount(ctx: RequestContext, name: string, digest: Digest, from: string | null): Promise<boolean> {
    if (from !== null) {
      if (!isRepositoryName(from)) return false;
      try {
        await needRepo(reg, ctx, from, 'pull');
      } catch {
        return false; // no read access to the source: fall back to a normal upload
      }
      if (!(await store.meta.hasLayer(from, digest))) return false;
    } else if (reg.auth.mode !== 'none') {
      return false; // anonymous mount only where no repository boundary can be crossed
    }
    return store.mount(name, digest);
  }

  async function startUpload(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull', 'push');
    const q = ctx.url.searchParams;
    const mount = q.get('mount');
    if (mount !== null) {
      const digest = checkDigest(mount);
      if (await tryMount(ctx, name, digest, q.get('from'))) {
        ctx.req.resume();
        reg.notifier.emit(ctx, 'mount', { mediaType: 'application/octet-stream', digest, size: 0, length: 0, repository: name, url: `${ctx.url.origin}/v2/${name}/blobs/${digest}` });
        return send(ctx, 201, createdHeaders(name, digest));
      }
    }
    const digestParam = q.get('digest');
    if (digestParam !== null && mount === null) {
      const digest = checkDigest(digestParam);
      const size = await uploads.monolithic(name, ctx.req, digest, contentLength(ctx.req));
      reg.notifier.emit(ctx, 'push', { mediaType: 'application/octet-stream', digest, size, length: size, repository: name, url: `${ctx.url.origin}/v2/${name}/blobs/${digest}` });
      return send(ctx, 201, createdHeaders(name, digest));
    }
    ctx.req.resume();
    const id = await uploads.start(name);
    send(ctx, 202, uploadHeaders(name, id, 0));
  }

  async function patchUpload(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull', 'push');
    const id = ctx.params.id!;
    const range = parseContentRange(ctx.req.headers['content-range']);
    const length = contentLength(ctx.req);
    if (range && length !== undefined && range.end - range.start + 1 !== length) {
      ctx.req.resume();
      throw regError('RANGE_INVALID', { contentRange: ctx.req.headers['content-range'] }, { status: 416 });
    }
    const size = await uploads.append(name, id, ctx.req, range?.start, length);
    send(ctx, 202, uploadHeaders(name, id, size));
  }

  async function finishUpload(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull', 'push');
    const id = ctx.params.id!;
    const digestParam = ctx.url.searchParams.get('digest');
    if (!digestParam) {
      await uploads.status(name, id);
      throw regError('DIGEST_INVALID', undefined, { message: 'digest parameter missing' });
    }
    const digest = checkDigest(digestParam);
    const length = contentLength(ctx.req);
    const range = parseContentRange(ctx.req.headers['content-range']);
    if (length !== 0 || range) await uploads.append(name, id, ctx.req, range?.start, length);
    const size = await uploads.finish(name, id, digest);
    reg.notifier.emit(ctx, 'push', { mediaType: 'application/octet-stream', digest, size, length: size, repository: name, url: `${ctx.url.origin}/v2/${name}/blobs/${digest}` });
    send(ctx, 201, createdHeaders(name, digest));
  }

  async function uploadStatus(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull', 'push');
    const size = await uploads.status(name, ctx.params.id!);
    send(ctx, 204, uploadHeaders(name, ctx.params.id!, size));
  }

  async function cancelUpload(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull', 'push');
    await uploads.cancel(name, ctx.params.id!);
    send(ctx, 204);
  }

  return [
    route('POST', new RegExp(`^/v2/${NAME}/blobs/uploads/?$`), ['name'], startUpload),
    route('PATCH', new RegExp(`^/v2/${NAME}/blobs/uploads/([^/]+)$`), ['name', 'id'], patchUpload),
    route('PUT', new RegExp(`^/v2/${NAME}/blobs/uploads/([^/]+)$`), ['name', 'id'], finishUpload),
    route('GET', new RegExp(`^/v2/${NAME}/blobs/uploads/([^/]+)$`), ['name', 'id'], uploadStatus),
    route('DELETE', new RegExp(`^/v2/${NAME}/blobs/uploads/([^/]+)$`), ['name', 'id'], cancelUpload),
    route(['GET', 'HEAD'], new RegExp(`^/v2/${NAME}/blobs/([^/]+)$`), ['name', 'digest'], getBlob),
    route('DELETE', new RegExp(`^/v2/${NAME}/blobs/([^/]+)$`), ['name', 'digest'], deleteBlob),
  ];
}
