/**
 * Manifest and tag operations of the distribution API: GET/HEAD/PUT `/v2/NAME/manifests/REF`
 * (4 MiB limit, digest verified when fetched by digest, Docker's "manifest for X not found"
 * text) and paginated `/v2/NAME/tags/list`.
 */
import { WharfError } from '../../core/errors.js';
import { digestOf, isDigest, parseDigest, type Digest } from '../../core/digest.js';
import type { Descriptor } from '../../core/descriptor.js';
import { MediaType } from '../../core/mediatypes.js';
import { repositoryScope } from './auth.js';
import { drain, readBody, registryErrorText, responseError, type Requester } from './http.js';

export const MAX_MANIFEST_SIZE = 4 << 20;

export const DEFAULT_MANIFEST_ACCEPT: string[] = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
];

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: Digest;
}

const refPath = (ref: string) => (isDigest(ref) ? ref : encodeURIComponent(ref));

/** How Docker names a manifest in errors: `127.0.0.1:5000/app:tag`, `ubuntu:tag`, `name@sha256:...`. */
export function familiarRef(registry: string, repo: string, ref: string): string {
  let name = `${registry}/${repo}`;
  if (registry === 'docker.io') name = repo.startsWith('library/') && repo.split('/').length === 2 ? repo.slice(8) : repo;
  return isDigest(ref) ? `${name}@${ref}` : `${name}:${ref}`;
}

function contentType(value: string | undefined): string {
  return (value ?? '').split(';')[0]!.trim();
}

export async function getManifest(c: Requester, repo: string, ref: string, accept = DEFAULT_MANIFEST_ACCEPT): Promise<FetchedManifest> {
  const res = await c.call({
    method: 'GET',
    path: `/v2/${repo}/manifests/${refPath(ref)}`,
    scopes: [repositoryScope(repo)],
    headers: { Accept: accept.join(', ') },
  });
  const name = familiarRef(c.registry, repo, ref);
  if (res.status === 404) {
    const err = await responseError(res);
    // dockerd names the repository when the registry says the name is unknown, else the manifest.
    const what = err.message.startsWith('name unknown') ? `repository ${name.slice(0, -(ref.length + 1))}` : `manifest for ${name}`;
    throw new WharfError(err.code, `${what} not found: ${err.message}`);
  }
  if (res.status !== 200) throw await responseError(res);
  const declared = Number(res.headers['content-length'] ?? NaN);
  const tooBig = () =>
    new WharfError('CORRUPT', `manifest for ${name} is too large: exceeded maximum allowed size of ${MAX_MANIFEST_SIZE} bytes`);
  if (declared > MAX_MANIFEST_SIZE) {
    res.body.destroy();
    throw tooBig();
  }
  const bytes = await readBody(res.body, MAX_MANIFEST_SIZE).catch((err) => {
    throw err instanceof WharfError && err.code === 'CORRUPT' ? tooBig() : err;
  });
  let digest: Digest;
  if (isDigest(ref)) {
    const actual = digestOf(bytes, parseDigest(ref).algorithm);
    if (actual !== ref) throw new WharfError('DIGEST_MISMATCH', `manifest verification failed for digest ${ref}`);
    digest = ref;
  } else {
    digest = digestOf(bytes);
  }
  let mediaType = contentType(res.headers['content-type']);
  if (!mediaType || mediaType === 'application/json' || mediaType === 'text/plain') {
    try {
      mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? mediaType;
    } catch {
      // keep the header's type
    }
  }
  return { bytes, mediaType, digest };
}

/** Descriptor of a manifest without fetching it; undefined when the registry does not have it. */
export async function headManifest(c: Requester, repo: string, ref: string, accept = DEFAULT_MANIFEST_ACCEPT): Promise<Descriptor | undefined> {
  const res = await c.call({
    method: 'HEAD',
    path: `/v2/${repo}/manifests/${refPath(ref)}`,
    scopes: [repositoryScope(repo)],
    headers: { Accept: accept.join(', ') },
  });
  drain(res.body);
  if (res.status === 404) return undefined;
  if (res.status !== 200) {
    throw new WharfError(res.status === 401 ? 'UNAUTHORIZED' : 'UNAVAILABLE', registryErrorText(res.status, res.statusText, Buffer.alloc(0)));
  }
  const header = res.headers['docker-content-digest'];
  const digest = typeof header === 'string' && isDigest(header) ? header : isDigest(ref) ? ref : undefined;
  if (!digest) throw new WharfError('CORRUPT', `registry did not return a digest for ${familiarRef(c.registry, repo, ref)}`);
  return {
    mediaType: contentType(res.headers['content-type']),
    digest,
    size: Number(res.headers['content-length'] ?? 0),
  };
}

/** PUT a manifest under a tag or digest; resolves with its digest. */
export async function putManifest(c: Requester, repo: string, ref: string, bytes: Buffer, mediaType: string): Promise<Digest> {
  const res = await c.call({
    method: 'PUT',
    path: `/v2/${repo}/manifests/${refPath(ref)}`,
    scopes: [repositoryScope(repo, true)],
    headers: { 'Content-Type': mediaType },
    body: bytes,
    retry: true,
  });
  if (res.status !== 201 && res.status !== 200 && res.status !== 202) throw await responseError(res);
  drain(res.body);
  const header = res.headers['docker-content-digest'];
  return typeof header === 'string' && isDigest(header) ? header : digestOf(bytes);
}

/** All tags of a repository, following `Link: <...>; rel="next"` pages. */
export async function listTags(c: Requester, repo: string): Promise<string[]> {
  const tags: string[] = [];
  let path: string | undefined = `/v2/${repo}/tags/list`;
  for (let page = 0; path && page < 1000; page++) {
    const res = await c.call({ method: 'GET', path, scopes: [repositoryScope(repo)] });
    if (res.status !== 200) throw await responseError(res);
    const body = JSON.parse((await readBody(res.body, 16 << 20)).toString('utf8')) as { tags?: string[] | null };
    tags.push(...(body.tags ?? []));
    const link = res.headers.link;
    const next = typeof link === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
    path = next ? new URL(next, res.url).toString() : undefined;
  }
  return tags;
}
