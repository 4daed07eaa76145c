/**
 * `--squash`: the build's own layers become one layer on top of the base image's, as
 * dockerd's experimental squash does. The layers are applied in order into a private temp
 * dir with overlayfs' whiteout markers (the safe layer-apply code), and that dir is read
 * back as one layer. History is kept: the build's entries become empty, and a last entry
 * says what was merged.
 */
import { createReadStream, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '../core/digest.js';
import type { ImageStore } from '../image/store.js';
import type { ImageConfig } from '../image/types.js';
import type { FsView } from '../archive/layer-stack.js';
import { imageView } from './copy-step.js';

export interface SquashInput {
  id: string;
  baseId: string;
  baseLayers: number;
  baseHistory: number;
  created: string;
}

export async function squashImage(root: string, images: ImageStore, s: SquashInput): Promise<string> {
  const { id, baseLayers, created } = s;
  const rec = images.record(id as Digest);
  const chain = images.layerChain(id);
  if (chain.length <= baseLayers) return id;
  const { applyLayer } = await import('../archive/apply.js');
  const { tarOverlayUpper } = await import('../archive/diff.js');
  const dir = mkdtempSync(join(tmpdir(), 'wharf-squash-'));
  try {
    for (const l of chain.slice(baseLayers)) await applyLayer(createReadStream(l.path), dir, { whiteouts: 'overlay' });
    await dropDanglingWhiteouts(dir, await imageView(root, chain.slice(0, baseLayers)));
    const layer = await images.ingestLayer(tarOverlayUpper(dir));
    const cfg = rec.config;
    const baseDiffIds = cfg.rootfs.diff_ids.slice(0, baseLayers);
    const history = cfg.history ?? [];
    const cut = s.baseHistory;
    const parent = s.baseId;
    const squashed: ImageConfig = {
      ...cfg,
      created,
      history: [
        ...history.slice(0, cut),
        ...history.slice(cut).map((h) => ({ ...h, empty_layer: true })),
        { created, created_by: '', comment: `merge ${id} to ${parent}` },
      ],
      rootfs: { type: 'layers', diff_ids: [...baseDiffIds, layer.diffId] },
    };
    delete (squashed as Record<string, unknown>).container;
    return images.addImage(squashed, { parent }).id;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A whiteout of a path the base lacks (something the build added, then removed) hides nothing. */
async function dropDanglingWhiteouts(dir: string, base: FsView | undefined): Promise<void> {
  const walk = (rel: string) => {
    for (const n of readdirSync(rel ? `${dir}/${rel}` : dir)) {
      const p = rel ? `${rel}/${n}` : n;
      const st = lstatSync(`${dir}/${p}`);
      if (st.isCharacterDevice() && st.rdev === 0) {
        if (!base?.lstat('/' + p)) rmSync(`${dir}/${p}`);
      } else if (st.isDirectory()) walk(p);
    }
  };
  walk('');
}
