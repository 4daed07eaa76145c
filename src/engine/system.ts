/** Facts about this engine and host, for `version`, `info` and `system df`. */
import { cpus, hostname, release, totalmem, type as osType } from 'node:os';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Engine } from './engine.js';
import { hostPlatform } from '../core/descriptor.js';
import { API_VERSION, WHARF_VERSION } from './version.js';
import { containerUsage } from './images/service.js';
import { ContainerStore } from '../container/store.js';
import { VolumeStore } from '../container/volumes.js';
import { diskUsage as pathSize } from './containers/list.js';
import { buildCacheRow } from './build-cache.js';
import { join } from 'node:path';

function containerCounts(root: string) {
  const store = new ContainerStore(root);
  const states = store.ids().map((id) => store.state(id));
  const running = states.filter((s) => s.Running).length;
  const paused = states.filter((s) => s.Paused).length;
  return { total: states.length, running, paused, stopped: states.length - running - paused };
}

export function runtimeVersion(name = 'runc'): string {
  try {
    const out = execFileSync(name, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /version\s+(\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

export function versionInfo() {
  const p = hostPlatform();
  const common = { Version: WHARF_VERSION, ApiVersion: API_VERSION, NodeVersion: process.version, Os: p.os, Arch: p.architecture };
  return {
    Client: { ...common, Context: 'default' },
    Server: {
      ...common,
      MinAPIVersion: '1.12',
      KernelVersion: release(),
      Components: [
        { Name: 'Engine', Version: WHARF_VERSION },
        { Name: 'runc', Version: runtimeVersion('runc') },
      ],
    },
  };
}

function operatingSystem(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osType();
  } catch {
    return osType();
  }
}

export function engineInfo(engine: Engine) {
  const images = engine.images.list();
  const c = containerCounts(engine.root);
  const cgroupV2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const p = hostPlatform();
  return {
    ID: engine.root,
    Containers: c.total,
    ContainersRunning: c.running,
    ContainersPaused: c.paused,
    ContainersStopped: c.stopped,
    Images: images.length,
    Driver: process.env.WHARF_STORAGE_DRIVER ?? 'overlay2',
    DriverStatus: [['Backing Filesystem', 'extfs']],
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: cgroupV2 ? '2' : '1',
    KernelVersion: release(),
    OperatingSystem: operatingSystem(),
    OSType: p.os,
    Architecture: process.arch === 'x64' ? 'x86_64' : process.arch,
    NCPU: cpus().length,
    MemTotal: totalmem(),
    DockerRootDir: engine.root,
    Name: hostname(),
    ServerVersion: WHARF_VERSION,
    DefaultRuntime: 'runc',
    Runtimes: { runc: { path: 'runc' } },
    Debug: false,
  };
}

export interface DiskUsageRow {
  type: string;
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

export function diskUsage(engine: Engine): DiskUsageRow[] {
  const usage = containerUsage(engine);
  const layerSizes = new Map<string, number>();
  const activeLayers = new Set<string>();
  let active = 0;
  for (const img of engine.images.list()) {
    const used = usage(img.id).length > 0;
    if (used) active++;
    for (const l of engine.images.layerChain(img.id)) {
      layerSizes.set(l.diffId, l.size);
      if (used) activeLayers.add(l.diffId);
    }
  }
  const size = [...layerSizes.values()].reduce((a, b) => a + b, 0);
  const activeSize = [...activeLayers].reduce((a, d) => a + (layerSizes.get(d) ?? 0), 0);
  return [
    { type: 'Images', total: engine.images.list().length, active, size, reclaimable: size - activeSize },
    containersRow(engine.root),
    volumesRow(engine.root),
    buildCacheRow(engine.root),
  ];
}

/** Containers: their writable layers; a stopped container's is reclaimable. */
function containersRow(root: string): DiskUsageRow {
  const store = new ContainerStore(root);
  let size = 0;
  let reclaimable = 0;
  let active = 0;
  for (const id of store.ids()) {
    const bytes = pathSize(join(store.dir(id), 'upper'));
    size += bytes;
    if (store.state(id).Running) active++;
    else reclaimable += bytes;
  }
  return { type: 'Containers', total: store.ids().length, active, size, reclaimable };
}

/** Local volumes: a volume no container uses is reclaimable. */
function volumesRow(root: string): DiskUsageRow {
  const volumes = new VolumeStore(root);
  let size = 0;
  let reclaimable = 0;
  let active = 0;
  const all = volumes.list();
  for (const v of all) {
    const bytes = pathSize(v.Mountpoint);
    size += bytes;
    if (volumes.users(v.Name).length) active++;
    else reclaimable += bytes;
  }
  return { type: 'Local Volumes', total: all.length, active, size, reclaimable };
}
