/**
 * `ps` as the Engine API's container list: one ContainerSummary per container (docker's API
 * shape: the daemon's Status text, its Command string, ports as objects, sizes in bytes),
 * newest first, with docker's filters. The CLI turns them into table rows (cli/format/ps.ts).
 */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { humanDuration } from '../../core/units.js';
import type { Filters } from '../../core/filters.js';
import type { ContainerRecord, ContainerState } from '../../container/types.js';
import type { Engine } from '../engine.js';
import { reapLostContainers } from './run.js';
import { containerFilter } from './filters.js';

/** A port of a ContainerSummary: exposed only (no IP, no PublicPort), or published. */
export interface ContainerPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** The Engine API's ContainerSummary (GET /containers/json), the fields wharf knows. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  /** The image as the user named it (or its ID when created by ID). */
  Image: string;
  ImageID: string;
  Command: string;
  /** Unix seconds. */
  Created: number;
  Ports: ContainerPort[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string>;
  State: string;
  Status: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, object> };
  Mounts: { Type: string; Name?: string; Source: string; Destination: string; Driver?: string; Mode: string; RW: boolean; Propagation: string }[];
}

export interface PsOptions {
  all?: boolean;
  last?: number;
  latest?: boolean;
  /** Compute SizeRw and SizeRootFs (they walk the container's writable layer). */
  size?: boolean;
  filters?: Filters;
}

/** Docker's `Status` text (the daemon sends it). */
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

/** Shell-style quoting of one argument, as the Engine API's container Command shows it. */
function shellQuote(arg: string): string {
  if (arg !== '' && !/[\s'"\\$`;&|<>(){}*?!#~]/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'"'"'`)}'`;
}

/** The API's Command: path and arguments, shell-quoted. */
export function commandLine(rec: ContainerRecord): string {
  return [rec.Path, ...rec.Args.map(shellQuote)].join(' ');
}

/** Published ports of a running container, then its exposed-only ones (stopped ones list none). */
function summaryPorts(rec: ContainerRecord, st: ContainerState): ContainerPort[] {
  if (!st.Running) return [];
  const ports: ContainerPort[] = [];
  const published = new Set<string>();
  for (const p of st.Network?.ports ?? []) {
    const [port, type = 'tcp'] = p.containerPort.split('/');
    ports.push({ IP: p.hostIp || '0.0.0.0', PrivatePort: Number(port), PublicPort: Number(p.hostPort), Type: type });
    published.add(p.containerPort);
  }
  for (const key of Object.keys(rec.Config.ExposedPorts ?? {})) {
    const [port, type = 'tcp'] = key.split('/');
    if (!published.has(key)) ports.push({ PrivatePort: Number(port), Type: type });
  }
  return ports;
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

/**
 * dockerd keeps the name the user typed while it still names the container's image; once it is
 * untagged or retagged (`rmi -f`, a newer pull) it sends the image ID (the CLI truncates it).
 */
function daemonImage(engine: Engine, rec: ContainerRecord): string {
  if (rec.ImageRef === rec.Image) return rec.ImageRef;
  let now: string | undefined;
  try {
    now = engine.images.resolveId(rec.ImageRef);
  } catch {
    now = undefined;
  }
  return now === rec.Image ? rec.ImageRef : rec.Image;
}

export async function listContainers(engine: Engine, o: PsOptions = {}): Promise<ContainerSummary[]> {
  const store = engine.containers;
  await reapLostContainers(engine);
  const filters = (o.filters?.keys() ?? []).flatMap((k) => o.filters!.get(k).map((v) => [k, v] as const));
  const all = o.all || o.latest || (o.last ?? -1) > 0 || filters.some(([k]) => k === 'status' || k === 'exited');
  let items = store.list().map((rec) => ({ rec, st: store.state(rec.Id) }));
  items.sort((a, b) => Date.parse(b.rec.Created) - Date.parse(a.rec.Created));
  if (o.latest) items = items.slice(0, 1);
  else if ((o.last ?? -1) > 0) items = items.slice(0, o.last);
  if (!all) items = items.filter((i) => i.st.Running || i.st.Restarting);
  const byKey = new Map<string, string[]>();
  for (const [k, v] of filters) byKey.set(k, [...(byKey.get(k) ?? []), v]);
  const matches = containerFilter(engine, store, filters);
  items = items.filter((i) => [...byKey].every(([k, vs]) => vs.some((v) => matches(i.rec, i.st, k, v))));
  return items.map(({ rec, st }) => {
    const network = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
    const summary: ContainerSummary = {
      Id: rec.Id,
      Names: [`/${rec.Name}`],
      Image: daemonImage(engine, rec),
      ImageID: rec.Image,
      Command: commandLine(rec),
      Created: Math.floor(Date.parse(rec.Created) / 1000),
      Ports: summaryPorts(rec, st),
      Labels: rec.Config.Labels ?? {},
      State: st.Status,
      Status: statusText(st),
      HostConfig: { NetworkMode: rec.HostConfig.NetworkMode },
      NetworkSettings: { Networks: { [network]: {} } },
      Mounts: rec.Mounts.map((m) => ({ ...m })),
    };
    if (o.size) {
      const { rw, rootFs } = containerSizes(store.dir(rec.Id), rec);
      Object.assign(summary, { SizeRw: rw, SizeRootFs: rootFs });
    }
    return summary;
  });
}
