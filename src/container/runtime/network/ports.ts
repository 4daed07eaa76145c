/**
 * Port publishing grammar and views: `-p [HOSTIP:][HOSTPORT:]CONTAINERPORT[/PROTO]` parsed with
 * Docker's rules and error texts (go-connections/nat), plus the two read-side shapes Docker shows:
 * `NetworkSettings.Ports` for inspect and the lines `docker port` prints.
 */
import { isIP } from 'node:net';
import { WharfError, invalidArgument, notFound } from '../../../core/errors.js';

export type PortProto = 'tcp' | 'udp';

/** One published port. `hostPort` is '' (pick a free one), 'N', or a range 'A-B' to pick from. */
export interface PortMapping {
  hostIp: string;
  hostPort: string;
  containerPort: number;
  proto: PortProto;
}

/** A published port as recorded after setup: containerPort is "80/tcp". */
export interface PublishedPort {
  containerPort: string;
  hostIp: string;
  hostPort: string;
}

/** `ParsePortRange`: "N" or "A-B" with 16-bit unsigned numbers; null when invalid. */
export function parsePortRange(text: string): [number, number] | null {
  const parts = text.split('-');
  const num = (s: string | undefined) => (s !== undefined && /^[0-9]+$/.test(s) && Number(s) <= 65535 ? Number(s) : NaN);
  if (parts.length === 1) {
    const n = num(parts[0]);
    return Number.isNaN(n) ? null : [n, n];
  }
  // Docker reads only the first two dash-separated fields ("1-2-3" is the range 1-2).
  const start = num(parts[0]);
  const end = num(parts[1]);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return null;
  return [start, end];
}

/** Split "80/udp" into ["udp", "80"]; a missing or empty protocol means tcp. */
function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1 || parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  const last = parts[n - 1]!;
  if (n === 1) return ['', '', last];
  if (n === 2) return ['', parts[0]!, last];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, last];
}

/** Parse one `-p` value into mappings, one per container port (ranges expanded). */
export function parsePortSpec(spec: string): PortMapping[] {
  let [ip, hostPort, rawContainer] = splitParts(spec);
  const [protoRaw, containerPort] = splitProtoPort(rawContainer);
  if (ip.startsWith('[')) {
    const close = ip.indexOf(']');
    if (close !== ip.length - 1) throw invalidArgument(`invalid IP address: ${ip}`, { exitCode: 125 });
    ip = ip.slice(1, close);
  }
  if (ip !== '' && isIP(ip) === 0) throw invalidArgument(`invalid IP address: ${ip}`, { exitCode: 125 });
  if (containerPort === '') throw invalidArgument(`no port specified: ${spec}<empty>`, { exitCode: 125 });
  const cRange = parsePortRange(containerPort);
  if (!cRange) throw invalidArgument(`invalid containerPort: ${containerPort}`, { exitCode: 125 });
  let hRange: [number, number] = [0, 0];
  if (hostPort !== '') {
    const parsed = parsePortRange(hostPort);
    if (!parsed) throw invalidArgument(`invalid hostPort: ${hostPort}`, { exitCode: 125 });
    hRange = parsed;
  }
  const cCount = cRange[1] - cRange[0];
  if (hostPort !== '' && cCount !== hRange[1] - hRange[0] && cCount !== 0) {
    throw invalidArgument(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`, {
      exitCode: 125,
    });
  }
  const proto = protoRaw.toLowerCase();
  if (proto === 'sctp') {
    throw new WharfError('UNSUPPORTED', `publishing sctp ports is not supported: ${spec}`, { exitCode: 125 });
  }
  if (proto !== 'tcp' && proto !== 'udp') throw invalidArgument(`invalid proto: ${protoRaw}`, { exitCode: 125 });
  const out: PortMapping[] = [];
  for (let i = 0; i <= cCount; i++) {
    let hp = '';
    if (hostPort !== '') {
      hp = cCount === 0 && hRange[0] !== hRange[1] ? `${hRange[0]}-${hRange[1]}` : String(hRange[0] + i);
    }
    out.push({ hostIp: ip, hostPort: hp, containerPort: cRange[0] + i, proto });
  }
  return out;
}

/** Normalise an EXPOSE entry ("80", "80/udp", "8000-8001/tcp") into "N/proto" keys. */
export function expandExposed(entry: string): string[] {
  const [protoRaw, port] = splitProtoPort(entry);
  const range = parsePortRange(port);
  const proto = protoRaw.toLowerCase();
  if (!range || (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp')) {
    throw invalidArgument(`invalid port specification: "${entry}"`, { exitCode: 125 });
  }
  const keys: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) keys.push(`${p}/${proto}`);
  return keys;
}

/** Go's net.JoinHostPort. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Sort "N/proto" keys by byte order, as Go's JSON encoding of a map does. */
const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Docker's `NetworkSettings.Ports`: every published port with its bindings and every
 * exposed-but-unpublished port as null. `exposedPorts` may be EXPOSE entries or Config keys.
 */
export function portMappingsForInspect(
  state: { ports: PublishedPort[]; exposedPorts?: string[] },
  exposedPorts: string[] = state.exposedPorts ?? [],
): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const map = new Map<string, { HostIp: string; HostPort: string }[] | null>();
  for (const entry of exposedPorts) for (const key of expandExposed(entry)) map.set(key, null);
  for (const p of state.ports) {
    const list = map.get(p.containerPort) ?? [];
    list.push({ HostIp: p.hostIp, HostPort: p.hostPort });
    map.set(p.containerPort, list);
  }
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const key of [...map.keys()].sort(byteOrder)) out[key] = map.get(key)!;
  return out;
}

/** Natural order (runs of digits compare as numbers: "53/udp" before "443/tcp"), as docker sorts `port` lines. */
function naturalOrder(a: string, b: string): number {
  const chunks = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const [x, y] = [chunks(a), chunks(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const [p, q] = [x[i]!, y[i]!];
    if (p === q) continue;
    if (/^\d/.test(p) && /^\d/.test(q) && Number(p) !== Number(q)) return Number(p) - Number(q);
    return byteOrder(p, q);
  }
  return x.length - y.length;
}

/**
 * What `docker port CONTAINER [PRIVATE_PORT[/PROTO]]` prints. Without a filter: naturally
 * sorted "80/tcp -> 0.0.0.0:8080" lines. With one: "0.0.0.0:8080" lines, or Docker's error when
 * the port is not published (`containerName` goes into that message).
 */
export function portLines(state: { ports: PublishedPort[] }, filter?: string, containerName = ''): string[] {
  if (filter === undefined || filter === '') {
    return state.ports.map((p) => `${p.containerPort} -> ${joinHostPort(p.hostIp, p.hostPort)}`).sort(naturalOrder);
  }
  const slash = filter.indexOf('/');
  const key = slash >= 0 && slash < filter.length - 1 ? filter : `${slash >= 0 ? filter.slice(0, slash) : filter}/tcp`;
  const lines = state.ports.filter((p) => p.containerPort === key).map((p) => joinHostPort(p.hostIp, p.hostPort));
  if (lines.length === 0) {
    throw notFound(`No public port '${filter}' published for ${containerName}`);
  }
  return lines;
}
