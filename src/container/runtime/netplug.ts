/**
 * The container side of networking: calls the network module's setupNetwork/teardownNetwork
 * (src/container/runtime/network.ts, loaded lazily)
 * and writes the generated /etc files into the container directory.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { WharfError } from '../../core/errors.js';
import type { ContainerRecord, NetworkSnapshot } from '../types.js';
import { generateHostsFile, generateResolvConf } from './network/files.js';
import { netnsPath } from './network/netns.js';
import { recordPath } from './network/state.js';

interface NetworkModule {
  setupNetwork(opts: {
    root: string;
    containerId: string;
    mode: 'bridge' | 'host' | 'none';
    ports: unknown[];
    exposeAll?: boolean;
    exposedPorts?: string[];
    hostname?: string;
    preferredIp?: string;
  }): Promise<NetworkSnapshot & { netnsPath?: string }>;
  teardownNetwork(root: string, containerId: string): Promise<void>;
  releaseNetnsName(root: string, containerId: string): Promise<void>;
}

let mod: NetworkModule | undefined;
export async function networkModule(): Promise<NetworkModule | undefined> {
  // Loaded on first use so host/none containers never pay for it.
  mod ??= (await import('./network.js')) as unknown as NetworkModule;
  return mod;
}

export type NetMode = 'bridge' | 'host' | 'none';

export function netMode(rec: ContainerRecord): NetMode {
  const m = rec.HostConfig.NetworkMode;
  return m === 'host' || m === 'none' ? m : 'bridge';
}

export interface NetSetup {
  state?: NetworkSnapshot;
  netnsPath?: string;
  hostNetwork: boolean;
  hostname: string;
}

/**
 * What the runtime spec needs of the network, known before it is set up: the hostname, the
 * namespace a bridge container joins (by its name), or the host's stack.
 */
export function plannedNetwork(rec: ContainerRecord): Omit<NetSetup, 'state'> {
  const mode = netMode(rec);
  return {
    hostname: mode === 'host' ? osHostname() : rec.Config.Hostname,
    netnsPath: mode === 'bridge' ? netnsPath(rec.Id) : undefined,
    hostNetwork: mode === 'host',
  };
}

/** Set up the network and write hosts/hostname/resolv.conf; returns what the spec needs. */
export async function setupContainerNetwork(root: string, rec: ContainerRecord, dir: string, previousIp?: () => string | undefined): Promise<NetSetup> {
  const mode = netMode(rec);
  let state: (NetworkSnapshot & { netnsPath?: string }) | undefined;
  const planned = plannedNetwork(rec);
  const { hostname } = planned;
  // 'none' needs no help: runc makes a fresh network namespace with only lo, up.
  if (mode === 'bridge') {
    const net = await networkModule();
    if (!net) {
      if (mode === 'bridge') throw new WharfError('UNSUPPORTED', 'bridge networking is not available in this build');
    } else {
      state = await net.setupNetwork({
        root,
        containerId: rec.Id,
        mode,
        ports: portMappings(rec),
        exposeAll: rec.HostConfig.PublishAllPorts,
        exposedPorts: Object.keys(rec.Config.ExposedPorts ?? {}),
        hostname,
        // The address of its last run, which a restarted container keeps when still free.
        preferredIp: previousIp?.() || undefined,
      });
    }
  }
  let hostResolv = '';
  try {
    hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    hostResolv = '';
  }
  let hostHosts: string | undefined;
  if (mode === 'host') hostHosts = readFileSync('/etc/hosts', 'utf8');
  writeFileSync(join(dir, 'hostname'), hostname + '\n');
  writeFileSync(
    join(dir, 'hosts'),
    generateHostsFile({ hostname, ip: state?.ipAddress || undefined, domainname: rec.Config.Domainname || undefined, extraHosts: rec.HostConfig.ExtraHosts ?? [], hostHostsFile: hostHosts }),
  );
  const dns = { servers: rec.HostConfig.Dns, search: rec.HostConfig.DnsSearch, options: rec.HostConfig.DnsOptions };
  writeFileSync(join(dir, 'resolv.conf'), generateResolvConf(hostResolv, mode, dns));
  return { ...planned, state };
}

/** PortBindings from the record, as the network module's PortMapping list. */
function portMappings(rec: ContainerRecord): unknown[] {
  const out: unknown[] = [];
  for (const [key, binds] of Object.entries(rec.HostConfig.PortBindings ?? {})) {
    const [port, proto = 'tcp'] = key.split('/');
    for (const b of binds) out.push({ containerPort: Number(port), proto, hostIp: b.HostIp ?? '', hostPort: b.HostPort ?? '' });
  }
  return out;
}

/** After the start: the running container alone keeps its bridge namespace (see releaseNetnsName). */
export async function releaseContainerNetns(root: string, rec: ContainerRecord): Promise<void> {
  if (netMode(rec) !== 'bridge') return;
  const net = await networkModule();
  if (net) await net.releaseNetnsName(root, rec.Id);
}

export async function teardownContainerNetwork(root: string, rec: ContainerRecord): Promise<void> {
  if (netMode(rec) !== 'bridge' || !existsSync(recordPath(root, rec.Id))) return;
  const net = await networkModule();
  if (net) await net.teardownNetwork(root, rec.Id);
}
