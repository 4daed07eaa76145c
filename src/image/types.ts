/** The image config (OCI image-spec config, with Docker's extra fields) and store records. */
import type { Digest } from '../core/digest.js';

/** The runtime part of an image config (`config` / `container_config`), Docker's field names. */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  OnBuild?: string[] | null;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[];
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  config?: ContainerConfig;
  container?: string;
  container_config?: ContainerConfig;
  docker_version?: string;
  comment?: string;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: HistoryEntry[];
  [extra: string]: unknown;
}

/** What the store knows of one image. */
export interface ImageRecord {
  /** sha256 of the config bytes: the image ID. */
  id: Digest;
  config: ImageConfig;
  /** Local parent image ID (set by commit/build), '' when none. */
  parent: string;
  /** Familiar `name:tag` strings, as `docker inspect` shows RepoTags. */
  repoTags: string[];
  /** Familiar `name@sha256:...` strings. */
  repoDigests: string[];
  /** Sum of the layers' sizes (bytes of regular-file content, as Docker counts). */
  size: number;
  /** When the image entered this store (ISO). */
  loadedAt: string;
  lastTagTime?: string;
}

/** One layer of an image as the snapshotter and save need it. */
export interface LayerRef {
  diffId: Digest;
  chainId: Digest;
  size: number;
  /** Path of the uncompressed layer tar in the content store. */
  path: string;
}
