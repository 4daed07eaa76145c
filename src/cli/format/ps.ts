/**
 * `ps` rows from the engine's ContainerSummary, as docker/cli's container formatter makes them:
 * the command quoted and cut to 20 characters, Go's time for CreatedAt, "x ago" for
 * RunningFor, ports as docker's PORTS column, sizes with three significant digits.
 */
import { humanSize, timeAgo } from '../../core/units.js';
import type { ContainerPort, ContainerSummary } from '../../engine/containers.js';

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

/** Go's time.Time.String() for a UTC time. */
export function goTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

/** The COMMAND column: Go-quoted, cut to 19 characters and an ellipsis unless --no-trunc. */
export function commandColumn(command: string, noTrunc = false): string {
  let cmd = command;
  if (!noTrunc && [...cmd].length > 20) cmd = [...cmd].slice(0, 19).join('') + '…';
  return JSON.stringify(cmd);
}

const byteLess = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * docker/cli's DisplayablePorts: sorted by private port, address, public port and protocol;
 * runs of consecutive ports on one address that map to themselves fold into a range
 * (`0.0.0.0:5000-5001->5000-5001/tcp`); mappings to another port come last.
 */
export function displayablePorts(apiPorts: ContainerPort[]): string {
  const ports = apiPorts.map((p) => ({ ip: p.IP ?? '', privatePort: p.PrivatePort, publicPort: p.PublicPort ?? 0, type: p.Type }));
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


export function psRow(c: ContainerSummary, o: { noTrunc?: boolean } = {}): PsRow {
  const created = c.Created * 1000;
  const row: PsRow = {
    ID: o.noTrunc ? c.Id : c.Id.slice(0, 12),
    Image: c.Image.startsWith('sha256:') && !o.noTrunc ? c.Image.slice(7, 19) : c.Image,
    Command: commandColumn(c.Command, o.noTrunc),
    CreatedAt: goTime(created),
    RunningFor: timeAgo(new Date(created).toISOString()),
    Ports: displayablePorts(c.Ports),
    State: c.State,
    Status: c.Status,
    // docker's ps prints sizes with 3 significant digits.
    Size: c.SizeRw === undefined ? '' : `${humanSize(c.SizeRw, 3)} (virtual ${humanSize(c.SizeRootFs ?? 0, 3)})`,
    Names: c.Names.map((n) => n.replace(/^\//, '')).join(','),
    Labels: Object.entries(c.Labels).map(([k, v]) => `${k}=${v}`).join(','),
    Mounts: c.Mounts.map((m) => m.Name ?? m.Source).join(','),
    Networks: Object.keys(c.NetworkSettings.Networks).join(','),
    LocalVolumes: String(c.Mounts.filter((m) => m.Type === 'volume').length),
    Platform: null,
  };
  // `{{.Label "key"}}`: a method in docker's row, so not part of its JSON.
  return Object.defineProperty(row, 'Label', { value: (key: string) => c.Labels[key] ?? '', enumerable: false });
}
