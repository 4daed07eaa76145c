/**
 * The shared layer cache: each layer unpacked once per chain ID into `<root>/layers/<hex>/diff`.
 * Unpacking happens in a temp dir that is renamed into place, so a crash never leaves a
 * half-made layer and concurrent unpacks of the same chain both succeed (the loser's copy is dropped).
 */
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
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

/** Make sure the overlay-format diff of one layer exists; returns its path. */
export async function ensureLayer(root: string, layer: LayerRef): Promise<string> {
  const diff = layerDiffDir(root, layer.chainId);
  if (existsSync(diff)) return diff;
  const base = layersDir(root);
  mkdirSync(base, { recursive: true });
  const tmp = await mkdtemp(join(base, '.tmp-'));
  try {
    mkdirSync(join(tmp, 'diff'));
    const { applyLayer } = await import('./archive-bridge.js');
    await applyLayer(createReadStream(layer.path), join(tmp, 'diff'), { whiteouts: 'overlay' });
    try {
      renameSync(tmp, join(base, layer.chainId.replace(/^sha256:/, '')));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return diff;
}

/** Unpack every layer of a chain (bottom first); returns the diff dirs in the same order. */
export async function ensureChain(root: string, layers: LayerRef[]): Promise<string[]> {
  const out: string[] = [];
  for (const l of layers) out.push(await ensureLayer(root, l));
  return out;
}
