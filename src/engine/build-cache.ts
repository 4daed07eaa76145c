/**
 * The build cache that is not images: `RUN --mount=type=cache` directories under the data
 * root. `system df` counts them on its Build Cache line; `builder prune` removes them (the
 * classic builder's cached steps are intermediate images: `image prune` and `rmi` own them).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { diskUsage as pathSize } from './containers/list.js';

const cacheRoot = (root: string) => join(root, 'build-cache', 'mounts');

export interface BuildCacheEntry {
  id: string;
  size: number;
}

export function buildCacheEntries(root: string): BuildCacheEntry[] {
  const dir = cacheRoot(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((id) => ({ id, size: pathSize(join(dir, id)) }));
}

/** The `system df` row (none of it is in use between builds, so all of it is reclaimable). */
export function buildCacheRow(root: string): { type: string; total: number; active: number; size: number; reclaimable: number } {
  const entries = buildCacheEntries(root);
  const size = entries.reduce((n, e) => n + e.size, 0);
  return { type: 'Build Cache', total: entries.length, active: 0, size, reclaimable: size };
}

export function pruneBuildCache(root: string): { deleted: string[]; reclaimed: number } {
  const entries = buildCacheEntries(root);
  for (const e of entries) rmSync(join(cacheRoot(root), e.id), { recursive: true, force: true });
  return { deleted: entries.map((e) => e.id), reclaimed: entries.reduce((n, e) => n + e.size, 0) };
}
