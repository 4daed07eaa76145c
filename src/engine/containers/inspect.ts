/** A container's `docker inspect` JSON, built from its record and state. */
import { join } from 'node:path';
import type { Engine } from '../engine.js';
import type { ContainerInspect, EndpointSettings, PortMap } from '../api-types.js';
import type { ContainerRecord, ContainerState } from '../../container/types.js';
import { hostConfigView } from './host-config.js';
import { containerSizes } from './list.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** NetworkSettings.Ports: every exposed port, with its host bindings or null. */
export function portsMap(rec: ContainerRecord, st: ContainerState): PortMap {
  const out: PortMap = {};
  for (const p of Object.keys(rec.Config.ExposedPorts ?? {})) out[p] = null;
  if (st.Running && st.Network) {
    for (const p of st.Network.ports) (out[p.containerPort] ??= []).push({ HostIp: p.hostIp || '0.0.0.0', HostPort: p.hostPort });
  }
  return out;
}

/** `size`: add SizeRw and SizeRootFs, as `inspect --size` does. */
export function inspectRecord(engine: Engine, rec: ContainerRecord, st: ContainerState, o: { size?: boolean } = {}): ContainerInspect {
  const dir = engine.containers.dir(rec.Id);
  const net = st.Running ? st.Network : undefined;
  const mode = rec.HostConfig.NetworkMode;
  const netName = mode === 'default' ? 'bridge' : mode;
  const endpoint: EndpointSettings = {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    NetworkID: '',
    EndpointID: '',
    Gateway: net?.gateway ?? '',
    IPAddress: net?.ipAddress ?? '',
    IPPrefixLen: net?.ipPrefixLen ?? 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    MacAddress: net?.macAddress ?? '',
    DriverOpts: null,
  };
  return {
    Id: rec.Id,
    Created: rec.Created,
    Path: rec.Path,
    Args: rec.Args,
    State: {
      Status: st.Status,
      Running: st.Running,
      Paused: st.Paused,
      Restarting: st.Restarting,
      OOMKilled: st.OOMKilled,
      Dead: st.Dead,
      Pid: st.Pid,
      ExitCode: st.ExitCode,
      Error: st.Error,
      StartedAt: st.StartedAt || ZERO_TIME,
      FinishedAt: st.FinishedAt || ZERO_TIME,
      ...(st.Health ? { Health: st.Health } : {}),
    },
    Image: rec.Image,
    ResolvConfPath: join(dir, 'resolv.conf'),
    HostnamePath: join(dir, 'hostname'),
    HostsPath: join(dir, 'hosts'),
    LogPath: join(dir, `${rec.Id}-json.log`),
    Name: `/${rec.Name}`,
    RestartCount: st.RestartCount ?? 0,
    Driver: rec.Driver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigView(rec.HostConfig),
    GraphDriver: { Data: sortedKeys(engine.snapshotter(rec.Driver).graphData(rec.Id, rec.Layers)), Name: rec.Driver },
    ...(o.size ? sizeFields(dir, rec) : {}),
    Mounts: rec.Mounts.map((m) => ({ ...m })),
    Config: rec.Config,
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: portsMap(rec, st),
      // The running container holds its namespace (no name under /run/netns): enter it by pid.
      SandboxKey: st.Running && st.Pid && mode !== 'host' ? `/proc/${st.Pid}/ns/net` : '',
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: '',
      Gateway: endpoint.Gateway,
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: endpoint.IPAddress,
      IPPrefixLen: endpoint.IPPrefixLen,
      IPv6Gateway: '',
      MacAddress: endpoint.MacAddress,
      Networks: { [netName]: endpoint },
    },
  };
}

/** Inspect JSON for an ID, name or ID prefix; undefined when there is no such container. */
function sizeFields(dir: string, rec: ContainerRecord): { SizeRw: number; SizeRootFs: number } {
  const { rw, rootFs } = containerSizes(dir, rec);
  return { SizeRw: rw, SizeRootFs: rootFs };
}

export function inspectContainer(engine: Engine, ref: string, o: { size?: boolean } = {}): ContainerInspect | undefined {
  const store = engine.containers;
  let id: string | undefined;
  try {
    id = store.resolve(ref);
  } catch {
    return undefined;
  }
  const rec = id ? store.record(id) : undefined;
  return rec ? inspectRecord(engine, rec, store.state(rec.Id), o) : undefined;
}

/** A Go map as encoding/json writes it: keys sorted. */
function sortedKeys(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
