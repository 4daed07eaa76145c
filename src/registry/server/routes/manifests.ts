/**
 * Manifest endpoints: GET/HEAD by tag or digest, PUT with reference checks (every blob and
 * child manifest must already be in the repository), DELETE of a manifest or of a single tag,
 * and referrer bookkeeping for manifests with a `subject`.
 */
import { createHash } from 'node:crypto';
import { parseDigest, type Digest } from '../../../core/digest.js';
import { regError } from '../errors.js';
import { readBody, route, send, unsupported, type RequestContext, type Route } from '../http.js';
import { MAX_MANIFEST_BYTES, parseManifest, referrerDescriptor } from '../manifest.js';
import { checkName, parseReference } from '../names.js';
import { needRepo, pin, type Registry } from '../registry.js';

function throwTagInvalid(tag: string): never {
  throw regError('TAG_INVALID', { tag }, { message: 'invalid tag' });
}

export function manifestRoutes(reg: Registry): Route[] {
  const { store } = reg;

  async function resolve(name: string, ref: string): Promise<{ digest: Digest; tag?: string }> {
    // The spec answers a GET/HEAD of a reference that is neither tag nor digest with 404 only.
    let parsed: { tag?: string; digest?: Digest };
    try {
      parsed = parseReference(ref);
    } catch {
      throw regError('MANIFEST_UNKNOWN', { tag: ref });
    }
    const { tag, digest } = parsed;
    if (digest) return { digest };
    const resolved = await store.resolveTag(name, tag!);
    if (!resolved) {
      if (!(await store.repositoryExists(name))) throw regError('NAME_UNKNOWN', { name });
      throw regError('MANIFEST_UNKNOWN', { tag });
    }
    return { digest: resolved, tag };
  }

  async function getManifest(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull');
    const { digest, tag } = await resolve(name, ctx.params.reference!);
    const mediaType = await store.manifestMediaType(name, digest);
    if (mediaType === null) throw regError('MANIFEST_UNKNOWN', { digest });
    let body: Buffer;
    try {
      body = await store.getBlob(digest);
    } catch {
      throw regError('MANIFEST_UNKNOWN', { digest });
    }
    const headers = {
      'Content-Type': mediaType || 'application/vnd.oci.image.manifest.v1+json',
      'Docker-Content-Digest': digest,
      ETag: `"${digest}"`,
    };
    // distribution serves HEAD with its GET handler, so both are pull events.
    reg.notifier.emit(ctx, 'pull', { mediaType, digest, size: body.length, length: body.length, repository: name, url: `${ctx.url.origin}/v2/${name}/manifests/${digest}`, tag });
    send(ctx, 200, headers, body);
  }

  async function putManifest(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull', 'push');
    const ref = parseReference(ctx.params.reference!);
    // distribution-spec 1.1: `PUT .../manifests/<digest>?tag=a&tag=b` tags what it stores.
    const tags = [...new Set([...(ref.tag ? [ref.tag] : []), ...ctx.url.searchParams.getAll('tag').map((t) => parseReference(t).tag ?? throwTagInvalid(t))])];
    const body = await readBody(ctx.req, MAX_MANIFEST_BYTES);
    const parsed = parseManifest(body, ctx.req.headers['content-type']);
    const algorithm = ref.digest ? parseDigest(ref.digest).algorithm : 'sha256';
    const digest: Digest = `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
    if (ref.digest && ref.digest !== digest) throw regError('DIGEST_INVALID', { expected: ref.digest, actual: digest });

    pin(reg, [digest, ...parsed.blobs, ...parsed.manifests]);
    for (const blob of parsed.blobs) {
      if (!(await store.hasLayer(name, blob)) || !(await store.blobInfo(blob))) throw regError('MANIFEST_BLOB_UNKNOWN', { digest: blob });
    }
    for (const child of parsed.manifests) {
      if ((await store.manifestMediaType(name, child)) === null) throw regError('MANIFEST_BLOB_UNKNOWN', { digest: child });
    }
    await store.putManifest(name, digest, body, parsed.mediaType);
    for (const tag of tags) await store.setTag(name, tag, digest);
    const headers: Record<string, string> = { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest };
    if (ctx.url.searchParams.has('tag')) headers['OCI-Tag'] = tags.join(', ');
    if (parsed.subject) {
      await store.addReferrer(name, parsed.subject, referrerDescriptor(parsed, digest, body.length));
      headers['OCI-Subject'] = parsed.subject;
    }
    for (const tag of tags.length ? tags : [undefined]) {
      reg.notifier.emit(ctx, 'push', { mediaType: parsed.mediaType, digest, size: body.length, length: body.length, repository: name, url: `${ctx.url.origin}/v2/${name}/manifests/${digest}`, tag });
    }
    send(ctx, 201, headers);
  }

  async function deleteManifest(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'delete');
    if (reg.config.delete === false) throw unsupported();
    const { tag, digest } = parseReference(ctx.params.reference!);
    if (tag) {
      const target = await store.resolveTag(name, tag);
      if (!target || !(await store.deleteTag(name, tag))) throw regError('MANIFEST_UNKNOWN', { tag });
      reg.notifier.emit(ctx, 'delete', { mediaType: '', digest: target, size: 0, length: 0, repository: name, url: '', tag });
      return send(ctx, 202);
    }
    await deleteRevision(name, digest!);
    reg.notifier.emit(ctx, 'delete', { mediaType: '', digest: digest!, size: 0, length: 0, repository: name, url: '' });
    send(ctx, 202);
  }

  /** Remove a manifest revision, the tags on it and its referrer entry. */
  async function deleteRevision(name: string, digest: Digest) {
    const mediaType = await store.manifestMediaType(name, digest);
    if (mediaType === null) throw regError('MANIFEST_UNKNOWN', { digest });
    for (const tag of await store.tagsOf(name, digest)) await store.deleteTag(name, tag);
    try {
      const parsed = parseManifest(await store.getBlob(digest), mediaType);
      if (parsed.subject) await store.removeReferrer(name, parsed.subject, digest);
    } catch {
      // unreadable manifest: nothing to unlink
    }
    await store.deleteRevision(name, digest);
  }

  return [
    route(['GET', 'HEAD'], /^\/v2\/(.+)\/manifests\/([^/]+)$/, ['name', 'reference'], getManifest),
    route('PUT', /^\/v2\/(.+)\/manifests\/([^/]+)$/, ['name', 'reference'], putManifest),
    route('DELETE', /^\/v2\/(.+)\/manifests\/([^/]+)$/, ['name', 'reference'], deleteManifest),
  ];
}
