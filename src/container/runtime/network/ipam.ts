/**
 * IPv4 address management for the bridge subnet. Allocations live in SQLite at
 * `<root>/network/ipam.db`; each allocation runs in a `BEGIN IMMEDIATE` transaction, so
 * parallel wharf processes never hand out the same address twice.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WharfError, invalidArgument } from '../../../core/errors.js';

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

function openDb(root: string): Database.Database {
  const dir = join(root, 'network');
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'ipam.db'), { timeout: 30_000 });
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS allocations (
    subnet TEXT NOT NULL, ip INTEGER NOT NULL, container TEXT NOT NULL,
    PRIMARY KEY (subnet, ip), UNIQUE (subnet, container))`);
  return db;
}

/** Allocate (or return the existing) address of `containerId` in `subnet`. */
export function allocateIp(root: string, subnet: Subnet, containerId: string): string {
  const db = openDb(root);
  try {
    const tx = db.transaction(() => {
      const existing = db
        .prepare('SELECT ip FROM allocations WHERE subnet = ? AND container = ?')
        .get(subnet.cidr, containerId) as { ip: number } | undefined;
      if (existing) return existing.ip;
      const used = new Set(
        (db.prepare('SELECT ip FROM allocations WHERE subnet = ?').all(subnet.cidr) as { ip: number }[]).map((r) => r.ip),
      );
      const last = subnet.network + 2 ** (32 - subnet.prefixLen) - 2; // before broadcast
      for (let ip = subnet.network + 2; ip <= last; ip++) {
        if (used.has(ip)) continue;
        db.prepare('INSERT INTO allocations (subnet, ip, container) VALUES (?, ?, ?)').run(subnet.cidr, ip, containerId);
        return ip;
      }
      throw new WharfError('UNAVAILABLE', `no available IPv4 addresses on this network's address pools: ${subnet.cidr}`);
    });
    return intToIp(tx.immediate());
  } finally {
    db.close();
  }
}

/** Release every address held by `containerId` (idempotent). */
export function releaseIp(root: string, containerId: string): void {
  const db = openDb(root);
  try {
    db.prepare('DELETE FROM allocations WHERE container = ?').run(containerId);
  } finally {
    db.close();
  }
}

/** All allocations, for diagnostics and tests. */
export function listAllocations(root: string): { subnet: string; ip: string; container: string }[] {
  const db = openDb(root);
  try {
    const rows = db.prepare('SELECT subnet, ip, container FROM allocations ORDER BY ip').all() as {
      subnet: string;
      ip: number;
      container: string;
    }[];
    return rows.map((r) => ({ ...r, ip: intToIp(r.ip) }));
  } finally {
    db.close();
  }
}
