/**
 * `create`: merge the image config with the run flags by Docker's rules, reserve the name,
 * prepare the snapshot and volumes, and write the container record (state `created`).
 */
import { randomBytes } from '../../core/random.js';
import { existsSync, mkdirSync } from 'node:fs';
import { isWharfError, WharfError } from '../../core/errors.js';
import type { Engine } from '../engine.js';
import type { ContainerConfig } from '../../image/types.js';
import { randomName, validateName } from '../../container/names.js';
import { emptyState, type ContainerRecord, type HostConfig, type HostMount, type MountPoint, type PortBinding, type RestartPolicy } from '../../container/types.js';
import { checkRuntime } from '../../container/runtime/runc.js';
import { normalizeCaps } from '../../container/runtime/limits.js';
import { mergeEnv } from '../../container/runtime/prepare.js';
import type { VolumeSpec } from './volumes-spec.js';
import { mark } from '../../core/timing.js';

export interface CreateOptions {
  image: string;
  name?: string;
  cmd?: string[];
  /** `--entrypoint`: undefined keeps the image's, '' clears it. */
  entrypoint?: string;
  env?: string[];
  workdir?: string;
  user?: string;
  tty?: boolean;
  openStdin?: boolean;
  stdinOnce?: boolean;
  attach?: { stdin: boolean; stdout: boolean; stderr: boolean };
  hostname?: string;
  labels?: Record<string, string>;
  exposedPorts?: string[];
  portBindings?: Record<string, PortBinding[]>;
  publishAll?: boolean;
  volumes?: VolumeSpec[];
  restart?: RestartPolicy;
  autoRemove?: boolean;
  stopSignal?: string;
  stopTimeout?: number;
  healthcheck?: ContainerConfig['Healthcheck'];
  network?: string;
  memory?: number;
  nanoCpus?: number;
  pidsLimit?: number;
  runtime?: string;
  logOpts?: Record<string, string>;
  extraHosts?: string[];
  securityOpt?: string[];
  capAdd?: string[];
  capDrop?: string[];
  readOnly?: boolean;
  tmpfs?: Record<string, string>;
  ulimits?: { Name: string; Hard: number; Soft: number }[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  shmSize?: number;
  init?: boolean;
}

/** Config.Volumes: the image's and -v's volume mount points; --mount's are not listed (docker's rule). */
function configVolumes(imageVolumes: Record<string, object> | null | undefined, mounts: MountPoint[], hostMounts: HostMount[]): Record<string, object> | null {
  const fromMount = new Set(hostMounts.map((m) => m.Target));
  const listed = mounts.filter((m) => m.Type === 'volume' && !fromMount.has(m.Destination));
  return Object.keys(imageVolumes ?? {}).length || listed.length ? Object.fromEntries(listed.map((m) => [m.Destination, {}])) : null;
}

/** docker's JSON for an empty list it never filled: null. */
const nullIfEmpty = <T>(list: T[]): T[] | null => (list.length ? list : null);

function mergeHealth(image: ContainerConfig['Healthcheck'], user: ContainerConfig['Healthcheck']): ContainerConfig['Healthcheck'] {
  if (!user) return image;
  if (!image || user.Test?.length) return { ...image, ...user };
  return { ...image, ...Object.fromEntries(Object.entries(user).filter(([, v]) => v)) };
}

export async function createContainer(engine: Engine, o: CreateOptions): Promise<ContainerRecord> {
  const runtime = o.runtime || 'runc';
  checkRuntime(runtime);
  const network = o.network || 'default';
  if (!['default', 'bridge', 'host', 'none'].includes(network)) {
    throw new WharfError('NOT_FOUND', `network ${network} not found`, { exitCode: 125 });
  }
  const image = engine.images.get(o.image);
  mark('create: image found');
  const ic = image.config.config ?? {};
  const store = engine.containers;
  const id = randomBytes(32).toString('hex');

  let entrypoint = o.entrypoint === undefined ? (ic.Entrypoint ?? []) : o.entrypoint ? [o.entrypoint] : [];
  let cmd = o.cmd?.length ? o.cmd : o.entrypoint !== undefined ? [] : (ic.Cmd ?? []);
  if (!entrypoint) entrypoint = [];
  if (!cmd) cmd = [];
  const argv = [...entrypoint, ...cmd];
  if (!argv.length) throw new WharfError('INVALID_ARGUMENT', 'No command specified', { exitCode: 125 });

  const exposed: Record<string, object> = { ...(ic.ExposedPorts ?? {}) };
  for (const p of [...(o.exposedPorts ?? []), ...Object.keys(o.portBindings ?? {})]) exposed[p] = {};
  const imageVolumes = { ...(ic.Volumes ?? {}) };
  const volumes = engine.volumes;
  const mounts: MountPoint[] = [];
  const binds: string[] = [];
  const hostMounts: HostMount[] = [];
  for (const v of o.volumes ?? []) {
    // --mount: recorded as given, no Binds entry, and a bind source must already exist.
    if (v.mount) hostMounts.push(v.mount);
    if (v.type === 'tmpfs') {
      mounts.push({ Type: 'tmpfs', Source: '', Destination: v.destination, Mode: '', RW: true, Propagation: '' });
    } else if (v.type === 'bind') {
      if (v.mount && !existsSync(v.source)) {
        throw new WharfError('INVALID_ARGUMENT', `invalid mount config for type "bind": bind source path does not exist: ${v.source}`, { exitCode: 125 });
      }
      if (!existsSync(v.source)) mkdirSync(v.source, { recursive: true });
      mounts.push({ Type: 'bind', Source: v.source, Destination: v.destination, Mode: v.mode, RW: !v.readOnly, Propagation: 'rprivate' });
      if (!v.mount) binds.push(`${v.source}:${v.destination}${v.mode ? `:${v.mode}` : ''}`);
    } else {
      const vol = volumes.create(v.source || undefined, {}, !v.source);
      mounts.push({ Type: 'volume', Name: vol.Name, Source: vol.Mountpoint, Destination: v.destination, Driver: 'local', Mode: v.mode || 'z', RW: !v.readOnly, Propagation: '' });
      if (v.source && !v.mount) binds.push(`${v.source}:${v.destination}${v.mode ? `:${v.mode}` : ''}`);
    }
    delete imageVolumes[v.destination];
  }
  for (const dest of Object.keys(imageVolumes)) {
    const vol = volumes.create(undefined, {}, true);
    mounts.push({ Type: 'volume', Name: vol.Name, Source: vol.Mountpoint, Destination: dest, Driver: 'local', Mode: '', RW: true, Propagation: '' });
  }

  const config: ContainerRecord['Config'] = {
    Hostname: o.hostname || id.slice(0, 12),
    Domainname: '',
    User: o.user ?? ic.User ?? '',
    AttachStdin: o.attach?.stdin ?? false,
    AttachStdout: o.attach?.stdout ?? false,
    AttachStderr: o.attach?.stderr ?? false,
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    Tty: !!o.tty,
    OpenStdin: !!o.openStdin,
    StdinOnce: !!o.stdinOnce,
    Env: nullIfEmpty(mergeEnv(ic.Env ?? [], o.env ?? [])),
    Cmd: cmd.length ? cmd : null,
    ...(mergeHealth(ic.Healthcheck, o.healthcheck) ? { Healthcheck: mergeHealth(ic.Healthcheck, o.healthcheck) } : {}),
    Image: o.image,
    Volumes: configVolumes(ic.Volumes, mounts, hostMounts),
    WorkingDir: o.workdir ?? ic.WorkingDir ?? '',
    Entrypoint: entrypoint.length ? entrypoint : null,
    OnBuild: ic.OnBuild ?? null,
    Labels: { ...(ic.Labels ?? {}), ...(o.labels ?? {}) },
    ...(o.stopSignal || ic.StopSignal ? { StopSignal: o.stopSignal || ic.StopSignal } : {}),
    ...(o.stopTimeout !== undefined ? { StopTimeout: o.stopTimeout } : {}),
  };
  const hostConfig: HostConfig = {
    Binds: binds.length ? binds : null,
    NetworkMode: network,
    PortBindings: o.portBindings ?? {},
    RestartPolicy: o.restart ?? { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: !!o.autoRemove,
    PublishAllPorts: !!o.publishAll,
    Memory: o.memory ?? 0,
    NanoCpus: o.nanoCpus ?? 0,
    PidsLimit: o.pidsLimit ?? null,
    Runtime: runtime,
    LogConfig: { Type: 'json-file', Config: o.logOpts ?? {} },
    ExtraHosts: o.extraHosts?.length ? o.extraHosts : null,
    SecurityOpt: o.securityOpt?.length ? o.securityOpt : null,
    CapAdd: o.capAdd?.length ? normalizeCaps(o.capAdd, 'CapAdd') : null,
    CapDrop: o.capDrop?.length ? normalizeCaps(o.capDrop, 'CapDrop') : null,
    ReadonlyRootfs: !!o.readOnly,
    ...(o.tmpfs && Object.keys(o.tmpfs).length ? { Tmpfs: o.tmpfs } : {}),
    Ulimits: o.ulimits?.length ? o.ulimits : null,
    Dns: o.dns ?? [],
    DnsSearch: o.dnsSearch ?? [],
    DnsOptions: o.dnsOptions ?? [],
    ShmSize: o.shmSize ?? 0,
    ...(o.init ? { Init: true } : {}),
    ...(hostMounts.length ? { Mounts: hostMounts } : {}),
  };

  let name = o.name ? validateName(o.name) : '';
  if (name) store.reserveName(name, id);
  else {
    for (let i = 0; ; i++) {
      name = randomName(i > 5 ? 1 : 0);
      try {
        store.reserveName(name, id);
        break;
      } catch (err) {
        if (!isWharfError(err, 'CONFLICT') || i > 20) throw err;
      }
    }
  }
  const driver = engine.storageDriver;
  const rec: ContainerRecord = {
    Id: id,
    Name: name,
    Created: new Date().toISOString(),
    Path: argv[0]!,
    Args: argv.slice(1),
    Image: image.id,
    ImageRef: o.image,
    Driver: driver,
    Config: config,
    HostConfig: hostConfig,
    Mounts: mounts,
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
