/**
 * Validation of everything a URL can name: repositories, tags, digests and upload ids.
 * These checks are the registry's first wall against path traversal: storage paths are
 * only ever built from values that passed here.
 */
import { isDigest, type Digest } from '../../core/digest.js';
import { regError } from './errors.js';

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const UPLOAD_ID_RE = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
export const NAME_MAX_LENGTH = 255;

export function isRepositoryName(name: string): boolean {
  return name.length <= NAME_MAX_LENGTH && NAME_RE.test(name);
}

export function isTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isUploadId(id: string): boolean {
  return UPLOAD_ID_RE.test(id);
}

export function checkName(name: string): string {
  if (!isRepositoryName(name)) throw regError('NAME_INVALID', { name });
  return name;
}

export function checkDigest(value: string | null | undefined): Digest {
  if (!value || !isDigest(value)) throw regError('DIGEST_INVALID', { digest: value ?? '' }, { message: 'invalid digest' });
  return value;
}

/** A manifest reference is either a tag or a digest. */
export function parseReference(ref: string): { tag?: string; digest?: Digest } {
  if (ref.includes(':')) return { digest: checkDigest(ref) };
  if (!isTag(ref)) throw regError('TAG_INVALID', { tag: ref }, { message: 'invalid tag' });
  return { tag: ref };
}
