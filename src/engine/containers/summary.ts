/**
 * Containers as the Engine API lists them (Docker's ContainerSummary): the same selection
 * and filters as `ps`, as data; the client formats columns itself.
 */
import type { Engine } from '../engine.js';
import { ContainerStore } from '../../container/store.js';
import type { ContainerRecord, ContainerState } from '../../container/types.js';
import { apiCommand, apiPorts, containerSizes, selectContainers, statusText, type PsOptions } from './list.js';

export function containerSummary(root: string, rec: ContainerRecord, st: ContainerState, size = false): Record<string, unknown> {
  const mode = rec.HostConfig.NetworkMode;
  const netName = mode === 'default' ? 'bridge' : mode;
  const net = st.Running ? st.Network : undefined;
  const sizes = size ? containerSizes(new ContainerStore(root).dir(rec.Id), rec) : undefined;
  return {
    Id: rec.Id,
    Names: [`/${rec.Name}`],
    Image: rec.ImageRef,
    ImageID: rec.Image,
    Command: apiCommand(rec),
    Created: Math.floor(Date.parse(rec.Created) / 1000),
    Ports: apiPorts(rec, st).map((p) => ({ ...(p.ip ? { IP: p.ip } : {}), PrivatePort: p.privatePort, ...(p.publicPort ? { PublicPort: p.publicPort } : {}), Type: p.type })),
    ...(sizes ? { ...(sizes.rw ? { SizeRw: sizes.rw } : {}), SizeRootFs: sizes.rootFs } : {}),
    Labels: rec.Config.Labels ?? {},
    State: st.Status,
    Status: statusText(st),
    HostConfig: { NetworkMode: mode },
    NetworkSettings: {
      Networks: {
        [netName]: {
          IPAMConfig: null, Links: null, Aliases: null, NetworkID: '', EndpointID: '',
          Gateway: net?.gateway ?? '', IPAddress: net?.ipAddress ?? '', IPPrefixLen: net?.ipPrefixLen ?? 0,
          IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: net?.macAddress ?? '', DriverOpts: null,
        },
      },
    },
    Mounts: rec.Mounts.map((m) => ({ Type: m.Type, ...(m.Name ? { Name: m.Name } : {}), Source: m.Source, Destination: m.Destination, ...(m.Driver ? { Driver: m.Driver } : {}), Mode: m.Mode, RW: m.RW, Propagation: m.Propagation })),
  };
}

export function containerSummaries(engine: Engine, o: PsOptions = {}): Record<string, unknown>[] {
  return selectContainers(engine, o).map(({ rec, st }) => containerSummary(engine.root, rec, st, o.size));
}
