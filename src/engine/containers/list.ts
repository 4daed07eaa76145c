/**
 * `ps`: one row per container with Docker's column values (quoted, truncated command; human
 * status with health; published ports), newest first, and Docker's filters.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { humanDuration, humanSize, timeAgo } from '../../core/units.js';
import { WharfError } from '../../core/errors.js';
import { ContainerStore } from '../../container/store.js';
import type { ContainerRecord, ContainerState } from '../../container/types.js';
import type { Engine } from '../engine.js';
import { containerFilter } from './filters.js';

export interface PsRow {
  ID: string;
  Image: string;
  Command: string;
  CreatedAt: string;
  RunningFor: string;
  Ports: string;
  State: string;
  Status: string;
  Size: string;
  Names: string;
  Labels: string;
  Mounts: string;
  Networks: string;
  LocalVolumes: string;
  /** docker 20.10 lists it, always null here. */
  Platform: null;
}

export interface PsOptions {
  all?: boolean;
  last?: number;
  latest?: boolean;
  size?: boolean;
  noTrunc?: boolean;
  filters?: string[];
}

/** Docker's `Status` column text. */
export function statusText(st: ContainerState, now = Date.now()): string {
  const since = (t: string) => humanDuration(now - Date.parse(t));
  switch (st.Status) {
    case 'running':
    case 'paused': {
      const h = st.Health?.Status;
      const health = h === 'starting' ? ' (health: starting)' : h ? ` (${h})` : '';
      return `Up ${since(st.StartedAt)}${st.Paused ? ' (Paused)' : ''}${health}`;
    }
    case 'restarting':
      return `Restarting (${st.ExitCode}) ${since(st.FinishedAt)} ago`;
    case 'exited':
      return `Exited (${st.ExitCode}) ${since(st.FinishedAt)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

function quoteGo(s: string): string {
  return JSON.stringify(s);
}

/** Shell-style quoting of one argument, as the Engine API's container Command shows it. */
function shellQuote(arg: string): string {
  if (arg !== '' && !/[\s'"\\$`;&|<>(){}*?!#~]/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}

/** Go's time.Time.String() for a UTC time. */
function goTime(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

/** The command line as the Engine API's container `Command` holds it. */
export function apiCommand(rec: ContainerRecord): string {
  return [rec.Path, ...rec.Args.map(shellQuote)].join(' ');
}

export function commandText(rec: ContainerRecord, noTrunc = false): string {
  let cmd = apiCommand(rec);
  if (!noTrunc && [...cmd].length > 20) cmd = [...cmd].slice(0, 19).join('') + '…';
  return quoteGo(cmd);
}

/** A port as docker's API lists it: exposed only (no ip), or published on ip:publicPort. */
export interface ApiPort {
  ip: string;
  privatePort: number;
  publicPort: number;
  type: string;
}

/** The container's ports as the API lists them (a stopped container lists none). */
export function apiPorts(rec: ContainerRecord, st: ContainerState): ApiPort[] {
  if (!st.Running) return [];
  const ports: ApiPort[] = [];
  const published = new Set<string>();
  for (const p of st.Network?.ports ?? []) {
    const [port, type = 'tcp'] = p.containerPort.split('/');
    ports.push({ ip: p.hostIp || '0.0.0.0', privatePort: Number(port), publicPort: Number(p.hostPort), type });
    published.add(p.containerPort);
  }
  for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) {
    const [port, type = 'tcp'] = key.split('/');
    if (!published.has(key)) ports.push({ ip: '', privatePort: Number(port), publicPort: 0, type });
  }
  return ports;
}

/** Docker's PORTS column. */
function portsText(rec: ContainerRecord, st: ContainerState): string {
  return displayablePorts(apiPorts(rec, st));
}

const byteLess = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * docker/cli's DisplayablePorts: sorted by private port, address, public port and protocol;
 * runs of consecutive ports on one address that map to themselves fold into a range
 * (`0.0.0.0:5000-5001->5000-5001/tcp`); mappings to another port come last.
 */
export function displayablePorts(ports: ApiPort[]): string {
  const sorted = [...ports].sort((i, j) => i.privatePort - j.privatePort || byteLess(i.ip, j.ip) || i.publicPort - j.publicPort || byteLess(i.type, j.type));
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const join = (ip: string, port: string) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  const form = (key: string, { first, last }: { first: number; last: number }) => {
    const [ip, type] = key.includes('/') ? key.split('/') : ['', key];
    const range = first === last ? `${first}` : `${first}-${last}`;
    return `${ip ? `${join(ip, range)}->${range}` : range}/${type}`;
  };
  for (const p of sorted) {
    if (p.ip && p.publicPort !== p.privatePort) {
      hostMappings.push(`${join(p.ip, String(p.publicPort))}->${p.privatePort}/${p.type}`);
      continue;
    }
    const key = p.ip ? `${p.ip}/${p.type}` : p.type;
    const group = groups.get(key);
    if (group && p.privatePort === group.last + 1) group.last = p.privatePort;
    else {
      if (group) result.push(form(key, group));
      // Re-inserting would move the key to the end; Go's key list keeps its first place.
      if (group) Object.assign(group, { first: p.privatePort, last: p.privatePort });
      else groups.set(key, { first: p.privatePort, last: p.privatePort });
    }
  }
  for (const [key, group] of groups) result.push(form(key, group));
  return [...result, ...hostMappings].join(', ');
}

/** SizeRw (what the container wrote) and SizeRootFs (that plus its image's layers), as docker reports them. */
export function containerSizes(dir: string, rec: ContainerRecord): { rw: number; rootFs: number } {
  const rw = diskUsage(join(dir, rec.Driver === 'vfs' ? 'rootfs' : 'upper'));
  return { rw, rootFs: rw + rec.Layers.reduce((n, l) => n + l.size, 0) };
}

/**
 * Bytes under `path` as docker counts a container's (or volume's) size: the sizes of
 * everything but directories (a symlink counts its target's length), each hardlinked file
 * once. An empty upper dir is 0B, as with docker.
 */
export function diskUsage(path: string): number {
  const seen = new Set<string>();
  let total = 0;
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        walk(full);
        continue;
      }
      try {
        const st = lstatSync(full);
        if (st.nlink > 1) {
          const key = `${st.dev}:${st.ino}`;
          if (seen.has(key)) continue;
          seen.add(key);
        }
        total += st.size;
      } catch {
        /* gone meanwhile */
      }
    }
  };
  walk(path);
  return total;
}

/** The containers `ps` with these options shows, newest first, with their states. */
export function selectContainers(engine: Engine, o: PsOptions = {}): { rec: ContainerRecord; st: ContainerState }[] {
  const store = new ContainerStore(engine.root);
  const filters = (o.filters ?? []).map((f) => {
    const i = f.indexOf('=');
    if (i < 0) throw new WharfError('INVALID_ARGUMENT', `Bad format of filter (expected name=value)`);
    return [f.slice(0, i), f.slice(i + 1)] as const;
  });
  const all = o.all || o.latest || (o.last ?? -1) > 0 || filters.some(([k]) => k === 'status' || k === 'exited');
  let items = store.list().map((rec) => ({ rec, st: store.state(rec.Id) }));
  items.sort((a, b) => Date.parse(b.rec.Created) - Date.parse(a.rec.Created));
  if (o.latest) items = items.slice(0, 1);
  else if ((o.last ?? -1) > 0) items = items.slice(0, o.last);
  if (!all) items = items.filter((i) => i.st.Running || i.st.Restarting);
  const byKey = new Map<string, string[]>();
  for (const [k, v] of filters) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  const matches = containerFilter(engine, store, filters);
  return items.filter((i) => [...byKey].every(([k, vs]) => vs.some((v) => matches(i.rec, i.st, k, v))));
}

export function listContainers(engine: Engine, o: PsOptions = {}): PsRow[] {
  const store = new ContainerStore(engine.root);
  return selectContainers(engine, o).map(({ rec, st }) => {
    const image = rec.ImageRef.startsWith('sha256:') ? rec.ImageRef.slice(7, 19) : rec.ImageRef;
    let size = '';
    if (o.size) {
      const { rw, rootFs } = containerSizes(store.dir(rec.Id), rec);
      // docker's ps prints sizes with 3 significant digits.
      size = `${humanSize(rw, 3)} (virtual ${humanSize(rootFs, 3)})`;
    }
    const row: PsRow = {
      ID: o.noTrunc ? rec.Id : rec.Id.slice(0, 12),
      Image: image,
      Command: commandText(rec, o.noTrunc),
      CreatedAt: goTime(rec.Created),
      RunningFor: timeAgo(rec.Created),
      Ports: portsText(rec, st),
      State: st.Status,
      Status: statusText(st),
      Size: size,
      Names: rec.Name,
      Labels: Object.entries(rec.Config.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
      Mounts: rec.Mounts.map((m) => m.Name ?? m.Source).join(','),
      Networks: rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode,
      LocalVolumes: String(rec.Mounts.filter((m) => m.Type === 'volume').length),
      Platform: null,
    };
    // `{{.Label "key"}}`: a method in docker's row, so not part of its JSON.
    return Object.defineProperty(row, 'Label', { value: (key: string) => rec.Config.Labels?.[key] ?? '', enumerable: false });
  });
}
