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
    const resolved = await store.meta.resolveTag(name, tag!);
    if (!resolved) {
      if (!(await store.meta.repositoryExists(name))) throw regError('NAME_UNKNOWN', { name });
      throw regError('MANIFEST_UNKNOWN', { tag });
    }
    return { digest: resolved, tag };
  }

  async function getManifest(ctx: RequestContext) {
    const name = checkName(ctx.params.name!);
    await needRepo(reg, ctx, name, 'pull');
    const { digest, tag } = await resolve(name, ctx.params.reference!);
    const found = await store.meta.getManifest(name, digest);
    if (!found) throw regError('MANIFEST_UNKNOWN', { digest });
    const { mediaType, body } = found;
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
    if (!store.meta.tracksBlobs) {
      // Metadata that tracks blobs checks these itself, in the transaction that stores the manifest.
      for (const blob of parsed.blobs) {
        if (!(await store.meta.hasLayer(name, blob)) || !(await store.blobs.stat(blob))) throw regError('MANIFEST_BLOB_UNKNOWN', { digest: blob });
      }
      for (const child of parsed.manifests) {
        if (!(await store.meta.hasManifest(name, child))) throw regError('MANIFEST_BLOB_UNKNOWN', { digest: child });
      }
    }
    await store.meta.putManifest(name, {
      digest,
      mediaType: parsed.mediaType,
      body,
      blobs: parsed.blobs,
      manifests: parsed.manifests,
      subject: parsed.subject,
      referrer: parsed.subject ? referrerDescriptor(parsed, digest, body.length) : undefined,
    }, tags[0]);
    for (const tag of tags.slice(1)) await store.meta.setTag(name, tag, digest);
    const headers: Record<string, string> = { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest };
    if (ctx.url.searchParams.has('tag')) headers['OCI-Tag'] = tags.join(', ');
    if (parsed.subject) headers['OCI-Subject'] = parsed.subject;
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
      const target = await store.meta.resolveTag(name, tag);
      if (!target || !(await store.meta.deleteTag(name, tag))) throw regError('MANIFEST_UNKNOWN', { tag });
      reg.notifier.emit(ctx, 'delete', { mediaType: '', digest: target, size: 0, length: 0, repository: name, url: '', tag });
      return send(ctx, 202);
    }
    if (!(await store.meta.deleteManifest(name, digest!))) throw regError('MANIFEST_UNKNOWN', { digest });
    reg.notifier.emit(ctx, 'delete', { mediaType: '', digest: digest!, size: 0, length: 0, repository: name, url: '' });
    send(ctx, 202);
  }


  return [
    route(['GET', 'HEAD'], /^\/v2\/(.+)\/manifests\/([^/]+)$/, ['name', 'reference'], getManifest),
    route('PUT', /^\/v2\/(.+)\/manifests\/([^/]+)$/, ['name', 'reference'], putManifest),
    route('DELETE', /^\/v2\/(.+)\/manifests\/([^/]+)$/, ['name', 'reference'], deleteManifest),
  ];
}
