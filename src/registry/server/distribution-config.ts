/**
 * distribution's (the `registry` image's) YAML configuration, read into wharf's RegistryConfig
 * so the `config.yml` every distribution user has works with `wharf registry serve --config`.
 *
 * Read: version, log.accesslog.disabled, storage (filesystem.rootdirectory, s3.*, redirect.disable,
 * delete.enabled, maintenance.uploadpurging), http (addr, tls.certificate/key, headers),
 * auth (htpasswd, token realm/service/issuer/expiration), notifications.endpoints.
 * Accepted without effect (wharf has nothing to tune there): log.level/fields/formatter,
 * storage.cache, health, http.debug/http2/secret/host/net. Anything else is refused with
 * the key's name: a setting that silently does nothing (a storage driver, client CAs) would
 * serve something other than what the file says.
 */
import { parse } from 'yaml';
import type { EndpointConfig, RegistryConfig, S3Config } from './config.js';

type Node = Record<string, unknown>;

const isMap = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** distribution's storage.s3 keys wharf's S3 storage takes as they are. */
const S3_KEYS = ['regionendpoint', 'region', 'bucket', 'accesskey', 'secretkey', 'rootdirectory', 'chunksize', 'multipartcopythresholdsize', 'multipartcopychunksize', 'forcepathstyle'];

/** Keys read or accepted, as dotted paths; `*` matches any one key (e.g. header names). */
const KNOWN = new Set([
  'version',
  'log', 'log.level', 'log.formatter', 'log.fields', 'log.fields.*', 'log.accesslog', 'log.accesslog.disabled',
  'storage', 'storage.filesystem', 'storage.filesystem.rootdirectory', 'storage.filesystem.maxthreads',
  'storage.s3', ...S3_KEYS.map((k) => `storage.s3.${k}`), 'storage.redirect', 'storage.redirect.disable',
  'storage.delete', 'storage.delete.enabled', 'storage.cache', 'storage.cache.blobdescriptor', 'storage.cache.blobdescriptorsize',
  'storage.maintenance', 'storage.maintenance.uploadpurging', 'storage.maintenance.uploadpurging.enabled',
  'storage.maintenance.uploadpurging.age', 'storage.maintenance.uploadpurging.interval', 'storage.maintenance.uploadpurging.dryrun',
  'http', 'http.addr', 'http.net', 'http.host', 'http.secret', 'http.debug', 'http.debug.addr', 'http.http2', 'http.http2.disabled',
  'http.tls', 'http.tls.certificate', 'http.tls.key', 'http.headers', 'http.headers.*',
  'auth', 'auth.htpasswd', 'auth.htpasswd.realm', 'auth.htpasswd.path',
  'auth.token', 'auth.token.realm', 'auth.token.service', 'auth.token.issuer', 'auth.token.expiration',
  'notifications', 'notifications.endpoints', 'notifications.events', 'notifications.events.includereferences',
  'health', 'health.storagedriver', 'health.storagedriver.enabled', 'health.storagedriver.interval', 'health.storagedriver.threshold',
]);

const ENDPOINT_KEYS = new Set(['name', 'url', 'headers', 'timeout', 'threshold', 'backoff', 'disabled', 'ignoredmediatypes', 'ignore']);

/** Every dotted key in `node` that is not read or accepted. */
function unknownKeys(node: Node, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const wild = prefix ? `${prefix}.*` : '*';
    if (!KNOWN.has(path) && !KNOWN.has(wild)) {
      out.push(path);
      continue;
    }
    if (isMap(v) && !KNOWN.has(wild)) out.push(...unknownKeys(v, path));
  }
  return out;
}

/** A Go duration (`500ms`, `1s`, `168h`) in milliseconds. */
export function goDurationMs(value: unknown, key: string): number {
  if (typeof value === 'number') return value / 1e6; // a bare number is nanoseconds, as Go reads it
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const s = String(value).trim();
  const parts = [...s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== s) throw new Error(`config: ${key}: invalid duration ${JSON.stringify(value)}`);
  return parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]!]!, 0);
}

/** distribution's header maps have a list of values per name; wharf sends them joined. */
function headerMap(value: unknown, key: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMap(value)) throw new Error(`config: ${key}: expected a map of header names to lists of values`);
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) out[name] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
  return out;
}

function endpoint(e: unknown, i: number): EndpointConfig | undefined {
  const key = `notifications.endpoints[${i}]`;
  if (!isMap(e)) throw new Error(`config: ${key}: expected a map`);
  const bad = Object.keys(e).filter((k) => !ENDPOINT_KEYS.has(k));
  if (bad.length) throw new Error(`config: unsupported keys: ${bad.map((k) => `${key}.${k}`).join(', ')}`);
  if (e.disabled === true) return undefined;
  if (typeof e.url !== 'string' || !e.url) throw new Error(`config: ${key}.url is required`);
  const ignore = isMap(e.ignore) ? e.ignore : {};
  const out: EndpointConfig = { name: String(e.name ?? `endpoint-${i}`), url: e.url, headers: headerMap(e.headers, `${key}.headers`) };
  if (e.timeout !== undefined) out.timeout = goDurationMs(e.timeout, `${key}.timeout`);
  if (e.backoff !== undefined) out.backoff = goDurationMs(e.backoff, `${key}.backoff`);
  if (e.threshold !== undefined) out.retries = Number(e.threshold);
  if (Array.isArray(ignore.actions)) out.ignoredActions = ignore.actions.map(String);
  return out;
}

/** `http.addr` as Go listens: `:5000` is every address. */
function listenAddr(addr: string): string {
  return addr.startsWith(':') ? `0.0.0.0${addr}` : addr;
}

/** Parse distribution's YAML text into the parts of RegistryConfig it sets. */
export function parseDistributionConfig(text: string, path: string): Partial<RegistryConfig> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`config ${path}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (!isMap(doc)) throw new Error(`config ${path}: expected a YAML map`);
  if (doc.version === undefined) throw new Error(`config ${path}: version is required`);
  if (String(doc.version) !== '0.1') throw new Error(`config ${path}: unsupported version ${JSON.stringify(String(doc.version))} (only 0.1)`);
  const unknown = unknownKeys(doc);
  if (unknown.length) throw new Error(`config ${path}: unsupported keys: ${unknown.join(', ')}`);
  const get = (...keys: string[]): unknown => keys.reduce<unknown>((n, k) => (isMap(n) ? n[k] : undefined), doc);
  const cfg: Partial<RegistryConfig> = {};
  const root = get('storage', 'filesystem', 'rootdirectory');
  if (root !== undefined) cfg.root = String(root);
  const s3 = get('storage', 's3');
  if (isMap(s3)) cfg.storage = { s3: { ...s3 } as unknown as S3Config };
  const redirect = get('storage', 'redirect', 'disable');
  if (redirect !== undefined) cfg.storage = { ...cfg.storage, redirect: { disable: redirect === true } };
  const del = get('storage', 'delete', 'enabled');
  // distribution refuses deletes unless enabled; wharf's default is on, so say it either way.
  cfg.delete = del === true;
  const purging = get('storage', 'maintenance', 'uploadpurging');
  if (isMap(purging) && purging.enabled !== false && purging.age !== undefined) cfg.gc = { uploadPurgeAge: goDurationMs(purging.age, 'storage.maintenance.uploadpurging.age') / 1000 };
  const addr = get('http', 'addr');
  if (addr !== undefined) cfg.addr = listenAddr(String(addr));
  const cert = get('http', 'tls', 'certificate');
  const key = get('http', 'tls', 'key');
  if (cert !== undefined || key !== undefined) {
    if (!cert || !key) throw new Error(`config ${path}: http.tls needs both certificate and key`);
    cfg.tls = { cert: String(cert), key: String(key) };
  }
  const headers = headerMap(get('http', 'headers'), 'http.headers');
  if (Object.keys(headers).length) cfg.headers = headers;
  if (get('log', 'accesslog', 'disabled') === true) cfg.log = { requests: false };
  const htpasswd = get('auth', 'htpasswd');
  const token = get('auth', 'token');
  if (isMap(htpasswd) && isMap(token)) throw new Error(`config ${path}: auth: only one of htpasswd and token may be set`);
  if (isMap(htpasswd)) {
    if (!htpasswd.path) throw new Error(`config ${path}: auth.htpasswd.path is required`);
    cfg.auth = { htpasswd: { path: String(htpasswd.path), realm: htpasswd.realm === undefined ? undefined : String(htpasswd.realm) } };
  } else if (isMap(token)) {
    cfg.auth = {
      token: {
        realm: token.realm === undefined ? undefined : String(token.realm),
        service: token.service === undefined ? undefined : String(token.service),
        issuer: token.issuer === undefined ? undefined : String(token.issuer),
        expiration: token.expiration === undefined ? undefined : Number(token.expiration),
      },
    };
  }
  const endpoints = get('notifications', 'endpoints');
  if (endpoints !== undefined) {
    if (!Array.isArray(endpoints)) throw new Error(`config ${path}: notifications.endpoints: expected a list`);
    cfg.notifications = { endpoints: endpoints.map(endpoint).filter((e): e is EndpointConfig => e !== undefined) };
  }
  return cfg;
}
