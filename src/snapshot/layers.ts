/**
 * The shared layer cache: each layer unpacked once per chain ID into `<root>/layers/<hex>/diff`.
 *
 * - Unpacking happens in a temp dir (`.tmp-*`), by the confined worker (chrooted into it),
 *   and the dir is renamed into place only after the whole layer was applied, with
 *   `complete.json` beside `diff` recording what the tree holds (entries, bytes): a crash
 *   never leaves a half-made layer under its real name, and concurrent unpacks of the same
 *   chain both succeed (the loser's copy is dropped).
 * - Deleting renames the dir aside first (`.del-*`), then removes it: a delete killed midway
 *   leaves only a `.del-*` dir, never a partial tree under the layer's name.
 * - A layer dir without its record (an older wharf's, or damage) is not trusted: it is moved
 *   aside and unpacked again. `system check` compares each tree with its record.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { LayerRef } from '../image/types.js';
import { randomBytes } from '../core/random.js';
import { countTree } from '../archive/confined-ops.js';

export function layersDir(root: string): string {
  return join(root, 'layers');
}

const hexOf = (chainId: string) => chainId.replace(/^sha256:/, '');

export function layerDiffDir(root: string, chainId: string): string {
  return join(layersDir(root), hexOf(chainId), 'diff');
}

export interface LayerRecord {
  entries: number;
  bytes: number;
}

const RECORD = 'complete.json';

export function layerRecord(root: string, chainId: string): LayerRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(layersDir(root), hexOf(chainId), RECORD), 'utf8')) as LayerRecord;
  } catch {
    return undefined;
  }
}

/** Rename aside, then delete: the layer's name never shows a partial tree. */
function moveAsideAndRemove(root: string, dir: string): void {
  const aside = join(layersDir(root), `.del-${randomBytes(8).toString('hex')}`);
  try {
    renameSync(dir, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  rmSync(aside, { recursive: true, force: true });
}

/** Drop the unpacked copy of a chain no image uses any more. */
export function removeLayerDir(root: string, chainId: string): void {
  moveAsideAndRemove(root, join(layersDir(root), hexOf(chainId)));
}

/** What killed processes left: half-unpacked (`.tmp-*`) and half-deleted (`.del-*`) dirs. */
export function leftoverLayerDirs(root: string): string[] {
  try {
    return readdirSync(layersDir(root)).filter((n) => n.startsWith('.tmp-') || n.startsWith('.del-')).map((n) => join(layersDir(root), n));
  } catch {
    return [];
  }
}

/**
 * `system check`: every unpacked layer must hold what its record says (a half-deleted or
 * damaged tree is an error; `prune` moves such trees and killed processes' leftovers away,
 * and the layer is unpacked again on next use).
 */
export function checkLayerDirs(root: string, prune: boolean): { checked: number; errors: string[]; leftovers: number } {
  const errors: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(layersDir(root)).filter((n) => !n.startsWith('.'));
  } catch {}
  for (const hex of names) {
    const dir = join(layersDir(root), hex);
    const rec = layerRecord(root, hex);
    let problem: string | undefined;
    if (!rec) problem = 'not marked complete';
    else {
      let got: LayerRecord | undefined;
      try {
        got = countTree(join(dir, 'diff'));
      } catch {}
      if (!got) problem = 'unpacked tree missing';
      else if (got.entries !== rec.entries || got.bytes !== rec.bytes) {
        problem = `unpacked tree has ${got.entries} entries and ${got.bytes} bytes, its record ${rec.entries} and ${rec.bytes}`;
      }
    }
    if (!problem) continue;
    errors.push(`layer sha256:${hex}: ${problem}`);
    if (prune) moveAsideAndRemove(root, dir);
  }
  const leftovers = leftoverLayerDirs(root);
  if (prune) for (const d of leftovers) rmSync(d, { recursive: true, force: true });
  return { checked: names.length, errors, leftovers: leftovers.length };
}

/**
 * One layer being unpacked (by the confined worker) into a temp dir beside the cache, with
 * its completeness record: `commit` renames it into place (a concurrent unpack of the same
 * chain that won first is kept, the loser dropped), `discard` drops it. Pull unpacks this way
 * while it downloads, committing only once the image is stored; the first run unpacks what
 * is still missing.
 */
export class StagedLayer {
  private constructor(
    private readonly dir: string,
    private readonly tmp: string,
  ) {}

  /** A staging dir for `chainId`, or undefined when the chain is already unpacked whole. */
  static async begin(root: string, chainId: string): Promise<StagedLayer | undefined> {
    const dir = join(layersDir(root), hexOf(chainId));
    if (existsSync(join(dir, RECORD))) return undefined;
    if (existsSync(dir)) moveAsideAndRemove(root, dir);
    const base = layersDir(root);
    mkdirSync(base, { recursive: true });
    const tmp = await mkdtemp(join(base, '.tmp-'));
    mkdirSync(join(tmp, 'diff'));
    return new StagedLayer(dir, tmp);
  }

  /**
   * Unpack a layer tar (overlay whiteouts) into the staging dir, and record what it holds; a
   * file descriptor becomes the worker's stdin, so the bytes never pass through this process.
   */
  async apply(tar: Readable | number): Promise<void> {
    const { confinedApply } = await import('../archive/confined.js');
    const r = await confinedApply(tar, join(this.tmp, 'diff'), { whiteouts: 'overlay' }, true);
    writeFileSync(join(this.tmp, RECORD), JSON.stringify(r.count));
  }

  commit(): void {
    try {
      renameSync(this.tmp, this.dir);
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

/** Make sure the overlay-format diff of one layer exists, whole; returns its path. */
export async function ensureLayer(root: string, layer: LayerRef): Promise<string> {
  const staged = await StagedLayer.begin(root, layer.chainId);
  if (staged) {
    try {
      const fd = openSync(layer.path, 'r');
      try {
        await staged.apply(fd);
      } finally {
        closeSync(fd);
      }
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
