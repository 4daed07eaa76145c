/**
 * A non-loopback address for tests that must not be treated as an insecure registry (Docker
 * and wharf trust 127.0.0.0/8 as insecure): a veth pair named `<prefix><random>` carrying an
 * unused 10.251.X.1/30, checked against every address and route the host already has. Needs
 * root and `ip`; `remove()` deletes the pair (and with it the address).
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface Veth {
  /** The address on the host side, e.g. 10.251.37.1. */
  ip: string;
  link: string;
  remove(): void;
}

const ip = (args: string[]) => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const ipv4 = (s: string) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** True when `addr` falls in any address or route the host already has (default route aside). */
export function addressInUse(addr: string): boolean {
  const a = ipv4(addr);
  const inside = (cidr: string) => {
    const [net, bits = '32'] = cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipv4(net!) / size) * size;
    return a >= start && a < start + size;
  };
  const addrs = JSON.parse(ip(['-j', '-4', 'addr'])) as { addr_info: { local: string; prefixlen: number }[] }[];
  if (addrs.some((l) => l.addr_info.some((i) => inside(`${i.local}/${i.prefixlen}`)))) return true;
  const routes = JSON.parse(ip(['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst: string }[];
  return routes.some((r) => r.dst !== 'default' && /^\d/.test(r.dst) && inside(r.dst));
}

/** Create the pair with a free 10.251.X.1/30 on its host end, both ends up. */
export function createVeth(prefix = 'wt'): Veth {
  let addr = '';
  for (let i = 0; i < 50 && !addr; i++) {
    const candidate = `10.251.${1 + Math.floor(Math.random() * 254)}.1`;
    if (!addressInUse(candidate)) addr = candidate;
  }
  if (!addr) throw new Error('no free 10.251.X.1/30 found');
  const link = `${prefix}${Math.random().toString(16).slice(2, 10)}`.slice(0, 15);
  ip(['link', 'add', link, 'type', 'veth', 'peer', 'name', `${link.slice(0, 14)}p`]);
  const remove = () => void spawnSync('ip', ['link', 'del', link]);
  try {
    ip(['addr', 'add', `${addr}/30`, 'dev', link]);
    ip(['link', 'set', link, 'up']);
    ip(['link', 'set', `${link.slice(0, 14)}p`, 'up']);
  } catch (err) {
    remove();
    throw err;
  }
  return { ip: addr, link, remove };
}
