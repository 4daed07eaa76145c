/**
 * A non-loopback address for tests that must not be treated as an insecure registry (Docker
 * and wharf trust 127.0.0.0/8 as insecure): a veth pair named `<prefix><random>` carrying an
 * unused 10.251.X.1/30, checked against every address and route the host already has; and a
 * bridge for a private dockerd. Needs root and `ip`; `remove()` deletes the link (and with it
 * the address).
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

/** A random `10.<second>.X.1` that no address or route of the host covers. */
function freeAddress(second: number): string {
  for (let i = 0; i < 50; i++) {
    const candidate = `10.${second}.${1 + Math.floor(Math.random() * 254)}.1`;
    if (!addressInUse(candidate)) return candidate;
  }
  throw new Error(`no free 10.${second}.X.1 found`);
}

const linkName = (prefix: string) => `${prefix}${Math.random().toString(16).slice(2, 10)}`.slice(0, 15);

/** Create the pair with a free 10.251.X.1/30 on its host end, both ends up. */
export function createVeth(prefix = 'wt'): Veth {
  const addr = freeAddress(251);
  const link = linkName(prefix);
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

/**
 * A bridge of its own, up, with a free 10.252.X.1/24, for a private dockerd: started with
 * `--bridge none` instead, dockerd deletes the host's docker0 (moby removes the default
 * bridge's interface when bridging is off), breaking any Docker running on the host.
 */
export function createBridge(prefix = 'wdk'): Veth {
  const addr = freeAddress(252);
  const link = linkName(prefix);
  ip(['link', 'add', 'name', link, 'type', 'bridge']);
  const remove = () => void spawnSync('ip', ['link', 'del', link]);
  try {
    ip(['addr', 'add', `${addr}/24`, 'dev', link]);
    ip(['link', 'set', link, 'up']);
  } catch (err) {
    remove();
    throw err;
  }
  return { ip: addr, link, remove };
}
