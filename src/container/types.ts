/**
 * Container records as stored under `<root>/containers/<id>/`.
 * `container.json` holds what the user asked for (written by the CLI, rarely changes);
 * `state.json` holds the runtime state (written only by whoever runs the container).
 * Field names follow Docker's inspect output so inspect is a thin mapping.
 */
import type { ContainerConfig, LayerRef } from '../image/types.js';

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped';
  MaximumRetryCount: number;
}

export interface HostConfig {
  Binds: string[] | null;
  NetworkMode: string;
  PortBindings: Record<string, PortBinding[]>;
  RestartPolicy: RestartPolicy;
  AutoRemove: boolean;
  PublishAllPorts: boolean;
  Memory: number;
  NanoCpus: number;
  PidsLimit: number | null;
  Runtime: string;
  LogConfig: { Type: string; Config: Record<string, string> };
  ExtraHosts?: string[] | null;
  SecurityOpt?: string[] | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  ReadonlyRootfs?: boolean;
  /** Mount point -> tmpfs options ("" for docker's defaults). */
  Tmpfs?: Record<string, string>;
  Ulimits?: { Name: string; Hard: number; Soft: number }[] | null;
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
  /** Bytes of /dev/shm (docker's default 64 MiB when 0 or absent). */
  ShmSize?: number;
  /** `--init`: tini runs as PID 1 and starts the command. */
  Init?: boolean;
  /** `--mount` entries, as docker records them. */
  Mounts?: HostMount[];
}

/** One `--mount` as HostConfig.Mounts shows it. */
export interface HostMount {
  Type: 'bind' | 'volume' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthLogEntry[];
}

export interface ContainerState {
  Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: HealthState;
  /** Not in Docker's JSON: pid of the monitor (or foreground CLI) that runs the container. */
  MonitorPid?: number;
  /** Not in Docker's JSON: its monitor died while it ran (the state was corrected, not written by it). */
  MonitorLost?: boolean;
  /** Not in Docker's JSON: set by `stop`/`kill` so restart policies leave the container down. */
  ManuallyStopped?: boolean;
  RestartCount?: number;
  /** Network state written by the runner (ports, addresses) for inspect and `port`. */
  Network?: NetworkSnapshot;
}

export interface NetworkSnapshot {
  ipAddress: string;
  ipPrefixLen: number;
  gateway: string;
  macAddress: string;
  bridge: string;
  ports: { containerPort: string; hostIp: string; hostPort: string }[];
}

export interface ContainerRecord {
  Id: string;
  Name: string; // without the leading slash
  Created: string;
  Path: string;
  Args: string[];
  Image: string; // image ID (sha256:...)
  ImageRef: string; // what the user typed (Config.Image)
  Driver: string;
  Config: ContainerConfig & { Hostname: string; Image: string };
  HostConfig: HostConfig;
  Mounts: MountPoint[];
  /** The image's layer chain (bottom first), so the monitor can mount without the image store. */
  Layers: LayerRef[];
}

export const emptyState = (): ContainerState => ({
  Status: 'created',
  Running: false,
  Paused: false,
  Restarting: false,
  OOMKilled: false,
  Dead: false,
  Pid: 0,
  ExitCode: 0,
  Error: '',
  StartedAt: '0001-01-01T00:00:00Z',
  FinishedAt: '0001-01-01T00:00:00Z',
});
