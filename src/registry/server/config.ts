/**
 * Registry configuration: defaults, a JSON config file (or distribution's YAML), and command-line flags on top (flags
 * win). Every option has one name in the file and one flag, so `serve --config` and flags agree.
 */
import { readFileSync } from 'node:fs';
import type { AccessRule } from './auth/access.js';
import { parseDistributionConfig } from './distribution-config.js';

export interface EndpointConfig {
  name: string;
  url: string;
  headers?: Record<string, string>;
  /** Milliseconds per attempt. */
  timeout?: number;
  /** Attempts after the first. */
  retries?: number;
  /** First retry delay in ms; doubles each retry. */
  backoff?: number;
  /** Actions not sent to this endpoint (e.g. ["pull"]). */
  ignoredActions?: string[];
}

/** distribution's `storage.s3` keys (YAML or JSON config), plus `redirect`. */
export interface S3Config {
  regionendpoint?: string;
  region: string;
  bucket: string;
  accesskey?: string;
  secretkey?: string;
  rootdirectory?: string;
  chunksize?: number;
  multipartcopythresholdsize?: number;
  multipartcopychunksize?: number;
  forcepathstyle?: boolean;
  /** Answer blob GETs with a redirect to a pre-signed URL. */
  redirect?: boolean;
}

export interface RegistryConfig {
  /** host:port to listen on. */
  addr: string;
  /** Directory of the filesystem storage and embedded metadata. */
  root: string;
  /** Blob storage: the directory `root` (default) or S3. */
  storage?: { s3?: S3Config; redirect?: { disable?: boolean } };
  /** Metadata: embedded in the storage (default) or a PostgreSQL URL. */
  metadata?: { postgres?: string; schema?: string };
  tls?: { cert: string; key: string };
  auth?: {
    htpasswd?: { path: string; realm?: string };
    token?: {
      /** Users for the token endpoint. */
      htpasswd?: string;
      /** Absolute token URL; defaults to this server's /auth/token. */
      realm?: string;
      service?: string;
      issuer?: string;
      /** PEM EC P-256 private key; generated at start when absent. */
      key?: string;
      /** Token lifetime in seconds. */
      expiration?: number;
    };
    access?: AccessRule[];
  };
  notifications?: { endpoints: EndpointConfig[] };
  /** DELETE of manifests, tags and blobs (default on). */
  delete?: boolean;
  gc?: {
    /** Seconds between online GC runs; 0 disables. */
    interval?: number;
    /** Blobs and manifests younger than this (seconds) are never collected. */
    gracePeriod?: number;
    deleteUntagged?: boolean;
    /** Abandoned uploads older than this (seconds) are removed. */
    uploadPurgeAge?: number;
  };
  log?: { requests?: boolean };
  /** Serve the web UI at /ui/ (default on). */
  ui?: boolean;
  /** Extra headers on every response (distribution's http.headers). */
  headers?: Record<string, string>;
}

export const DEFAULT_ROOT = '/var/lib/wharf-registry';

export function defaultConfig(): RegistryConfig {
  return { addr: '0.0.0.0:5000', root: DEFAULT_ROOT, delete: true, ui: true, log: { requests: true } };
}

/** A JSON config, or distribution's YAML (`config.yml`) when it is not JSON. */
export function loadConfigFile(path: string): Partial<RegistryConfig> {
  const text = readFileSync(path, 'utf8');
  if (/\.ya?ml$/i.test(path) || !text.trimStart().startsWith('{')) return parseDistributionConfig(text, path);
  try {
    return JSON.parse(text) as Partial<RegistryConfig>;
  } catch (err) {
    throw new Error(`config ${path}: not valid JSON (${(err as Error).message})`);
  }
}

export interface ServeFlags {
  addr?: string;
  root?: string;
  config?: string;
  tlsCert?: string;
  tlsKey?: string;
  htpasswd?: string;
  tokenRealm?: string;
  tokenService?: string;
  tokenIssuer?: string;
  tokenKey?: string;
  tokenHtpasswd?: string;
  gcInterval?: string;
  gcGracePeriod?: string;
  quiet?: boolean;
  storage?: string;
  s3Endpoint?: string;
  s3Bucket?: string;
  s3Region?: string;
  s3AccessKey?: string;
  s3SecretKey?: string;
  s3RootDirectory?: string;
  s3ChunkSize?: string;
  s3Redirect?: boolean | string;
  metadata?: string;
}

/** Defaults <- config file <- flags. */
export function resolveConfig(flags: ServeFlags): RegistryConfig {
  const cfg: RegistryConfig = { ...defaultConfig(), ...(flags.config ? loadConfigFile(flags.config) : {}) };
  if (flags.addr) cfg.addr = flags.addr;
  if (flags.root) cfg.root = flags.root;
  if (flags.tlsCert || flags.tlsKey) {
    if (!flags.tlsCert || !flags.tlsKey) throw new Error('--tls-cert and --tls-key go together');
    cfg.tls = { cert: flags.tlsCert, key: flags.tlsKey };
  }
  if (flags.htpasswd) cfg.auth = { ...cfg.auth, htpasswd: { path: flags.htpasswd } };
  if (flags.tokenHtpasswd || flags.tokenRealm || flags.tokenKey) {
    cfg.auth = {
      ...cfg.auth,
      token: {
        ...cfg.auth?.token,
        htpasswd: flags.tokenHtpasswd ?? cfg.auth?.token?.htpasswd,
        realm: flags.tokenRealm ?? cfg.auth?.token?.realm,
        service: flags.tokenService ?? cfg.auth?.token?.service,
        issuer: flags.tokenIssuer ?? cfg.auth?.token?.issuer,
        key: flags.tokenKey ?? cfg.auth?.token?.key,
      },
    };
  }
  if (flags.gcInterval !== undefined) cfg.gc = { ...cfg.gc, interval: Number(flags.gcInterval) };
  if (flags.gcGracePeriod !== undefined) cfg.gc = { ...cfg.gc, gracePeriod: Number(flags.gcGracePeriod) };
  if (flags.quiet) cfg.log = { ...cfg.log, requests: false };
  applyBackendFlags(cfg, flags);
  return cfg;
}

/**
 * Storage and metadata from flags and the environment (distribution's REGISTRY_STORAGE_S3_*
 * names, and AWS's own variables, which the SDK reads when no key is given).
 */
export function applyBackendFlags(cfg: RegistryConfig, flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): void {
  const kind = flags.storage ?? (cfg.storage?.s3 ? 's3' : 'filesystem');
  if (kind !== 's3' && kind !== 'filesystem') throw new Error(`unknown --storage ${kind}: use filesystem or s3`);
  if (kind === 's3') {
    const s3: S3Config = { ...cfg.storage?.s3 } as S3Config;
    s3.regionendpoint = flags.s3Endpoint ?? s3.regionendpoint ?? env.REGISTRY_STORAGE_S3_REGIONENDPOINT;
    s3.bucket = flags.s3Bucket ?? s3.bucket ?? env.REGISTRY_STORAGE_S3_BUCKET ?? '';
    s3.region = flags.s3Region ?? s3.region ?? env.REGISTRY_STORAGE_S3_REGION ?? env.AWS_REGION ?? 'us-east-1';
    s3.accesskey = flags.s3AccessKey ?? s3.accesskey ?? env.REGISTRY_STORAGE_S3_ACCESSKEY;
    s3.secretkey = flags.s3SecretKey ?? s3.secretkey ?? env.REGISTRY_STORAGE_S3_SECRETKEY;
    s3.rootdirectory = flags.s3RootDirectory ?? s3.rootdirectory ?? env.REGISTRY_STORAGE_S3_ROOTDIRECTORY;
    if (flags.s3ChunkSize !== undefined) s3.chunksize = Number(flags.s3ChunkSize);
    if (flags.s3Redirect !== undefined) s3.redirect = flags.s3Redirect !== false && flags.s3Redirect !== 'false';
    else if (cfg.storage?.redirect?.disable === false) s3.redirect = true;
    if (!s3.bucket) throw new Error('--storage s3 needs --s3-bucket');
    if (s3.chunksize !== undefined && (!Number.isInteger(s3.chunksize) || s3.chunksize < 5 << 20)) throw new Error('--s3-chunk-size must be at least 5242880 bytes');
    cfg.storage = { ...cfg.storage, s3 };
  } else if (cfg.storage?.s3) {
    delete cfg.storage.s3;
  }
  const metadata = flags.metadata ?? env.WHARF_REGISTRY_METADATA;
  if (metadata !== undefined && metadata !== '' && metadata !== 'embedded') {
    if (!/^postgres(ql)?:\/\//.test(metadata)) throw new Error(`--metadata must be "embedded" or a postgres:// URL`);
    // `?schema=NAME` picks a schema (several registries in one database); PostgreSQL itself
    // would refuse the unknown parameter, so it is taken out of the URL.
    const url = new URL(metadata);
    const schema = url.searchParams.get('schema') ?? cfg.metadata?.schema;
    url.searchParams.delete('schema');
    cfg.metadata = { ...cfg.metadata, postgres: url.toString(), ...(schema ? { schema } : {}) };
  } else if (metadata === 'embedded') {
    cfg.metadata = {};
  }
}

export function splitAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  if (i < 0) return { host: addr || '0.0.0.0', port: 5000 };
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid address ${addr}`);
  return { host, port };
}
