/** Facts about this engine and host, for `version`, `info` and `system df`. */
import { cpus, hostname, release, totalmem, type as osType } from 'node:os';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { Engine } from './engine.js';
import { hostPlatform } from '../core/descriptor.js';
import { API_VERSION, WHARF_VERSION } from './version.js';
import { containerUsage } from './images/service.js';
import { diskUsage as pathSize } from './containers/list.js';
import { buildCacheRow } from './build-cache.js';
import { dirname, join } from 'node:path';

function containerCounts(engine: Engine) {
  const store = engine.containers;
  const states = store.ids().map((id) => store.state(id));
  const running = states.filter((s) => s.Running).length;
  const paused = states.filter((s) => s.Paused).length;
  return { total: states.length, running, paused, stopped: states.length - running - paused };
}

/** Where a runtime binary named `name` is on PATH (or `name` itself when it is a path). */
function onPath(name: string): string | undefined {
  if (name.includes('/')) return name;
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = join(dir || '.', name);
    if (statSync(p, { throwIfNoEntry: false })?.isFile()) return p;
  }
  return undefined;
}

const VERSION_CACHE = '/run/wharf/runtime-versions.json';

/**
 * The runtime's version (`runc --version`), cached in /run/wharf (tmpfs) under the binary's
 * path, inode, size and mtime: spawning runc costs `version` ~15 ms, as much as the rest of
 * the command; a replaced binary is asked again.
 */
export function runtimeVersion(name = 'runc'): string {
  const path = onPath(name);
  const st = path ? statSync(path, { throwIfNoEntry: false }) : undefined;
  if (!path || !st) return 'not installed';
  const key = `${path}:${st.ino}:${st.size}:${st.mtimeMs}`;
  let cache: Record<string, string> = {};
  try {
    cache = JSON.parse(readFileSync(VERSION_CACHE, 'utf8')) as Record<string, string>;
    if (typeof cache[key] === 'string') return cache[key];
  } catch {
    cache = {};
  }
  let version: string;
  try {
    const out = execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    version = /version\s+(\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return 'not installed';
  }
  try {
    mkdirSync(dirname(VERSION_CACHE), { recursive: true });
    const tmp = `${VERSION_CACHE}.${process.pid}`;
    writeFileSync(tmp, JSON.stringify({ ...cache, [key]: version }));
    renameSync(tmp, VERSION_CACHE);
  } catch {
    // not root, or /run is read-only: ask runc each time
  }
  return version;
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
  const c = containerCounts(engine);
  const cgroupV2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  const p = hostPlatform();
  return {
    ID: engine.root,
    Containers: c.total,
    ContainersRunning: c.running,
    ContainersPaused: c.paused,
    ContainersStopped: c.stopped,
    Images: images.length,
    Driver: engine.storageDriver,
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
    containersRow(engine),
    volumesRow(engine),
    buildCacheRow(engine.root),
  ];
}

/** Containers: their writable layers; a stopped container's is reclaimable. */
function containersRow(engine: Engine): DiskUsageRow {
  const store = engine.containers;
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
function volumesRow(engine: Engine): DiskUsageRow {
  const volumes = engine.volumes;
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
