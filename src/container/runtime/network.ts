/**
 * Container networking (bridge, host, none): the one entry point the runtime calls.
 *
 * bridge: a wharf bridge (wharf0, 172.28.0.0/16 by default) with forwarding and outbound NAT,
 * an address from SQLite-backed IPAM, a named netns `wharf-<id12>` joined to the bridge by a veth
 * pair, and published ports served by a per-container userland proxy (plus nftables DNAT for
 * non-loopback host addresses). none: a netns with only lo. host: nothing.
 * Everything created is recorded in `<root>/network/<id>.json`; teardown reads it and is idempotent.
 */
import { readFileSync } from 'node:fs';
import { WharfError } from '../../core/errors.js';
import { addDnat, bridgeConfig, ensureBridge, hasNft, removeDnat, type DnatRule } from './network/bridge.js';
import { allocateIp, macForIp, releaseIp } from './network/ipam.js';
import { createBridgedNetns, createNetns, destroyNetns } from './network/netns.js';
import { expandExposed, type PortMapping, type PublishedPort } from './network/ports.js';
import { startProxy, stopProxy, type ProxyPort } from './network/proxy.js';
import { readRecord, removeRecord, toState, writeRecord } from './network/state.js';
import type { NetworkMode, NetworkRecord, NetworkState } from './network/state.js';

export { parsePortSpec, portLines, portMappingsForInspect, expandExposed } from './network/ports.js';
export type { PortMapping, PublishedPort } from './network/ports.js';
export { generateHostsFile, generateResolvConf, parseExtraHost } from './network/files.js';
export type { NetworkMode, NetworkState } from './network/state.js';
export { DEFAULT_BRIDGE, DEFAULT_SUBNET, removeBridge, bridgeConfig } from './network/bridge.js';
export { netnsName, netnsPath, vethName } from './network/netns.js';

export interface SetupNetworkOptions {
  root: string;
  containerId: string;
  mode: NetworkMode;
  ports: PortMapping[];
  /** -P: publish every exposed port on a free host port. */
  exposeAll?: boolean;
  /** EXPOSE entries of the image and --expose ("80", "53/udp", "8000-8001"). */
  exposedPorts?: string[];
  /** Accepted for the runtime's convenience; the name files come from generateHostsFile. */
  hostname?: string;
  /** Container name for error messages (Docker's endpoint name); defaults to the short id. */
  name?: string;
  /** The address of the container's last run: kept if still free. */
  preferredIp?: string;
  /** Bridge overrides (tests); default WHARF_BRIDGE / WHARF_BRIDGE_SUBNET, then wharf0 172.28.0.0/16. */
  bridgeName?: string;
  subnet?: string;
}

/** The mappings to publish: the -p ones plus, with -P, every other exposed tcp/udp port. */
function mappingsToPublish(opts: SetupNetworkOptions, exposedKeys: string[]): PortMapping[] {
  const out = [...opts.ports];
  if (!opts.exposeAll) return out;
  const explicit = new Set(opts.ports.map((p) => `${p.containerPort}/${p.proto}`));
  for (const key of exposedKeys) {
    const [port, proto] = key.split('/') as [string, string];
    if (explicit.has(key) || (proto !== 'tcp' && proto !== 'udp')) continue;
    out.push({ hostIp: '', hostPort: '', containerPort: Number(port), proto });
  }
  return out;
}

function exposedKeysOf(opts: SetupNetworkOptions): string[] {
  const keys = new Set<string>();
  for (const entry of opts.exposedPorts ?? []) for (const k of expandExposed(entry)) keys.add(k);
  for (const p of opts.ports) keys.add(`${p.containerPort}/${p.proto}`);
  return [...keys];
}

/** Whether the host does IPv6 (docker then also publishes an unaddressed port on [::]). */
function hostHasIpv6(): boolean {
  try {
    return readFileSync('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'utf8').trim() === '0';
  } catch {
    return false;
  }
}

async function publish(root: string, record: NetworkRecord, mappings: PortMapping[], endpoint: string): Promise<void> {
  if (mappings.length === 0) return;
  const ipv6 = hostHasIpv6();
  const specs: ProxyPort[] = [];
  for (const m of mappings) {
    const spec = { proto: m.proto, hostIp: m.hostIp || '0.0.0.0', hostPort: m.hostPort, targetIp: record.ipAddress, targetPort: m.containerPort };
    specs.push(spec);
    // `-p 8080:80` is 0.0.0.0:8080 and, on the same port, [::]:8080 (relayed to the IPv4 address).
    if (!m.hostIp && ipv6) specs.push({ ...spec, hostIp: '::', samePortAs: specs.length - 1, optional: true });
  }
  let started: { pid: number; ports: number[] };
  try {
    started = await startProxy(record.containerId, specs);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new WharfError('CONFLICT', `driver failed programming external connectivity on endpoint ${endpoint}: ${why}`, {
      cause: err,
      exitCode: 125,
    });
  }
  record.proxyPids.push(started.pid);
  specs.forEach((spec, i) => {
    if (started.ports[i] === 0) return; // an optional [::] twin that could not bind
    record.ports.push({
      containerPort: `${spec.targetPort}/${spec.proto}`,
      hostIp: spec.hostIp,
      hostPort: String(started.ports[i]),
    });
  });
  writeRecord(root, record);
  if (!(await hasNft())) return;
  for (const [i, spec] of specs.entries()) {
    if (spec.hostIp !== '0.0.0.0') continue;
    const rule: DnatRule = { proto: spec.proto, hostPort: started.ports[i]!, ip: record.ipAddress, port: spec.targetPort };
    record.dnat.push(rule);
    writeRecord(root, record);
    await addDnat(record.bridge, rule);
  }
}

/** Set up the container's network; on failure everything done so far is undone. */
export async function setupNetwork(opts: SetupNetworkOptions): Promise<NetworkState> {
  const { root, containerId, mode } = opts;
  if (readRecord(root, containerId)) await teardownNetwork(root, containerId);
  const exposedKeys = exposedKeysOf(opts);
  const record: NetworkRecord = {
    containerId,
    mode,
    ipAddress: '',
    ipPrefixLen: 0,
    gateway: '',
    macAddress: '',
    bridge: '',
    ports: [],
    proxyPids: [],
    dnat: [],
    exposedPorts: exposedKeys,
  };
  writeRecord(root, record);
  try {
    if (mode === 'host') return toState(record);
    if (mode === 'none') {
      record.netnsPath = await createNetns(containerId);
      writeRecord(root, record);
      return toState(record);
    }
    const cfg = bridgeConfig({ name: opts.bridgeName, subnet: opts.subnet });
    Object.assign(record, { bridge: cfg.name, subnet: cfg.subnet.cidr, gateway: cfg.subnet.gateway });
    await ensureBridge(cfg);
    record.ipAddress = allocateIp(root, cfg.subnet, containerId, opts.preferredIp);
    record.ipPrefixLen = cfg.subnet.prefixLen;
    record.macAddress = macForIp(record.ipAddress);
    // No record write yet: teardown finds the address and the netns by the container's ID.
    const { gateway, prefixLen } = cfg.subnet;
    record.netnsPath = await createBridgedNetns({ containerId, bridge: cfg.name, ip: record.ipAddress, prefixLen, gateway, mac: record.macAddress });
    await publish(root, record, mappingsToPublish(opts, exposedKeys), opts.name ?? containerId.slice(0, 12));
    writeRecord(root, record);
    return toState(record);
  } catch (err) {
    await teardownNetwork(root, containerId).catch(() => undefined);
    throw err;
  }
}

/**
 * Once the container runs, its processes hold the namespace: the name (a bind mount under
 * /run/netns) can go at once. The kernel then destroys namespace and veth pair when the
 * container's last process exits, so the exit path runs no ip(8), and a monitor that dies
 * leaves no namespace behind.
 */
export async function releaseNetnsName(root: string, containerId: string): Promise<void> {
  const record = readRecord(root, containerId);
  if (record?.mode !== 'bridge' || record.netnsReleased) return;
  await destroyNetns(containerId);
  record.netnsReleased = true;
  record.netnsPath = undefined;
  writeRecord(root, record);
}

/** Undo setupNetwork: DNAT elements, proxies, veth and netns, the address, the record. Idempotent. */
export async function teardownNetwork(root: string, containerId: string): Promise<void> {
  const record = readRecord(root, containerId);
  if (record?.dnat.length && (await hasNft())) {
    for (const rule of record.dnat) await removeDnat(record.bridge, rule);
  }
  for (const pid of record?.proxyPids ?? []) await stopProxy(pid, containerId);
  if (record?.mode !== 'host' && !record?.netnsReleased) await destroyNetns(containerId);
  if (!record || record.mode === 'bridge') releaseIp(root, containerId);
  removeRecord(root, containerId);
}

/** The recorded network state of a container, if it has one. */
export function readNetworkState(root: string, containerId: string): NetworkState | undefined {
  const record = readRecord(root, containerId);
  return record && toState(record);
}
