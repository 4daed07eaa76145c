/**
 * `commit`: the container's changes (overlay upper dir) become one new layer on top of its
 * image; the new config is the container's config with `-c` changes applied; the image's
 * Parent is the container's image, and history gains one entry (Docker's rules).
 */
import type { Engine } from '../engine.js';
import type { ImageConfig, ImageRecord } from '../../image/types.js';
import { snapshotter } from '../../snapshot/snapshotter.js';
import { runtimeCmd } from '../../container/runtime/runc.js';
import { applyChange } from '../../image/changes.js';
import { nowRfc3339Nano } from '../../core/units.js';
import { parseReference } from '../../core/reference.js';

export interface CommitOptions {
  author?: string;
  message?: string;
  changes?: string[];
  pause?: boolean;
  /** REPO[:TAG] as typed; `latest` is added when no tag is given. */
  reference?: string;
}

export function withDefaultTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const slash = ref.lastIndexOf('/');
  return ref.slice(slash + 1).includes(':') ? ref : `${ref}:latest`;
}

export async function commitContainer(engine: Engine, ref: string, o: CommitOptions = {}): Promise<ImageRecord> {
  const store = engine.containers;
  const rec = store.get(ref);
  const base = engine.images.get(rec.Image);
  // every argument is checked before anything is written: a bad reference or change leaves no blobs
  const tags = o.reference ? [withDefaultTag(o.reference)] : [];
  for (const t of tags) parseReference(t);
  const config = { ...rec.Config };
  for (const change of o.changes ?? []) applyChange(config, change);
  const runtime = rec.HostConfig.Runtime || 'runc';
  const paused = o.pause !== false && store.state(rec.Id).Running && (await runtimeCmd(runtime, ['pause', rec.Id])).code === 0;
  let layer;
  try {
    const tar = await snapshotter(engine.root, rec.Driver).diffTar(rec.Id, rec.Layers);
    layer = await engine.images.ingestLayer(tar);
  } finally {
    if (paused) await runtimeCmd(runtime, ['resume', rec.Id]);
  }
  const created = nowRfc3339Nano();
  const containerConfig = { ...rec.Config };
  const bc = base.config;
  const image: ImageConfig = {
    architecture: bc.architecture,
    os: bc.os,
    ...(bc.variant ? { variant: bc.variant } : {}),
    ...(o.author ? { author: o.author } : {}),
    ...(o.message ? { comment: o.message } : {}),
    config,
    container: rec.Id,
    container_config: containerConfig,
    created,
    docker_version: '20.10.24',
    history: [
      ...(bc.history ?? []),
      {
        created,
        ...(o.author ? { author: o.author } : {}),
        created_by: (rec.Config.Cmd ?? []).join(' '),
        ...(o.message ? { comment: o.message } : {}),
      },
    ],
    rootfs: { type: 'layers', diff_ids: [...bc.rootfs.diff_ids, layer.diffId] },
  };
  return engine.images.addImage(image, { parent: rec.Image, tags });
}
