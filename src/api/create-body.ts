/**
 * POST /containers/create's body (Docker's Config with HostConfig and NetworkingConfig
 * inside, as `docker run` and the SDKs send it) read into the engine's CreateOptions.
 * Only the shape is checked here; the engine applies Docker's rules.
 */
import { badRequest } from './http.js';
import type { CreateOptions } from '../engine/containers.js';
import { parseVolumeSpec, type VolumeSpec } from '../engine/containers/volumes-spec.js';
import type { HostMount, PortBinding, RestartPolicy } from '../container/types.js';

type Json = Record<string, unknown>;

function obj(v: unknown, field: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type object`);
  return v as Json;
}

function strList(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v]; // docker's StrSlice accepts a lone string
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw badRequest(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type []string`);
  return v as string[];
}

function str(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type string`);
  return v;
}

function num(v: unknown, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`json: cannot unmarshal ${typeof v} into Go struct field ${field} of type int64`);
  return v;
}

function stringMap(v: unknown, field: string): Record<string, string> | undefined {
  const o = obj(v, field);
  if (!o) return undefined;
  for (const [k, s] of Object.entries(o)) if (typeof s !== 'string') throw badRequest(`json: cannot unmarshal ${typeof s} into Go struct field ${field}[${k}] of type string`);
  return o as Record<string, string>;
}

function mounts(v: unknown): VolumeSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw badRequest('json: cannot unmarshal into Go struct field HostConfig.Mounts of type []mount.Mount');
  return v.map((m: Json) => {
    const type = String(m.Type ?? 'volume') as HostMount['Type'];
    if (!['bind', 'volume', 'tmpfs'].includes(type)) throw badRequest(`invalid mount config for type "${type}": mount type unknown`);
    const target = str(m.Target, 'Mount.Target');
    if (!target) throw badRequest(`invalid mount config for type "${type}": field Target must not be empty`);
    const source = str(m.Source, 'Mount.Source') ?? '';
    const readOnly = m.ReadOnly === true;
    const tmpfs = obj(m.TmpfsOptions, 'Mount.TmpfsOptions');
    const mount: HostMount = { Type: type, ...(source ? { Source: source } : {}), Target: target, ...(readOnly ? { ReadOnly: true } : {}), ...(tmpfs ? { TmpfsOptions: tmpfs as HostMount['TmpfsOptions'] } : {}) };
    return { type, source, destination: target, readOnly, mode: '', mount };
  });
}

function portBindings(v: unknown): Record<string, PortBinding[]> | undefined {
  const o = obj(v, 'HostConfig.PortBindings');
  if (!o) return undefined;
  const out: Record<string, PortBinding[]> = {};
  for (const [port, list] of Object.entries(o)) {
    if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(port)) throw badRequest(`invalid port specification: "${port}"`);
    const key = port.includes('/') ? port : `${port}/tcp`;
    out[key] = (Array.isArray(list) ? list : []).map((b: Json) => ({ HostIp: String(b?.HostIp ?? ''), HostPort: String(b?.HostPort ?? '') }));
  }
  return out;
}

export function createOptions(body: Json, name: string | undefined): CreateOptions {
  const image = str(body.Image, 'Config.Image');
  if (!image) throw badRequest('Config cannot be empty in order to create a container');
  const h = obj(body.HostConfig, 'HostConfig') ?? {};
  const volumes: VolumeSpec[] = [];
  for (const b of strList(h.Binds, 'HostConfig.Binds') ?? []) volumes.push(parseVolumeSpec(b));
  const bound = new Set(volumes.map((v) => v.destination));
  for (const dest of Object.keys(obj(body.Volumes, 'Config.Volumes') ?? {})) if (!bound.has(dest)) volumes.push(parseVolumeSpec(dest));
  volumes.push(...mounts(h.Mounts));
  const restart = obj(h.RestartPolicy, 'HostConfig.RestartPolicy');
  const entrypoint = body.Entrypoint === undefined || body.Entrypoint === null ? undefined : (strList(body.Entrypoint, 'Config.Entrypoint') ?? []);
  if (entrypoint && entrypoint.length > 1) throw badRequest('wharf takes a one-word Entrypoint; put the rest in Cmd');
  const network = str(h.NetworkMode, 'HostConfig.NetworkMode');
  const logConfig = obj(h.LogConfig, 'HostConfig.LogConfig');
  const health = obj(body.Healthcheck, 'Config.Healthcheck');
  const ulimits = h.Ulimits;
  return {
    image,
    name: name || undefined,
    cmd: strList(body.Cmd, 'Config.Cmd'),
    entrypoint: entrypoint ? (entrypoint[0] ?? '') : undefined,
    env: strList(body.Env, 'Config.Env'),
    workdir: str(body.WorkingDir, 'Config.WorkingDir'),
    user: str(body.User, 'Config.User'),
    tty: body.Tty === true,
    openStdin: body.OpenStdin === true,
    stdinOnce: body.StdinOnce === true,
    attach: { stdin: body.AttachStdin === true, stdout: body.AttachStdout === true, stderr: body.AttachStderr === true },
    hostname: str(body.Hostname, 'Config.Hostname'),
    labels: stringMap(body.Labels, 'Config.Labels'),
    exposedPorts: Object.keys(obj(body.ExposedPorts, 'Config.ExposedPorts') ?? {}),
    portBindings: portBindings(h.PortBindings),
    publishAll: h.PublishAllPorts === true,
    volumes,
    restart: restart ? ({ Name: String(restart.Name || 'no'), MaximumRetryCount: Number(restart.MaximumRetryCount ?? 0) } as RestartPolicy) : undefined,
    autoRemove: h.AutoRemove === true,
    stopSignal: str(body.StopSignal, 'Config.StopSignal'),
    stopTimeout: num(body.StopTimeout, 'Config.StopTimeout'),
    healthcheck: health as CreateOptions['healthcheck'],
    network: network === 'default' ? undefined : network,
    memory: num(h.Memory, 'HostConfig.Memory') || undefined,
    nanoCpus: num(h.NanoCpus, 'HostConfig.NanoCpus') || undefined,
    pidsLimit: num(h.PidsLimit, 'HostConfig.PidsLimit') || undefined,
    runtime: str(h.Runtime, 'HostConfig.Runtime'),
    logOpts: stringMap(logConfig?.Config, 'HostConfig.LogConfig.Config'),
    extraHosts: strList(h.ExtraHosts, 'HostConfig.ExtraHosts'),
    securityOpt: strList(h.SecurityOpt, 'HostConfig.SecurityOpt'),
    capAdd: strList(h.CapAdd, 'HostConfig.CapAdd'),
    capDrop: strList(h.CapDrop, 'HostConfig.CapDrop'),
    readOnly: h.ReadonlyRootfs === true,
    tmpfs: stringMap(h.Tmpfs, 'HostConfig.Tmpfs'),
    ulimits: Array.isArray(ulimits) && ulimits.length ? (ulimits as { Name: string; Hard: number; Soft: number }[]) : undefined,
    dns: strList(h.Dns, 'HostConfig.Dns'),
    dnsSearch: strList(h.DnsSearch, 'HostConfig.DnsSearch'),
    dnsOptions: strList(h.DnsOptions, 'HostConfig.DnsOptions'),
    shmSize: num(h.ShmSize, 'HostConfig.ShmSize') || undefined,
    init: h.Init === true,
  };
}
