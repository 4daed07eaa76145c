/**
 * Registry endpoint configuration, as dockerd decides it: `insecure-registries` (names and
 * CIDRs) and `registry-mirrors` from /etc/wharf/daemon.json, HTTPS by default with plain HTTP
 * allowed only for insecure registries, `localhost` and 127.0.0.0/8, and TLS material from
 * certs.d directories (`*.crt` CA roots, `*.cert` + `*.key` client pairs) keyed by `HOST:PORT`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { WharfError } from '../../core/errors.js';
import { daemonConfigPath } from '../../core/paths.js';
import { DEFAULT_DOMAIN } from '../../core/reference.js';

/** Where Docker Hub is really served. */
export const DOCKER_HUB_REGISTRY = 'registry-1.docker.io';
/** The key Docker uses for Docker Hub in config.json and as its search index. */
export const DOCKER_HUB_INDEX = 'https://index.docker.io/v1/';

export interface TlsMaterial {
  ca?: Buffer[];
  cert?: Buffer;
  key?: Buffer;
}

export interface RegistryEndpoint {
  /** `host[:port]` the requests go to. */
  host: string;
  /** `https://host[:port]` or `http://...`; no trailing slash. */
  baseUrl: string;
  /** Plain HTTP may be tried when HTTPS fails (Docker tries HTTPS first even then). */
  insecure: boolean;
  mirror: boolean;
  tls: TlsMaterial;
}

export interface RegistryConfigData {
  insecureRegistries?: string[];
  registryMirrors?: string[];
  /** Base directories holding `HOST:PORT/` TLS folders, searched in order. */
  certsDirs?: string[];
}

const DEFAULT_INSECURE_CIDRS = ['127.0.0.0/8', '::1/128'];

export function defaultCertsDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.WHARF_CERTS_D) return env.WHARF_CERTS_D.split(':').filter(Boolean);
  return ['/etc/wharf/certs.d', '/etc/docker/certs.d'];
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

function expandIPv6(ip: string): bigint {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

/** True when `ip` lies inside `cidr` (IPv4 or IPv6). */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  if (!net || bitsText === undefined) return false;
  const bits = Number(bitsText);
  const fam = isIP(net);
  if (fam !== isIP(ip) || fam === 0) return false;
  if (fam === 4) {
    if (bits === 0) return true;
    const mask = (~0 << (32 - bits)) >>> 0;
    return (ipv4ToInt(ip) & mask) === (ipv4ToInt(net) & mask);
  }
  const shift = BigInt(128 - bits);
  return expandIPv6(ip) >> shift === expandIPv6(net) >> shift;
}

/** Host name without port and IPv6 brackets. */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const i = host.lastIndexOf(':');
  return i >= 0 && host.indexOf(':') === i ? host.slice(0, i) : host;
}

function stripScheme(s: string): string {
  return s.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

export class RegistryConfig {
  readonly insecureRegistries: string[];
  readonly registryMirrors: string[];
  readonly certsDirs: string[];

  constructor(data: RegistryConfigData = {}) {
    this.insecureRegistries = data.insecureRegistries ?? [];
    this.registryMirrors = data.registryMirrors ?? [];
    this.certsDirs = data.certsDirs ?? defaultCertsDirs();
  }

  /** Read daemon.json (a missing file means defaults). */
  static load(env: NodeJS.ProcessEnv = process.env): RegistryConfig {
    const path = daemonConfigPath(env);
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new WharfError('INVALID_ARGUMENT', `unable to configure the registry from ${path}: ${(err as Error).message}`);
      }
    }
    const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    return new RegistryConfig({
      insecureRegistries: list(json['insecure-registries']),
      registryMirrors: list(json['registry-mirrors']),
      certsDirs: defaultCertsDirs(env),
    });
  }

  /** Plain HTTP is allowed for this `host[:port]`. */
  isInsecure(host: string): boolean {
    const name = hostnameOf(host);
    for (const entry of this.insecureRegistries) {
      const e = stripScheme(entry);
      if (e.includes('/')) {
        if (isIP(name) && inCidr(name, e)) return true;
      } else if (e === host || e === name) {
        return true;
      }
    }
    if (name === 'localhost') return true;
    return isIP(name) !== 0 && DEFAULT_INSECURE_CIDRS.some((c) => inCidr(name, c));
  }

  /** CA roots and client certificate for `host[:port]` from the certs.d directories. */
  tlsFor(host: string): TlsMaterial {
    const tls: TlsMaterial = {};
    for (const base of this.certsDirs) {
      const dir = join(base, host);
      let files: string[];
      try {
        files = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const f of files) {
        if (f.endsWith('.crt')) (tls.ca ??= []).push(readFileSync(join(dir, f)));
        else if (f.endsWith('.cert')) {
          const keyName = f.slice(0, -'.cert'.length) + '.key';
          if (!files.includes(keyName)) {
            throw new WharfError('INVALID_ARGUMENT', `missing key ${keyName} for client certificate ${f}`);
          }
          tls.cert = readFileSync(join(dir, f));
          tls.key = readFileSync(join(dir, keyName));
        }
      }
      if (tls.ca || tls.cert) break;
    }
    return tls;
  }

  private endpoint(hostOrUrl: string, mirror: boolean): RegistryEndpoint {
    const explicit = /^(https?):\/\//i.exec(hostOrUrl)?.[1]?.toLowerCase();
    const host = stripScheme(hostOrUrl).split('/')[0]!;
    const insecure = explicit === 'http' || this.isInsecure(host);
    const scheme = explicit ?? 'https';
    return { host, baseUrl: `${scheme}://${host}`, insecure, mirror, tls: this.tlsFor(host) };
  }

  /**
   * Endpoints to try for a registry in order: docker.io gets its mirrors first, then
   * registry-1.docker.io. Pushes use only the non-mirror endpoint.
   */
  endpoints(registry: string, opts: { push?: boolean } = {}): RegistryEndpoint[] {
    if (registry === DEFAULT_DOMAIN || registry === 'index.docker.io') {
      const mirrors = opts.push ? [] : this.registryMirrors.map((m) => this.endpoint(m, true));
      return [...mirrors, this.endpoint(DOCKER_HUB_REGISTRY, false)];
    }
    return [this.endpoint(registry, false)];
  }
}
