/**
 * POST /containers/create's body (Docker's Config with HostConfig and NetworkingConfig
 * inside, as `docker run` and the SDKs send it), checked for shape and normalized where
 * Docker's own decoder is lenient (a lone string for a string list), then handed to the
 * engine's create request as is: the engine applies Docker's rules.
 */
import { badRequest } from './http.js';
import type { ContainerCreateRequest, CreateConfig, HostConfig } from '../engine/containers.js';

type Json = Record<string, unknown>;

const typeName = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

function object(v: unknown, field: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`json: cannot unmarshal ${typeName(v)} into Go struct field ${field} of type object`);
  return v as Json;
}

/** Docker's StrSlice: a list of strings, or one string. */
function strSlice(o: Json, key: string, field: string): void {
  const v = o[key];
  if (v === undefined || v === null) return;
  if (typeof v === 'string') o[key] = [v];
  else if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw badRequest(`json: cannot unmarshal ${typeName(v)} into Go struct field ${field} of type []string`);
}

function stringField(o: Json, key: string, field: string): void {
  const v = o[key];
  if (v !== undefined && v !== null && typeof v !== 'string') throw badRequest(`json: cannot unmarshal ${typeName(v)} into Go struct field ${field} of type string`);
}

function mapOfStrings(o: Json, key: string, field: string): void {
  const m = object(o[key], field);
  for (const [k, v] of Object.entries(m ?? {})) if (typeof v !== 'string') throw badRequest(`json: cannot unmarshal ${typeName(v)} into Go struct field ${field}[${k}] of type string`);
}

export function createRequest(body: Json, name: string | undefined): ContainerCreateRequest {
  const { HostConfig: h, NetworkingConfig: n, ...config } = body;
  const hostConfig = object(h, 'HostConfig') ?? {};
  const networkingConfig = object(n, 'NetworkingConfig');
  stringField(config, 'Image', 'Config.Image');
  if (!config.Image) throw badRequest('Config cannot be empty in order to create a container');
  for (const k of ['Cmd', 'Entrypoint', 'Env']) strSlice(config, k, `Config.${k}`);
  for (const k of ['User', 'WorkingDir', 'Hostname', 'StopSignal']) stringField(config, k, `Config.${k}`);
  mapOfStrings(config, 'Labels', 'Config.Labels');
  object(config.ExposedPorts, 'Config.ExposedPorts');
  object(config.Volumes, 'Config.Volumes');
  object(config.Healthcheck, 'Config.Healthcheck');
  for (const k of ['Binds', 'CapAdd', 'CapDrop', 'Dns', 'DnsSearch', 'DnsOptions', 'ExtraHosts', 'SecurityOpt']) strSlice(hostConfig, k, `HostConfig.${k}`);
  stringField(hostConfig, 'NetworkMode', 'HostConfig.NetworkMode');
  mapOfStrings(hostConfig, 'Tmpfs', 'HostConfig.Tmpfs');
  if (hostConfig.Mounts !== undefined && hostConfig.Mounts !== null && !Array.isArray(hostConfig.Mounts)) throw badRequest('json: cannot unmarshal into Go struct field HostConfig.Mounts of type []mount.Mount');
  for (const port of Object.keys(object(hostConfig.PortBindings, 'HostConfig.PortBindings') ?? {})) {
    if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(port)) throw badRequest(`invalid port specification: "${port}"`);
  }
  return { name: name || undefined, config: config as unknown as CreateConfig, hostConfig: hostConfig as Partial<HostConfig>, networkingConfig: networkingConfig as ContainerCreateRequest['networkingConfig'] };
}
