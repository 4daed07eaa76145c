/**
 * The host side of bridge networking: the bridge itself with its gateway address, IP
 * forwarding, and the NAT rules in a table of our own (`ip wharf` for wharf0): outbound
 * masquerade for the subnet and a DNAT map for published ports. Every step is idempotent and
 * the nft script is applied atomically, so parallel setups converge on one rule set.
 * Without nftables, masquerade falls back to iptables (and publishing relies on the proxy).
 * On a host where Docker runs, its filter FORWARD chain has policy DROP (and br_netfilter
 * sends bridged frames through it): like docker for its own bridge, we accept forwarding
 * from the bridge and replies (and published ports' DNAT) to it, in that chain, and remove
 * those rules with the bridge. An accept in a table of our own would not do: every base
 * chain on the hook must accept.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GONE, mustRun, run } from './exec.js';
import { parseSubnet, type Subnet } from './ipam.js';

export const DEFAULT_BRIDGE = 'wharf0';
export const DEFAULT_SUBNET = '172.28.0.0/16';

export interface BridgeConfig {
  name: string;
  subnet: Subnet;
}

/** Bridge name and subnet: explicit options, then WHARF_BRIDGE / WHARF_BRIDGE_SUBNET, then defaults. */
export function bridgeConfig(opts: { name?: string; subnet?: string } = {}, env = process.env): BridgeConfig {
  return {
    name: opts.name ?? env.WHARF_BRIDGE ?? DEFAULT_BRIDGE,
    subnet: parseSubnet(opts.subnet ?? env.WHARF_BRIDGE_SUBNET ?? DEFAULT_SUBNET),
  };
}

/** Our nftables table for a bridge: `wharf` for the default bridge, `wharf_<name>` otherwise. */
export function nftTable(bridge: string): string {
  return bridge === DEFAULT_BRIDGE ? 'wharf' : `wharf_${bridge.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

let nftAvailable: Promise<boolean> | undefined;
export function hasNft(): Promise<boolean> {
  nftAvailable ??= run('nft', ['list', 'tables']).then((r) => r.code === 0 && process.env.WHARF_NO_NFT !== '1');
  return nftAvailable;
}

function natScript(cfg: BridgeConfig): string {
  const t = nftTable(cfg.name);
  return [
    `add table ip ${t}`,
    `add chain ip ${t} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `flush chain ip ${t} postrouting`,
    `add rule ip ${t} postrouting ip saddr ${cfg.subnet.cidr} oifname != "${cfg.name}" masquerade`,
    `add map ip ${t} ports { type inet_proto . inet_service : ipv4_addr . inet_service; }`,
    `add chain ip ${t} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `flush chain ip ${t} prerouting`,
    `add rule ip ${t} prerouting fib daddr type local dnat ip to meta l4proto . th dport map @ports`,
    '',
  ].join('\n');
}

/** The filter FORWARD rules docker adds for its bridge, for ours: out of it, and back in. */
export function forwardRules(bridge: string): string[][] {
  return [
    ['FORWARD', '-i', bridge, '-j', 'ACCEPT'],
    ['FORWARD', '-o', bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'ACCEPT'],
  ];
}

/** Insert the forward rules unless present; a host without iptables has no such chain to pass. */
async function ensureForwardRules(cfg: BridgeConfig): Promise<void> {
  await Promise.all(
    forwardRules(cfg.name).map(async (rule) => {
      const check = await run('iptables', ['-C', ...rule]);
      if (check.code === 0 || check.code === 127) return;
      await mustRun('iptables', ['-I', ...rule]);
    }),
  );
}

async function removeForwardRules(cfg: BridgeConfig): Promise<void> {
  for (const rule of forwardRules(cfg.name)) while ((await run('iptables', ['-D', ...rule])).code === 0);
}

async function ensureIptablesMasquerade(cfg: BridgeConfig): Promise<void> {
  const rule = ['POSTROUTING', '-s', cfg.subnet.cidr, '!', '-o', cfg.name, '-j', 'MASQUERADE'];
  const check = await run('iptables', ['-t', 'nat', '-C', ...rule]);
  if (check.code !== 0) await mustRun('iptables', ['-t', 'nat', '-A', ...rule]);
}

/**
 * Where a completed ensureBridge leaves its mark, so later containers skip its five tool runs
 * (~20 ms). /run is a tmpfs: a reboot forgets the marks along with the bridges.
 */
export const BRIDGE_MARKS = '/run/wharf/bridges';

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * What must still hold for the bridge to count as set up: the same interface (a deleted and
 * re-created bridge gets a new ifindex, losing its address), the same subnet, forwarding on.
 * The nft table is not re-checked: removing it by hand means re-creating the bridge too.
 */
function bridgeMark(cfg: BridgeConfig): string | undefined {
  const ifindex = readText(`/sys/class/net/${cfg.name}/ifindex`)?.trim();
  const forwarding = readText('/proc/sys/net/ipv4/ip_forward')?.trim();
  // "fwd": set up with the forward rules (a mark from before them means set up again).
  return ifindex && forwarding === '1' ? `${ifindex} ${cfg.subnet.cidr} fwd\n` : undefined;
}

/** Make sure the bridge, forwarding and NAT exist. Safe to call concurrently. */
export async function ensureBridge(cfg: BridgeConfig): Promise<void> {
  const markFile = join(BRIDGE_MARKS, cfg.name);
  const before = bridgeMark(cfg);
  if (before && readText(markFile) === before) return;
  await setUpBridge(cfg);
  const after = bridgeMark(cfg);
  if (!after) return;
  mkdirSync(BRIDGE_MARKS, { recursive: true });
  writeFileSync(markFile, after);
}

async function setUpBridge(cfg: BridgeConfig): Promise<void> {
  const addr = `${cfg.subnet.gateway}/${cfg.subnet.prefixLen}`;
  const link = await run('ip', ['link', 'show', 'dev', cfg.name]);
  if (link.code !== 0) await mustRun('ip', ['link', 'add', 'name', cfg.name, 'type', 'bridge'], { ignore: /File exists/ });
  await mustRun('ip', ['addr', 'replace', addr, 'dev', cfg.name]);
  await mustRun('ip', ['link', 'set', 'dev', cfg.name, 'up']);
  await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
  const forward = ensureForwardRules(cfg);
  if (await hasNft()) await mustRun('nft', ['-f', '-'], { input: natScript(cfg) });
  else await ensureIptablesMasquerade(cfg);
  await forward;
}

/** One published port's DNAT element: "tcp . 8080 : 172.28.0.2 . 80". */
export interface DnatRule {
  proto: 'tcp' | 'udp';
  hostPort: number;
  ip: string;
  port: number;
}

export async function addDnat(bridge: string, rule: DnatRule): Promise<void> {
  const el = `{ ${rule.proto} . ${rule.hostPort} : ${rule.ip} . ${rule.port} }`;
  await mustRun('nft', ['add', 'element', 'ip', nftTable(bridge), 'ports', el]);
}

export async function removeDnat(bridge: string, rule: DnatRule): Promise<void> {
  await run('nft', ['delete', 'element', 'ip', nftTable(bridge), 'ports', `{ ${rule.proto} . ${rule.hostPort} }`]);
}

/** Remove a bridge and its NAT table entirely (tests, and a future `network rm`). */
export async function removeBridge(cfg: BridgeConfig): Promise<void> {
  rmSync(join(BRIDGE_MARKS, cfg.name), { force: true });
  await mustRun('ip', ['link', 'del', 'dev', cfg.name], { ignore: GONE });
  await removeForwardRules(cfg);
  if (await hasNft()) await mustRun('nft', ['delete', 'table', 'ip', nftTable(cfg.name)], { ignore: GONE });
  else {
    const rule = ['POSTROUTING', '-s', cfg.subnet.cidr, '!', '-o', cfg.name, '-j', 'MASQUERADE'];
    while ((await run('iptables', ['-t', 'nat', '-D', ...rule])).code === 0);
  }
}
