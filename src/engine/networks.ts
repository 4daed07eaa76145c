/**
 * The networks wharf has: the default bridge (its name and subnet from the bridge config),
 * host and none, in Docker's network resource shape, with the containers attached to each.
 */
import { createHash } from 'node:crypto';
import { bridgeConfig } from '../container/runtime/network/bridge.js';
import type { Engine } from './engine.js';
import { WharfError } from '../core/errors.js';

const BOOT = new Date().toISOString();
const idOf = (name: string) => createHash('sha256').update(`wharf-network-${name}`).digest('hex');

export function listNetworks(engine: Engine): Record<string, unknown>[] {
  const bridge = bridgeConfig();
  const store = engine.containers;
  const members = (name: string) => {
    const out: Record<string, unknown> = {};
    for (const rec of store.list()) {
      const mode = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
      const st = store.state(rec.Id);
      if (mode !== name || !st.Running) continue;
      const n = st.Network;
      out[rec.Id] = { Name: rec.Name, EndpointID: '', MacAddress: n?.macAddress ?? '', IPv4Address: n ? `${n.ipAddress}/${n.ipPrefixLen}` : '', IPv6Address: '' };
    }
    return out;
  };
  const net = (name: string, driver: string, config: object[], options: Record<string, string>) => ({
    Name: name, Id: idOf(name), Created: BOOT, Scope: 'local', Driver: driver, EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: config }, Internal: false, Attachable: false, Ingress: false,
    ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: members(name), Options: options, Labels: {},
  });
  return [
    net('bridge', 'bridge', [{ Subnet: bridge.subnet.cidr, Gateway: bridge.subnet.gateway }], {
      'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true', 'com.docker.network.bridge.enable_ip_masquerade': 'true',
      'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0', 'com.docker.network.bridge.name': bridge.name, 'com.docker.network.driver.mtu': '1500',
    }),
    net('host', 'host', [], {}),
    net('none', 'null', [], {}),
  ];
}

/** A network by name, full ID or ID prefix. */
export function inspectNetwork(engine: Engine, ref: string): Record<string, unknown> {
  const found = listNetworks(engine).find((n) => n.Name === ref || n.Id === ref || (ref.length >= 1 && String(n.Id).startsWith(ref)));
  if (!found) throw new WharfError('NOT_FOUND', `network ${ref} not found`);
  return found;
}
