/**
 * `ps --filter KEY=VALUE`: docker's keys and their meaning, checked against dockerd 20.10:
 * status, name, id, label, exited, ancestor, health; before/since (created before or after
 * another container); volume (a volume name, a mount destination or a bind source); network
 * (bridge, host, none); publish (host ports) and expose (container ports), each a port or a
 * range with an optional protocol; is-task (never, without swarm).
 */
import { isWharfError, WharfError } from '../../core/errors.js';
import { parsePort16 } from '../../core/units.js';
import type { ContainerStore } from '../../container/store.js';
import type { ContainerRecord, ContainerState } from '../../container/types.js';
import type { Engine } from '../engine.js';

type Match = (rec: ContainerRecord, st: ContainerState, key: string, value: string) => boolean;

/** A port of a filter value, with docker's wrapping of Go's parse error. */
function port(text: string, key: string, whole: string): number {
  try {
    return parsePort16(text);
  } catch (err) {
    throw new WharfError('INVALID_ARGUMENT', `error while looking up for ${key} ${whole}: ${(err as Error).message}`);
  }
}

/** "80", "80/udp", "8000-8080/tcp": a port range and its protocol (tcp by default). */
function portRange(value: string, key: string): { from: number; to: number; proto: string } {
  const [range = '', proto = 'tcp'] = value.split('/');
  const [a = '', b] = range.split('-');
  const from = port(a, key, value);
  return { from, to: b === undefined ? from : port(b, key, value), proto };
}

const inRange = (key: string, r: { from: number; to: number; proto: string }) => {
  const [p, proto = 'tcp'] = key.split('/');
  return proto === r.proto && Number(p) >= r.from && Number(p) <= r.to;
};

function descends(engine: Engine, rec: ContainerRecord, ref: string): boolean {
  if (rec.ImageRef === ref) return true;
  let id: string;
  try {
    id = engine.images.get(ref).id;
  } catch {
    return false;
  }
  let cur: string | undefined = rec.Image;
  for (let i = 0; cur && i < 256; i++) {
    if (cur === id) return true;
    try {
      cur = engine.images.get(cur).parent || undefined;
    } catch {
      cur = undefined;
    }
  }
  return false;
}

const KEYS = new Set(['status', 'name', 'id', 'label', 'exited', 'ancestor', 'health', 'before', 'since', 'volume', 'network', 'publish', 'expose', 'is-task']);

/**
 * The matcher for `filters` (KEY, VALUE pairs). Like dockerd, it refuses unknown keys, bad
 * ports and unknown before/since containers at once, whether or not any container is listed.
 */
export function containerFilter(engine: Engine, store: ContainerStore, filters: readonly (readonly [string, string])[]): Match {
  const createdOf = (ref: string): string => {
    try {
      return store.get(ref).Created;
    } catch (err) {
      throw isWharfError(err, 'NOT_FOUND') ? new WharfError('NOT_FOUND', `no such container ${ref}`) : err;
    }
  };
  for (const [key, value] of filters) {
    if (!KEYS.has(key)) throw new WharfError('INVALID_ARGUMENT', `Invalid filter '${key}'`);
    if (key === 'publish' || key === 'expose') portRange(value, key);
    if (key === 'before' || key === 'since') createdOf(value);
  }
  return (rec, st, key, value) => {
    switch (key) {
      case 'status':
        return st.Status === value;
      case 'name':
        return new RegExp(value).test(rec.Name) || new RegExp(value).test(`/${rec.Name}`);
      case 'id':
        return rec.Id.startsWith(value);
      case 'label': {
        const [k, v] = value.split('=');
        const labels = rec.Config.Labels ?? {};
        return v === undefined ? k! in labels : labels[k!] === v;
      }
      case 'exited':
        return st.Status === 'exited' && st.ExitCode === Number(value);
      case 'ancestor':
        return descends(engine, rec, value);
      case 'health':
        return (st.Health?.Status ?? 'none') === value;
      case 'before':
        return rec.Created < createdOf(value);
      case 'since':
        return rec.Created > createdOf(value);
      case 'volume':
        return rec.Mounts.some((m) => m.Name === value || m.Destination === value || (m.Type === 'bind' && m.Source === value));
      case 'network': {
        const mode = rec.HostConfig.NetworkMode === 'default' ? 'bridge' : rec.HostConfig.NetworkMode;
        return mode === value;
      }
      case 'publish': {
        const r = portRange(value, 'publish');
        const bound = st.Running ? (st.Network?.ports ?? []) : [];
        return bound.some((p) => inRange(`${p.hostPort}/${p.containerPort.split('/')[1] ?? 'tcp'}`, r));
      }
      case 'expose': {
        const r = portRange(value, 'expose');
        return Object.keys(rec.Config.ExposedPorts ?? {}).some((k) => inRange(k, r));
      }
      case 'is-task':
        return value !== 'true';
      default:
        throw new WharfError('INVALID_ARGUMENT', `Invalid filter '${key}'`);
    }
  };
}
