/**
 * `run`/`create` flags: commander option definitions shared by both commands and their
 * translation into CreateOptions, with Docker's client-side validation messages.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parsePort16, parseRamSize } from '../../core/units.js';
import { WharfError } from '../../core/errors.js';
import { collect } from '../output.js';
import type { ContainerCreateRequest } from '../../engine/containers.js';
import { parseMountSpec, parseVolumeSpec } from '../../engine/containers/volumes-spec.js';
import { parsePortSpec, parseSecurityOpts, parseUlimit, type PortBinding, type RestartPolicy } from '../../engine/containers.js';
import { parseDuration } from '../../core/time.js';

export interface RunFlags {
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  rm?: boolean;
  name?: string;
  env?: string[];
  envFile?: string[];
  entrypoint?: string;
  workdir?: string;
  user?: string;
  volume?: string[];
  publish?: string[];
  publishAll?: boolean;
  expose?: string[];
  restart?: string;
  stopSignal?: string;
  stopTimeout?: string;
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  noHealthcheck?: boolean;
  hostname?: string;
  label?: string[];
  network?: string;
  memory?: string;
  cpus?: string;
  pidsLimit?: string;
  runtime?: string;
  logOpt?: string[];
  addHost?: string[];
  securityOpt?: string[];
  capAdd?: string[];
  capDrop?: string[];
  readOnly?: boolean;
  tmpfs?: string[];
  ulimit?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOption?: string[];
  shmSize?: string;
  init?: boolean;
  mount?: string[];
  pull?: string;
}

const LIST = Symbol('repeatable');

/** docker's run/create flags: [flags, help, LIST (repeatable) or a default value]. */
const RUN_FLAGS: [string, string, (typeof LIST | string)?][] = [
  ['-i, --interactive', 'Keep STDIN open even if not attached'],
  ['-t, --tty', 'Allocate a pseudo-TTY'],
  ['--name <string>', 'Assign a name to the container'],
  ['-e, --env <list>', 'Set environment variables', LIST],
  ['--env-file <list>', 'Read in a file of environment variables', LIST],
  ['--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image'],
  ['-w, --workdir <string>', 'Working directory inside the container'],
  ['-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])'],
  ['-v, --volume <list>', 'Bind mount a volume', LIST],
  ['-p, --publish <list>', "Publish a container's port(s) to the host", LIST],
  ['-P, --publish-all', 'Publish all exposed ports to random ports'],
  ['--expose <list>', 'Expose a port or a range of ports', LIST],
  ['--restart <string>', 'Restart policy to apply when a container exits', 'no'],
  ['--stop-signal <string>', 'Signal to stop a container'],
  ['--stop-timeout <int>', 'Timeout (in seconds) to stop a container'],
  ['--health-cmd <string>', 'Command to run to check health'],
  ['--health-interval <duration>', 'Time between running the check (ms|s|m|h)'],
  ['--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h)'],
  ['--health-retries <int>', 'Consecutive failures needed to report unhealthy'],
  ['--health-start-period <duration>', 'Start period for the container to initialize'],
  ['--no-healthcheck', 'Disable any container-specified HEALTHCHECK'],
  ['-h, --hostname <string>', 'Container host name'],
  ['-l, --label <list>', 'Set meta data on a container', LIST],
  ['--network <network>', 'Connect a container to a network', 'default'],
  ['-m, --memory <bytes>', 'Memory limit'],
  ['--cpus <decimal>', 'Number of CPUs'],
  ['--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)'],
  ['--runtime <string>', 'Runtime to use for this container'],
  ['--log-opt <list>', 'Log driver options', LIST],
  ['--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', LIST],
  ['--security-opt <list>', 'Security Options', LIST],
  ['--cap-add <list>', 'Add Linux capabilities', LIST],
  ['--cap-drop <list>', 'Drop Linux capabilities', LIST],
  ['--read-only', "Mount the container's root filesystem as read only"],
  ['--tmpfs <list>', 'Mount a tmpfs directory', LIST],
  ['--ulimit <ulimit>', 'Ulimit options', LIST],
  ['--dns <list>', 'Set custom DNS servers', LIST],
  ['--dns-search <list>', 'Set custom DNS search domains', LIST],
  ['--dns-option <list>', 'Set DNS options', LIST],
  ['--shm-size <bytes>', 'Size of /dev/shm'],
  ['--init', 'Run an init inside the container that forwards signals and reaps processes'],
  ['--mount <mount>', 'Attach a filesystem mount to the container', LIST],
  ['--pull <string>', 'Pull image before running ("always", "missing", "never")', 'missing'],
];

export function defineRunFlags(cmd: Command): Command {
  for (const [flags, help, extra] of RUN_FLAGS) {
    if (extra === LIST) cmd.option(flags, help, collect);
    else if (extra !== undefined) cmd.option(flags, help, extra);
    else cmd.option(flags, help);
  }
  return cmd.helpOption('--help', 'Print usage');
}

const flagError = (msg: string) => new WharfError('INVALID_ARGUMENT', msg, { exitCode: 125 });

/** Go duration (`30s`, `1m30s`, `500ms`) to nanoseconds. */
/**
 * `--since`, `until=`: an RFC 3339 time, Unix seconds, or a Go duration back from now, as epoch
 * milliseconds; anything else fails with docker's message.
 */

export function parseRestart(spec: string): RestartPolicy {
  const [name = '', count] = spec.split(':');
  if (name === '' || name === 'no') {
    if (count !== undefined) throw flagError(`invalid restart policy format`);
    return { Name: 'no', MaximumRetryCount: 0 };
  }
  if (name === 'always' || name === 'unless-stopped') {
    if (count !== undefined) throw flagError(`maximum retry count cannot be used with restart policy '${name}'`);
    return { Name: name, MaximumRetryCount: 0 };
  }
  if (name === 'on-failure') {
    if (count !== undefined && !/^\d+$/.test(count)) throw flagError(`invalid restart policy format`);
    return { Name: 'on-failure', MaximumRetryCount: Number(count ?? 0) };
  }
  throw flagError(`invalid restart policy ${name}`);
}

function parseEnvFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw flagError(`open ${path}: no such file or directory`);
  }
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const [key] = line.split('=');
    if (/\s/.test(key!)) throw flagError(`variable '${key}' contains whitespaces`);
    out.push(line.includes('=') ? line : process.env[line] !== undefined ? `${line}=${process.env[line]}` : line);
  }
  return out;
}

/** `-e KEY` takes the value from the client's environment (dropped when unset). */
function expandEnv(list: string[]): string[] {
  return list.flatMap((e) => (e.includes('=') ? [e] : process.env[e] !== undefined ? [`${e}=${process.env[e]}`] : []));
}

function parseLabels(list: string[]): Record<string, string> {
  return Object.fromEntries(list.map((l) => {
    const i = l.indexOf('=');
    return i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i + 1)];
  }));
}

/** `--tmpfs /run` or `--tmpfs /run:size=1m,mode=700`: mount point and options. */
function parseTmpfs(spec: string): [string, string] {
  const colon = spec.indexOf(':');
  const [dest, opts] = colon < 0 ? [spec, ''] : [spec.slice(0, colon), spec.slice(colon + 1)];
  if (!dest.startsWith('/')) throw new WharfError('INVALID_ARGUMENT', `invalid mount path: '${dest}' mount path must be absolute`, { exitCode: 125 });
  return [dest, opts];
}

/** `--security-opt` as given, once its values are known to be ones wharf applies. */
function checkSecurityOpts(opts: string[]): string[] {
  parseSecurityOpts(opts);
  return opts;
}

/** `--expose 80`, `--expose 53/udp`, `--expose 9000-9002`: docker's keys ("9000/tcp", ...) and errors. */
export function exposedPortKeys(entries: string[]): string[] {
  const keys = new Set<string>();
  for (const e of entries) {
    const fail = (why: string) => new WharfError('INVALID_ARGUMENT', `invalid range format for --expose: ${e}, error: ${why}`, { exitCode: 125 });
    if (e.includes(':')) throw new WharfError('INVALID_ARGUMENT', `invalid port format for --expose: ${e}`, { exitCode: 125 });
    const [port = '', proto = ''] = e.split('/');
    let start: number;
    let end: number;
    try {
      if (port === '') throw new Error('empty string specified for ports');
      const [a, b] = port.split('-');
      start = parsePort16(a!);
      end = b === undefined ? start : parsePort16(b);
    } catch (err) {
      throw fail((err as Error).message);
    }
    if (end < start) throw fail(`invalid range specified for port: ${port}`);
    for (let p = start; p <= end; p++) keys.add(`${p}/${proto || 'tcp'}`);
  }
  return [...keys];
}

/** The flags as the Engine API's create request (docker/cli's opts.go does the same for dockerd). */
export function toCreateRequest(image: string, cmd: string[], f: RunFlags): ContainerCreateRequest {
  const portBindings: Record<string, PortBinding[]> = {};
  for (const spec of f.publish ?? []) {
    for (const m of parsePortSpec(spec)) (portBindings[`${m.containerPort}/${m.proto}`] ??= []).push({ HostIp: m.hostIp, HostPort: m.hostPort });
  }
  let memory: number | undefined;
  if (f.memory) {
    try {
      memory = parseRamSize(f.memory);
    } catch {
      throw flagError(`invalid argument "${f.memory}" for "-m, --memory" flag: invalid size: '${f.memory}'`);
    }
    // docker's int64 overflows to a negative limit, which its minimum check then refuses
    if (memory < 6 * 1024 * 1024 || memory > 2 ** 63 - 1) throw new WharfError('INVALID_ARGUMENT', 'Minimum memory limit allowed is 6MB', { exitCode: 125 });
  }
  let nanoCpus: number | undefined;
  if (f.cpus) {
    const n = Number(f.cpus);
    if (!Number.isFinite(n) || n < 0) throw flagError(`invalid argument "${f.cpus}" for "--cpus" flag: failed to parse ${f.cpus} as a rational number`);
    nanoCpus = Math.round(n * 1e9);
  }
  const healthcheck = f.noHealthcheck
    ? { Test: ['NONE'] }
    : f.healthCmd || f.healthInterval || f.healthTimeout || f.healthRetries || f.healthStartPeriod
      ? {
          ...(f.healthCmd ? { Test: ['CMD-SHELL', f.healthCmd] } : {}),
          ...(f.healthInterval ? { Interval: parseDuration(f.healthInterval) } : {}),
          ...(f.healthTimeout ? { Timeout: parseDuration(f.healthTimeout) } : {}),
          ...(f.healthStartPeriod ? { StartPeriod: parseDuration(f.healthStartPeriod) } : {}),
          ...(f.healthRetries ? { Retries: Number(f.healthRetries) } : {}),
        }
      : undefined;
  if (f.rm && f.restart && f.restart !== 'no') throw flagError('Conflicting options: --restart and --rm');
  const attachAll = !f.detach;
  // Every -v goes to Binds in the order given (the engine reads one without a colon as an
  // anonymous volume); the checks docker's CLI makes of them happen here.
  const binds = f.volume ?? [];
  binds.forEach(parseVolumeSpec);
  const exposed = exposedPortKeys(f.expose ?? []);
  const tmpfs = Object.fromEntries((f.tmpfs ?? []).map(parseTmpfs));
  const ulimits = (f.ulimit ?? []).map(parseUlimit);
  return {
    name: f.name,
    config: {
      Image: image,
      ...(cmd.length ? { Cmd: cmd } : {}),
      ...(f.entrypoint !== undefined ? { Entrypoint: [f.entrypoint] } : {}),
      Env: [...(f.envFile ?? []).flatMap(parseEnvFile), ...expandEnv(f.env ?? [])],
      ...(f.workdir !== undefined ? { WorkingDir: f.workdir } : {}),
      ...(f.user !== undefined ? { User: f.user } : {}),
      Tty: !!f.tty,
      OpenStdin: !!f.interactive,
      StdinOnce: !!f.interactive && attachAll,
      AttachStdin: !!f.interactive && attachAll,
      AttachStdout: attachAll,
      AttachStderr: attachAll,
      ...(f.hostname ? { Hostname: f.hostname } : {}),
      Labels: parseLabels(f.label ?? []),
      ...(exposed.length ? { ExposedPorts: Object.fromEntries(exposed.map((p) => [p, {}])) } : {}),
      ...(f.stopSignal ? { StopSignal: f.stopSignal } : {}),
      ...(f.stopTimeout !== undefined ? { StopTimeout: Number(f.stopTimeout) } : {}),
      ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    },
    hostConfig: {
      Binds: binds,
      Mounts: (f.mount ?? []).map((m) => parseMountSpec(m).mount!),
      NetworkMode: f.network,
      PortBindings: portBindings,
      PublishAllPorts: !!f.publishAll,
      RestartPolicy: parseRestart(f.restart ?? 'no'),
      AutoRemove: !!f.rm,
      SecurityOpt: checkSecurityOpts(f.securityOpt ?? []),
      CapAdd: f.capAdd,
      CapDrop: f.capDrop,
      ReadonlyRootfs: !!f.readOnly,
      ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
      Ulimits: ulimits,
      Dns: f.dns,
      DnsSearch: f.dnsSearch,
      DnsOptions: f.dnsOption,
      ShmSize: f.shmSize ? parseRamSize(f.shmSize) : undefined,
      Init: !!f.init,
      Memory: memory,
      NanoCpus: nanoCpus,
      PidsLimit: f.pidsLimit !== undefined ? parsePidsLimit(f.pidsLimit) : undefined,
      Runtime: f.runtime,
      LogConfig: { Type: 'json-file', Config: Object.fromEntries((f.logOpt ?? []).map((o) => [o.split('=')[0], o.split('=').slice(1).join('=')])) },
      ExtraHosts: f.addHost,
    },
  };
}

/** Go's strconv.ParseInt, as docker's flag parsing reports it. */
function parsePidsLimit(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw flagError(`invalid argument "${v}" for "--pids-limit" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw flagError(`invalid argument "${v}" for "--pids-limit" flag: strconv.ParseInt: parsing "${v}": value out of range`);
  return n;
}
