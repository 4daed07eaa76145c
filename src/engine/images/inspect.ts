/** Docker's `image inspect` JSON for a stored image, and its history rows. */
import { join } from 'node:path';
import type { ImageStore } from '../../image/store.js';
import type { ContainerConfig, ImageRecord } from '../../image/types.js';
import { hexOf } from '../../core/digest.js';
import { dataLayout } from '../../core/layout.js';
import type { ImageInspect } from '../api-types.js';

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';
export const DOCKER_VERSION = '20.10.24';

/** Docker's container-config struct, every field in its order, nulls where Go has nil. */
export function fullContainerConfig(c: ContainerConfig | undefined): Record<string, unknown> {
  const src = c ?? {};
  const out: Record<string, unknown> = {
    Hostname: src.Hostname ?? '',
    Domainname: src.Domainname ?? '',
    User: src.User ?? '',
    AttachStdin: src.AttachStdin ?? false,
    AttachStdout: src.AttachStdout ?? false,
    AttachStderr: src.AttachStderr ?? false,
  };
  if (src.ExposedPorts && Object.keys(src.ExposedPorts).length) out.ExposedPorts = src.ExposedPorts;
  Object.assign(out, { Tty: src.Tty ?? false, OpenStdin: src.OpenStdin ?? false, StdinOnce: src.StdinOnce ?? false, Env: src.Env ?? null, Cmd: src.Cmd ?? null });
  if (src.Healthcheck) out.Healthcheck = src.Healthcheck;
  if (src.ArgsEscaped) out.ArgsEscaped = true;
  Object.assign(out, { Image: src.Image ?? '', Volumes: src.Volumes ?? null, WorkingDir: src.WorkingDir ?? '', Entrypoint: src.Entrypoint ?? null });
  if (src.NetworkDisabled) out.NetworkDisabled = true;
  Object.assign(out, { OnBuild: src.OnBuild ?? null, Labels: src.Labels ?? null });
  if (src.StopSignal) out.StopSignal = src.StopSignal;
  if (src.StopTimeout !== undefined) out.StopTimeout = src.StopTimeout;
  if (src.Shell) out.Shell = src.Shell;
  return out;
}

/** Where the layers of an image are (or would be) unpacked, as GraphDriver.Data shows. */
export function graphDriverData(root: string, chainIdsBottomFirst: string[]): Record<string, string> {
  if (chainIdsBottomFirst.length === 0) return {};
  const dir = (c: string) => join(dataLayout(root).layers, hexOf(c));
  const top = dir(chainIdsBottomFirst[chainIdsBottomFirst.length - 1]!);
  const data: Record<string, string> = {};
  const lowers = chainIdsBottomFirst.slice(0, -1).reverse().map((c) => join(dir(c), 'diff'));
  if (lowers.length) data.LowerDir = lowers.join(':');
  data.MergedDir = join(top, 'merged');
  data.UpperDir = join(top, 'diff');
  data.WorkDir = join(top, 'work');
  return data;
}

export function inspectImage(store: ImageStore, root: string, img: ImageRecord): ImageInspect {
  const c = img.config;
  const chain = store.layerChain(img.id);
  const out: Partial<ImageInspect> & Record<string, unknown> = {
    Id: img.id,
    RepoTags: img.repoTags,
    RepoDigests: img.repoDigests,
    Parent: img.parent,
    Comment: c.comment ?? '',
    Created: c.created ?? GO_ZERO_TIME,
    Container: c.container ?? '',
    ContainerConfig: fullContainerConfig(c.container_config),
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: fullContainerConfig(c.config),
    Architecture: c.architecture,
  };
  if (c.variant) out.Variant = c.variant;
  out.Os = c.os;
  if (c['os.version']) out.OsVersion = c['os.version'];
  Object.assign(out, {
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: { Data: graphDriverData(root, chain.map((l) => l.chainId)), Name: 'overlay2' },
    RootFS: { Type: 'layers', Layers: c.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: img.lastTagTime ?? GO_ZERO_TIME },
  });
  return out as unknown as ImageInspect;
}

export interface HistoryRow {
  id: string; // image ID or '<missing>'
  created: string;
  createdBy: string;
  size: number;
  comment: string;
  tags: string[];
}

/** Docker's history: newest first; IDs filled in by walking the local parent chain. */
export function imageHistory(store: ImageStore, img: ImageRecord): HistoryRow[] {
  const diffIds = img.config.rootfs?.diff_ids ?? [];
  const chain = store.layerChain(img.id);
  const rows: HistoryRow[] = [];
  let layer = 0;
  for (const h of img.config.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      size = chain[layer]?.size ?? store.layerSize(diffIds[layer] ?? '') ?? 0;
      layer++;
    }
    rows.unshift({ id: '<missing>', created: h.created ?? GO_ZERO_TIME, createdBy: h.created_by ?? '', size, comment: h.comment ?? '', tags: [] });
  }
  let cur: ImageRecord | undefined = img;
  for (const row of rows) {
    if (!cur) break;
    row.id = cur.id;
    row.tags = cur.repoTags;
    cur = cur.parent && store.exists(cur.parent) ? store.record(cur.parent as `sha256:${string}`) : undefined;
  }
  return rows;
}
