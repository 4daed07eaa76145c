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

export interface RegistryConfig {
  /** host:port to listen on. */
  addr: string;
  root: string;
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
  quiet?: boolean;
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
  if (flags.quiet) cfg.log = { ...cfg.log, requests: false };
  return cfg;
}

export function splitAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  if (i < 0) return { host: addr || '0.0.0.0', port: 5000 };
  const host = addr.slice(0, i).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(addr.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid address ${addr}`);
  return { host, port };
}
