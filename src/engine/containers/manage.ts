/**
 * Smaller container operations the front ends share: rename, prune, port and top. Each
 * returns data (names, bytes, port bindings, ps's titles and rows); the CLI formats it.
 */
import { isWharfError, WharfError } from '../../core/errors.js';
import type { Filters } from '../../core/filters.js';
import { validateName } from '../../container/names.js';
import { portLines } from '../../container/runtime/network/ports.js';
import { runtimeCmd } from '../../container/runtime/runc.js';
import type { Engine } from '../engine.js';
import { portsMap } from './inspect.js';
import { removeContainer } from './lifecycle.js';

/** `rename`: the new name is reserved first, so a concurrent create can never take both. */
export function renameContainer(engine: Engine, ref: string, newName: string): void {
  const store = engine.containers;
  const rec = store.get(ref);
  const name = validateName(newName);
  if (name === rec.Name) throw new WharfError('INVALID_ARGUMENT', 'Renaming a container with the same name as its current name');
  try {
    store.reserveName(name, rec.Id);
  } catch (err) {
    throw isWharfError(err, 'CONFLICT') ? new WharfError('CONFLICT', `Error when allocating new name: ${err.message}`, { cause: err }) : err;
  }
  store.writeRecord({ ...rec, Name: name });
  store.releaseName(rec.Name, rec.Id);
}

export interface PruneReport {
  ContainersDeleted: string[];
  SpaceReclaimed: number;
}

/** The filters `container prune` takes, checked (keys and `until`'s value) before any prompt. */
export function checkPruneFilters(filters: Filters): number | undefined {
  filters.checkKeys(['until', 'label', 'label!']);
  return filters.until();
}

/** `container prune`: every stopped container the filters select (until, label, label!). */
export async function pruneContainers(engine: Engine, filters: Filters): Promise<PruneReport> {
  const cutoff = checkPruneFilters(filters);
  const store = engine.containers;
  const report: PruneReport = { ContainersDeleted: [], SpaceReclaimed: 0 };
  for (const rec of store.list()) {
    const st = store.state(rec.Id);
    if (st.Running || st.Restarting) continue;
    if (cutoff !== undefined && !(Date.parse(rec.Created) < cutoff)) continue;
    if (!filters.matchLabels(rec.Config.Labels)) continue;
    report.SpaceReclaimed += await removeContainer(engine, rec.Id);
    report.ContainersDeleted.push(rec.Id);
  }
  return report;
}

/** `port`: docker's lines for the published ports (all, or those of one private port). */
export function containerPortLines(engine: Engine, ref: string, privatePort?: string): string[] {
  const store = engine.containers;
  const rec = store.get(ref);
  const map = portsMap(rec, store.state(rec.Id));
  const ports = Object.entries(map).flatMap(([key, binds]) => (binds ?? []).map((b) => ({ containerPort: key, hostIp: b.HostIp, hostPort: b.HostPort })));
  return portLines({ ports }, privatePort, ref);
}

/** What `top` returns, as the API's ContainerTopResponse. */
export interface ContainerTop {
  Titles: string[];
  Processes: string[][];
}

/** `top`: the runtime's `ps` of the container (default `-ef`), split into titles and rows. */
export async function topContainer(engine: Engine, ref: string, psArgs: string[] = []): Promise<ContainerTop> {
  const store = engine.containers;
  const rec = store.get(ref);
  if (!store.state(rec.Id).Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
  const r = await runtimeCmd(rec.HostConfig.Runtime || 'runc', ['ps', rec.Id, ...(psArgs.length ? psArgs : ['-ef'])]);
  if (r.code !== 0) throw new WharfError('INTERNAL', r.stderr.trim());
  const rows = r.stdout.trimEnd().split('\n');
  const Titles = rows[0]!.trim().split(/\s+/);
  // The last column (the command) keeps its spaces.
  const Processes = rows.slice(1).map((l) => {
    const f = l.trim().split(/\s+/);
    return [...f.slice(0, Titles.length - 1), f.slice(Titles.length - 1).join(' ')];
  });
  return { Titles, Processes };
}
