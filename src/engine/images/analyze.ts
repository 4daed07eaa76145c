/**
 * `image analyze` (ours, beyond Docker): per layer, the bytes it adds and the bytes it
 * wastes, that is, file content a later layer overwrites or deletes, so it is shipped and
 * stored but never visible in a container.
 */
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { readTar } from '../../archive/tar.js';
import type { ImageStore } from '../../image/store.js';
import type { ImageRecord } from '../../image/types.js';

export interface LayerWaste {
  diffId: string;
  createdBy: string;
  size: number;
  wasted: number;
  /** The biggest wasted paths of this layer, largest first. */
  topWasted: { path: string; size: number }[];
}

export interface ImageAnalysis {
  id: string;
  size: number;
  wasted: number;
  layers: LayerWaste[];
}

interface Owner {
  layer: number;
  size: number;
}

export async function analyzeImage(store: ImageStore, img: ImageRecord): Promise<ImageAnalysis> {
  const chain = store.layerChain(img.id);
  const createdBy = (img.config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? h.comment ?? '');
  const live = new Map<string, Owner>();
  const wastedPaths: { path: string; size: number }[][] = chain.map(() => []);
  const waste = (path: string, owner: Owner) => wastedPaths[owner.layer]!.push({ path, size: owner.size });
  const removeTree = (dir: string, layer: number) => {
    const prefix = dir === '' ? '' : dir + '/';
    for (const [p, owner] of live) {
      if (owner.layer < layer && (p === dir || p.startsWith(prefix))) {
        waste(p, owner);
        live.delete(p);
      }
    }
  };
  for (let i = 0; i < chain.length; i++) {
    for await (const { header, body } of readTar(createReadStream(chain[i]!.path, { highWaterMark: 1 << 20 }))) {
      body.on('error', () => undefined); // a parse error also ends the loop below
      body.resume();
      const path = posix.normalize(header.name).replace(/^(\.\/|\/)+/, '').replace(/\/$/, '');
      const base = posix.basename(path);
      const dir = posix.dirname(path) === '.' ? '' : posix.dirname(path);
      if (base === '.wh..wh..opq') {
        removeTree(dir, i);
        continue;
      }
      if (base.startsWith('.wh.')) {
        removeTree(posix.join(dir, base.slice(4)), i);
        continue;
      }
      if (header.type === 'dir') continue;
      const previous = live.get(path);
      if (previous && previous.layer < i) waste(path, previous);
      const size = header.type === 'file' ? header.size : header.type === 'symlink' ? Buffer.byteLength(header.linkname) : 0;
      live.set(path, { layer: i, size });
    }
  }
  const layers = chain.map((l, i) => {
    const paths = wastedPaths[i]!.sort((a, b) => b.size - a.size);
    return { diffId: l.diffId, createdBy: createdBy[i] ?? '', size: l.size, wasted: paths.reduce((n, p) => n + p.size, 0), topWasted: paths.slice(0, 5) };
  });
  return { id: img.id, size: img.size, wasted: layers.reduce((n, l) => n + l.wasted, 0), layers };
}
