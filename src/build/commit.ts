/**
 * A build step's image, as dockerd's classic builder writes it: the run config, the step's
 * container config (whose Cmd is the cache key: the `#(nop)` comment or the RUN command with
 * its build args), one history entry (`empty_layer` when the step changed no file), the
 * parent kept in the store so `images -a` and `rmi` see the chain. The cache is the classic
 * one: a child of the parent image whose container config matches.
 */
import { randomBytes } from '../core/random.js';
import type { Digest } from '../core/digest.js';
import type { ImageStore } from '../image/store.js';
import type { ContainerConfig, HistoryEntry, ImageConfig, LayerRef } from '../image/types.js';

/** The SHA-256 of an empty tar (1024 zero bytes): Docker drops such layers. */
export const EMPTY_TAR_DIGEST = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export interface StageState {
  imageId: string;
  architecture: string;
  os: string;
  variant?: string;
  runConfig: ContainerConfig;
  history: HistoryEntry[];
  diffIds: Digest[];
  layers: LayerRef[];
  maintainer?: string;
  cmdSet: boolean;
}

export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

/** Docker's default run config fields, in its order, for a step's container config. */
const sorted = <T>(m: Record<string, T> | null | undefined) => (m ? Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : m);

export function containerConfigOf(c: ContainerConfig, hostname: string, image: string): ContainerConfig {
  const out: ContainerConfig = {
    Hostname: hostname,
    Domainname: '',
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(c.ExposedPorts ? { ExposedPorts: sorted(c.ExposedPorts) } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    ...(c.ArgsEscaped ? { ArgsEscaped: true } : {}),
    Image: image,
    Volumes: sorted(c.Volumes) ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: sorted(c.Labels) ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.Shell ? { Shell: c.Shell } : {}),
  };
  return out;
}

/** The image's own config: Docker's field set without the container-only defaults. */
export function imageRunConfig(c: ContainerConfig): ContainerConfig {
  return containerConfigOf(c, '', '');
}

const CACHE_FIELDS: (keyof ContainerConfig)[] = ['Cmd', 'Env', 'Labels', 'ExposedPorts', 'Entrypoint', 'Volumes', 'WorkingDir', 'User', 'OnBuild', 'Shell', 'StopSignal', 'Healthcheck'];

function cacheKeyOf(c: ContainerConfig | undefined): string {
  const norm = (v: unknown) => (v === undefined || v === null || v === '' || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) ? null : v);
  const sortKeys = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : 1))) : v);
  return JSON.stringify(CACHE_FIELDS.map((f) => sortKeys(norm(c?.[f]))));
}

/** A child of `parent` built by the same step, or undefined. */
export function probeCache(images: ImageStore, parent: string, probe: ContainerConfig): string | undefined {
  const want = cacheKeyOf(probe);
  const candidates = images.children(parent);
  let best: { id: string; created: string } | undefined;
  for (const id of candidates) {
    const cfg = images.record(id as Digest).config;
    if (parent === '' && (cfg.history?.length ?? 0) > 1) continue;
    if (cacheKeyOf(cfg.container_config) !== want) continue;
    const created = cfg.created ?? '';
    if (!best || created > best.created) best = { id, created };
  }
  return best?.id;
}

export interface CommitInput {
  state: StageState;
  /** The step's container config (Cmd is the step's comment or command). */
  containerConfig: ContainerConfig;
  containerId: string;
  layer?: { diffId: Digest };
  created: string;
  tags?: string[];
}

/** Store the step's image and move the stage on to it; returns the new image ID. */
export function commitStep(images: ImageStore, i: CommitInput): string {
  const s = i.state;
  const empty = !i.layer || i.layer.diffId === EMPTY_TAR_DIGEST;
  const createdBy = (i.containerConfig.Cmd ?? []).join(' ');
  const entry: HistoryEntry = { created: i.created, ...(s.maintainer ? { author: s.maintainer } : {}), created_by: createdBy, ...(empty ? { empty_layer: true } : {}) };
  const diffIds = empty ? s.diffIds : [...s.diffIds, i.layer!.diffId];
  const config: ImageConfig = {
    architecture: s.architecture,
    ...(s.maintainer ? { author: s.maintainer } : {}),
    config: imageRunConfig(s.runConfig),
    container: i.containerId,
    container_config: containerConfigOf(i.containerConfig, i.containerId.slice(0, 12), s.imageId),
    created: i.created,
    docker_version: '20.10.24',
    history: [...s.history, entry],
    os: s.os,
    ...(s.variant ? { variant: s.variant } : {}),
    rootfs: { type: 'layers', diff_ids: diffIds },
  };
  const rec = images.addImage(config, { parent: s.imageId, tags: i.tags });
  s.imageId = rec.id;
  s.history = config.history!;
  s.diffIds = diffIds;
  s.layers = images.layerChain(rec.id);
  return rec.id;
}

/** Move the stage to an existing (cached) image. */
export function adoptImage(images: ImageStore, s: StageState, id: string): void {
  const rec = images.record(id as Digest);
  s.imageId = rec.id;
  s.history = rec.config.history ?? [];
  s.diffIds = rec.config.rootfs.diff_ids;
  s.layers = images.layerChain(rec.id);
}

/**
 * `--cache-from` as dockerd's classic builder uses it: an image (built elsewhere, pulled or
 * loaded) whose history and layers start as the parent's do and whose next history entry is
 * this step reuses that step's layer. The image made for the hit carries the source's
 * history and layers up to that step.
 */
export function probeCacheFrom(images: ImageStore, parent: string, probe: ContainerConfig, sources: readonly string[]): string | undefined {
  const p = parent ? images.record(parent as Digest).config : undefined;
  const ph = p?.history ?? [];
  const pd = p?.rootfs.diff_ids ?? [];
  const createdBy = (probe.Cmd ?? []).join(' ');
  for (const src of sources) {
    const t = images.record(src as Digest).config;
    const th = t.history ?? [];
    const td = t.rootfs.diff_ids;
    if (th.length <= ph.length || td.length < pd.length) continue;
    if (!ph.every((h, i) => h.created_by === th[i].created_by && !!h.empty_layer === !!th[i].empty_layer)) continue;
    if (!pd.every((d, i) => d === td[i])) continue;
    const next = th[ph.length];
    if (next.created_by !== createdBy) continue;
    if (th.length === ph.length + 1) return src;
    const layers = pd.length + (next.empty_layer ? 0 : 1);
    const cfg: ImageConfig = { ...t, history: th.slice(0, ph.length + 1), rootfs: { type: 'layers', diff_ids: td.slice(0, layers) } };
    return images.addImage(cfg, { parent }).id;
  }
  return undefined;
}
