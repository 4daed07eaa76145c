/**
 * IPv4 address management for the bridge subnet. An address is taken by creating the file
 * `<root>/network/ipam/<subnet>/<ip>` exclusively (O_EXCL), holding the container ID, with an
 * index file `c-<id>` naming it; so parallel wharf processes never hand out the same address
 * twice, and the monitor needs no database (nor its native addon) to plug a container in.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WharfError, invalidArgument } from '../../../core/errors.js';
import { dataLayout } from '../../../core/layout.js';

export interface Subnet {
  /** "172.28.0.0/16" */
  cidr: string;
  network: number;
  prefixLen: number;
  /** First usable address (.1), used as the bridge's gateway address. */
  gateway: string;
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalidArgument(`invalid IPv4 address: ${ip}`);
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseSubnet(cidr: string): Subnet {
  const [addr, lenText] = cidr.split('/');
  const prefixLen = Number(lenText);
  if (!addr || !/^\d+$/.test(lenText ?? '') || prefixLen < 8 || prefixLen > 30) {
    throw invalidArgument(`invalid subnet: ${cidr}`);
  }
  const mask = (0xffffffff << (32 - prefixLen)) >>> 0;
  const network = (ipToInt(addr) & mask) >>> 0;
  return { cidr: `${intToIp(network)}/${prefixLen}`, network, prefixLen, gateway: intToIp(network + 1) };
}

/** Docker's MAC for an IPv4 address: 02:42 followed by the four address bytes. */
export function macForIp(ip: string): string {
  const n = ipToInt(ip);
  const bytes = [0x02, 0x42, n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** One directory per subnet: a file per taken address, named by the address, holding its owner. */
function subnetDir(root: string, subnet: Subnet): string {
  return join(dataLayout(root).network, 'ipam', subnet.cidr.replace('/', '_'));
}

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The last address handed out. The next search starts after it, so a just-released address
 * is not reused at once: its veth pair may still be on its way out (the kernel destroys it
 * with the network namespace, in the background) and would share the new one's MAC.
 */
const LAST = 'last';
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;

/** `ip`'s place in the subnet's usable range, if it is a valid address there. */
function offsetOf(ip: string, first: number, size: number): number | undefined {
  try {
    const offset = ipToInt(ip) - first;
    return offset >= 0 && offset < size ? offset : undefined;
  } catch {
    return undefined;
  }
}

/** Where the search starts: just after the last address handed out (0 without a usable hint). */
function lastOffset(dir: string, first: number, size: number): number {
  const hint = readText(join(dir, LAST));
  const offset = hint ? offsetOf(hint, first, size) : undefined;
  return offset === undefined ? 0 : (offset + 1) % size;
}

/**
 * Allocate (or return the existing) address of `containerId` in `subnet`: `preferred` (the
 * address of its last run, so a restarted container keeps it) when free, else the next one.
 */
export function allocateIp(root: string, subnet: Subnet, containerId: string, preferred?: string): string {
  const dir = subnetDir(root, subnet);
  mkdirSync(dir, { recursive: true });
  const index = join(dir, `c-${containerId}`);
  const held = readText(index);
  if (held && readText(join(dir, held)) === containerId) return held;
  const used = new Set(readdirSync(dir));
  const first = subnet.network + 2;
  const size = 2 ** (32 - subnet.prefixLen) - 3; // without network, gateway and broadcast
  const after = lastOffset(dir, first, size);
  const wanted = preferred ? offsetOf(preferred, first, size) : undefined;
  const order = (i: number) => (wanted === undefined ? (after + i) % size : i === 0 ? wanted : (after + i - 1) % size);
  for (let i = 0; i < size + (wanted === undefined ? 0 : 1); i++) {
    const ip = intToIp(first + order(i));
    if (used.has(ip)) continue;
    try {
      // Exclusive create is the lock: of two processes claiming one address, one gets EEXIST.
      writeFileSync(join(dir, ip), containerId, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    writeFileSync(index, ip);
    // Through a temp file: two processes writing it in place could leave a mix of both.
    const tmp = join(dir, `${LAST}.${process.pid}`);
    writeFileSync(tmp, ip);
    renameSync(tmp, join(dir, LAST));
    return ip;
  }
  throw new WharfError('UNAVAILABLE', `no available IPv4 addresses on this network's address pools: ${subnet.cidr}`);
}

function subnetDirs(root: string): string[] {
  const base = join(dataLayout(root).network, 'ipam');
  try {
    return readdirSync(base).map((d) => join(base, d));
  } catch {
    return [];
  }
}

/** Release every address held by `containerId` (idempotent). */
export function releaseIp(root: string, containerId: string): void {
  for (const dir of subnetDirs(root)) {
    const index = join(dir, `c-${containerId}`);
    const ip = readText(index);
    if (ip && readText(join(dir, ip)) === containerId) rmSync(join(dir, ip), { force: true });
    rmSync(index, { force: true });
  }
}

/** All allocations, for diagnostics and tests. */
export function listAllocations(root: string): { subnet: string; ip: string; container: string }[] {
  const out: { subnet: string; ip: string; container: string }[] = [];
  for (const dir of subnetDirs(root)) {
    const subnet = dir.slice(dir.lastIndexOf('/') + 1).replace('_', '/');
    for (const name of readdirSync(dir)) {
      const container = IPV4.test(name) ? readText(join(dir, name)) : undefined;
      if (container) out.push({ subnet, ip: name, container });
    }
  }
  return out.sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip));
}
