/**
 * `create` in the Engine API's shapes: `{name, config, hostConfig, networkingConfig}`. The
 * request's mounts are parsed first (dockerd checks the host config before it looks for the
 * image), then the image's config and the request's are merged (create-config.ts), volumes
 * made (create-mounts.ts), the name reserved and the snapshot prepared; the record (state
 * `created`) is written last, so a failure leaves nothing behind.
 */
import { randomBytes } from '../../core/random.js';
import { isWharfError, WharfError } from '../../core/errors.js';
import type { Engine } from '../engine.js';
import { randomName, validateName } from '../../container/names.js';
import type { ContainerStore } from '../../container/store.js';
import { emptyState, type ContainerRecord, type HostConfig } from '../../container/types.js';
import { checkRuntime } from '../../container/runtime/runc.js';
import { normalizeCaps } from '../../container/runtime/limits.js';
import { mark } from '../../core/timing.js';
import { mergeConfig, type CreateConfig } from './create-config.js';
import { requestVolumes, resolveMounts } from './create-mounts.js';

export type { CreateConfig } from './create-config.js';

/** The Engine API's NetworkingConfig (the endpoint settings wharf has none of yet). */
export interface NetworkingConfig {
  EndpointsConfig?: Record<string, object>;
}

/** POST /containers/create: the query's name and the body's three parts. */
export interface ContainerCreateRequest {
  name?: string;
  config: CreateConfig;
  hostConfig?: Partial<HostConfig>;
  networkingConfig?: NetworkingConfig;
}

const NETWORKS = ['default', 'bridge', 'host', 'none'];

/** Reserve the requested name, or a random one (retrying the rare taken one). */
function reserveName(store: ContainerStore, requested: string | undefined, id: string): string {
  if (requested) {
    const name = validateName(requested);
    store.reserveName(name, id);
    return name;
  }
  for (let i = 0; ; i++) {
    const name = randomName(i > 5 ? 1 : 0);
    try {
      store.reserveName(name, id);
      return name;
    } catch (err) {
      if (!isWharfError(err, 'CONFLICT') || i > 20) throw err;
    }
  }
}

/** The recorded HostConfig: the request's with docker's defaults and normal forms. */
function hostConfigOf(h: Partial<HostConfig>, mounts: ReturnType<typeof resolveMounts>): HostConfig {
  const list = <T>(v: T[] | null | undefined): T[] | null => (v?.length ? v : null);
  return {
    Binds: list(mounts.binds),
    NetworkMode: h.NetworkMode || 'default',
    PortBindings: h.PortBindings ?? {},
    RestartPolicy: h.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: !!h.AutoRemove,
    PublishAllPorts: !!h.PublishAllPorts,
    Memory: h.Memory ?? 0,
    NanoCpus: h.NanoCpus ?? 0,
    PidsLimit: h.PidsLimit ?? null,
    Runtime: h.Runtime || 'runc',
    LogConfig: { Type: 'json-file', Config: h.LogConfig?.Config ?? {} },
    ExtraHosts: list(h.ExtraHosts),
    SecurityOpt: list(h.SecurityOpt),
    CapAdd: h.CapAdd?.length ? normalizeCaps(h.CapAdd, 'CapAdd') : null,
    CapDrop: h.CapDrop?.length ? normalizeCaps(h.CapDrop, 'CapDrop') : null,
    ReadonlyRootfs: !!h.ReadonlyRootfs,
    ...(h.Tmpfs && Object.keys(h.Tmpfs).length ? { Tmpfs: h.Tmpfs } : {}),
    Ulimits: list(h.Ulimits),
    Dns: h.Dns ?? [],
    DnsSearch: h.DnsSearch ?? [],
    DnsOptions: h.DnsOptions ?? [],
    ShmSize: h.ShmSize ?? 0,
    ...(h.Init ? { Init: true } : {}),
    ...(mounts.hostMounts.length ? { Mounts: mounts.hostMounts } : {}),
  };
}

export async function createContainer(engine: Engine, req: ContainerCreateRequest): Promise<ContainerRecord> {
  const h = req.hostConfig ?? {};
  const specs = requestVolumes(h.Binds ?? [], req.config.Volumes ?? null, h.Mounts ?? []);
  const runtime = h.Runtime || 'runc';
  checkRuntime(runtime);
  const network = h.NetworkMode || 'default';
  if (!NETWORKS.includes(network)) throw new WharfError('NOT_FOUND', `network ${network} not found`, { exitCode: 125 });
  const image = engine.images.get(req.config.Image);
  mark('create: image found');
  const ic = image.config.config ?? {};
  const store = engine.containers;
  const id = randomBytes(32).toString('hex');

  // Published ports are exposed too (docker's CLI adds them; an API client may not have).
  const exposed = { ...(req.config.ExposedPorts ?? {}), ...Object.fromEntries(Object.keys(h.PortBindings ?? {}).map((p) => [p, {}])) };
  // Checked before any volume is made: a request without a command leaves nothing behind.
  mergeConfig(ic, { ...req.config, ExposedPorts: exposed }, { hostname: id.slice(0, 12), volumes: null });
  const mounts = resolveMounts(engine.volumes, specs, ic.Volumes);
  const { config, argv } = mergeConfig(ic, { ...req.config, ExposedPorts: exposed }, { hostname: id.slice(0, 12), volumes: mounts.configVolumes });
  const hostConfig = hostConfigOf(h, mounts);

  const name = reserveName(store, req.name, id);
  const driver = engine.storageDriver;
  const rec: ContainerRecord = {
    Id: id,
    Name: name,
    Created: new Date().toISOString(),
    Path: argv[0]!,
    Args: argv.slice(1),
    Image: image.id,
    ImageRef: req.config.Image,
    Driver: driver,
    Config: config,
    HostConfig: hostConfig,
    Mounts: mounts.mounts,
    Layers: engine.images.layerChain(image.id),
  };
  try {
    await engine.snapshotter(driver).prepare(id, rec.Layers);
    store.writeRecord(rec);
    store.writeState(id, emptyState());
  } catch (err) {
    await engine.snapshotter(driver).remove(id).catch(() => undefined);
    store.remove(id);
    store.releaseName(name, id);
    throw err;
  }
  return rec;
}
