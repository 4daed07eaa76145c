/**
 * The shared layer cache: each layer unpacked once per chain ID into `<root>/layers/<hex>/diff`.
 * Unpacking happens in a temp dir that is renamed into place, so a crash never leaves a
 * half-made layer and concurrent unpacks of the same chain both succeed (the loser's copy is dropped).
 */
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { LayerRef } from '../image/types.js';

export function layersDir(root: string): string {
  return join(root, 'layers');
}

export function layerDiffDir(root: string, chainId: string): string {
  return join(layersDir(root), chainId.replace(/^sha256:/, ''), 'diff');
}

/** Drop the unpacked copy of a chain no image uses any more. */
export function removeLayerDir(root: string, chainId: string): void {
  rmSync(join(layersDir(root), chainId.replace(/^sha256:/, '')), { recursive: true, force: true });
}

/**
 * One layer being unpacked into a temp dir beside the cache: `commit` renames it into place
 * (a concurrent unpack of the same chain that won first is kept, the loser dropped),
 * `discard` drops it. Pull unpacks this way while it downloads, committing only once the
 * layer's diff ID and the image are verified; the first run unpacks what is still missing.
 */
export class StagedLayer {
  private constructor(
    private readonly root: string,
    private readonly chainId: string,
    private readonly tmp: string,
  ) {}

  /** A staging dir for `chainId`, or undefined when the chain is already unpacked. */
  static async begin(root: string, chainId: string): Promise<StagedLayer | undefined> {
    if (existsSync(layerDiffDir(root, chainId))) return undefined;
    const base = layersDir(root);
    mkdirSync(base, { recursive: true });
    const tmp = await mkdtemp(join(base, '.tmp-'));
    mkdirSync(join(tmp, 'diff'));
    return new StagedLayer(root, chainId, tmp);
  }

  /** Unpack a layer tar stream (overlay whiteouts) into the staging dir. */
  async apply(tar: Readable): Promise<void> {
    const { applyLayer } = await import('./archive-bridge.js');
    await applyLayer(tar, join(this.tmp, 'diff'), { whiteouts: 'overlay' });
  }

  commit(): void {
    try {
      renameSync(this.tmp, join(layersDir(this.root), this.chainId.replace(/^sha256:/, '')));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    } finally {
      this.discard();
    }
  }

  discard(): void {
    rmSync(this.tmp, { recursive: true, force: true });
  }
}

/** Make sure the overlay-format diff of one layer exists; returns its path. */
export async function ensureLayer(root: string, layer: LayerRef): Promise<string> {
  const staged = await StagedLayer.begin(root, layer.chainId);
  if (staged) {
    try {
      await staged.apply(createReadStream(layer.path));
      staged.commit();
    } finally {
      staged.discard();
    }
  }
  return layerDiffDir(root, layer.chainId);
}

/** Unpack every layer of a chain (bottom first); returns the diff dirs in the same order. */
export async function ensureChain(root: string, layers: LayerRef[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of layers) out.push(await ensureLayer(root, l));
  return out;
}
