/**
 * Image references, normalised exactly as Docker's distribution/reference does:
 * `ubuntu` -> `docker.io/library/ubuntu:latest`; a first component with a dot, a colon,
 * or equal to `localhost` (or with capitals) is a registry host.
 */
import { WharfError } from './errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const domain = `(?:${domainName}|${ipv6})(?::[0-9]+)?`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const namePat = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${domain})/)?(${pathComponent}(?:/${pathComponent})*)$`);
const TAG_RE = new RegExp(`^${tagPat}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;

const invalid = (message: string) => new WharfError('INVALID_REFERENCE', message);

export class Reference {
  constructor(
    /** Registry host, e.g. `docker.io` or `localhost:5000`. */
    readonly domain: string,
    /** Repository path within the registry, e.g. `library/ubuntu`. */
    readonly path: string,
    readonly tag?: string,
    readonly digest?: string,
  ) {}

  /** Fully-qualified repository name: `docker.io/library/ubuntu`. */
  get name(): string {
    return `${this.domain}/${this.path}`;
  }

  /** Short name as Docker shows it: `ubuntu`, `user/app`, `localhost:5000/app`. */
  get familiarName(): string {
    if (this.domain === DEFAULT_DOMAIN) {
      return this.path.startsWith(OFFICIAL_PREFIX) && this.path.indexOf('/', OFFICIAL_PREFIX.length) < 0
        ? this.path.slice(OFFICIAL_PREFIX.length)
        : this.path;
    }
    return this.name;
  }

  toString(): string {
    return this.name + (this.tag ? `:${this.tag}` : '') + (this.digest ? `@${this.digest}` : '');
  }

  familiarString(): string {
    return this.familiarName + (this.tag ? `:${this.tag}` : '') + (this.digest ? `@${this.digest}` : '');
  }

  /** The same repository with `latest` when neither tag nor digest was given. */
  withDefaultTag(): Reference {
    return this.tag || this.digest ? this : new Reference(this.domain, this.path, 'latest');
  }

  withTag(tag: string): Reference {
    if (!TAG_RE.test(tag)) throw invalid('invalid tag format');
    return new Reference(this.domain, this.path, tag);
  }

  withDigest(digest: string): Reference {
    return new Reference(this.domain, this.path, undefined, digest);
  }

  /** Just the repository, no tag or digest. */
  repository(): Reference {
    return new Reference(this.domain, this.path);
  }
}

function splitDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let dom: string;
  let remainder: string;
  if (i < 0 || (!/[.:]/.test(name.slice(0, i)) && name.slice(0, i) !== 'localhost' && name.slice(0, i).toLowerCase() === name.slice(0, i))) {
    dom = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    dom = name.slice(0, i);
    remainder = name.slice(i + 1);
  }
  if (dom === LEGACY_DEFAULT_DOMAIN) dom = DEFAULT_DOMAIN;
  if (dom === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return [dom, remainder];
}

/** Parse a user-typed reference into its normalised form (Docker's ParseNormalizedNamed). */
export function parseReference(input: string): Reference {
  if (IDENTIFIER_RE.test(input)) {
    throw invalid(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  // Separate the name from tag/digest so the lowercase check sees only the name.
  let namePart = input;
  const at = namePart.indexOf('@');
  if (at >= 0) namePart = namePart.slice(0, at);
  const lastSlash = namePart.lastIndexOf('/');
  const colon = namePart.lastIndexOf(':');
  if (colon > lastSlash) namePart = namePart.slice(0, colon);
  const [dom, remainder] = splitDomain(namePart);
  if (remainder.toLowerCase() !== remainder) {
    throw invalid('invalid reference format: repository name must be lowercase');
  }
  const full = `${dom}/${remainder}${input.slice(namePart.length)}`;
  const m = REFERENCE_RE.exec(full);
  if (!input || !m) {
    if (input === '') throw invalid('invalid reference format');
    throw invalid('invalid reference format');
  }
  const name = m[1]!;
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(`invalid reference format: repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const nm = ANCHORED_NAME_RE.exec(name)!;
  return new Reference(nm[1] ?? DEFAULT_DOMAIN, nm[2]!, m[2], m[3]);
}

/** Parse and add `:latest` when no tag or digest is given (Docker's TagNameOnly). */
export function parseNormalizedTagged(input: string): Reference {
  return parseReference(input).withDefaultTag();
}

/** True when `input` could be a (possibly short) image ID rather than a name. */
export function looksLikeId(input: string): boolean {
  const s = input.startsWith('sha256:') ? input.slice(7) : input;
  return /^[a-f0-9]{1,64}$/.test(s);
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}
