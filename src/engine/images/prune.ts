/** `image prune`: Docker's candidate rules and its space accounting (sizes of deleted layers). */
import type { ImageStore } from '../../image/store.js';
import { createdMs } from './filters.js';
import type { Filters } from '../../core/filters.js';
import type { DeleteRecord, ImageDeleter, UsageLookup } from './delete.js';

export function pruneImages(
  store: ImageStore,
  deleter: ImageDeleter,
  usage: UsageLookup,
  opts: { all?: boolean; filters: Filters },
): { deleted: DeleteRecord[]; spaceReclaimed: number } {
  opts.filters.checkKeys(['dangling', 'until', 'label', 'label!']);
  const danglingOnly = !opts.all && (opts.filters.get('dangling')?.[0] ?? 'true') !== 'false';
  const untilMs = opts.filters.until();
  const images = store.list();
  const parents = new Set(images.map((i) => i.parent));
  const layerSizes = new Map<string, number>();
  for (const img of images) for (const l of store.layerChain(img.id)) layerSizes.set(l.chainId, l.size);
  const candidates = images.filter((img) => {
    if (danglingOnly && parents.has(img.id)) return false; // Docker prunes only heads
    if (usage(img.id).length > 0) return false;
    if (untilMs !== undefined && createdMs(img) >= untilMs) return false;
    return opts.filters.matchLabels(img.labels);
  });
  const deleted: DeleteRecord[] = [];
  for (const img of candidates) {
    if (!store.exists(img.id)) continue; // already pruned as a parent
    try {
      if (img.tags.length || img.digests.length) {
        if (danglingOnly && img.tags.length) continue;
        for (const ref of [...img.tags, ...img.digests]) {
          if (store.exists(img.id)) deleted.push(...deleter.remove(ref.toString(), { prune: true }));
        }
      } else {
        deleted.push(...deleter.remove(img.id, { prune: true }));
      }
    } catch {
      // A conflict (e.g. a child appeared) leaves that image alone, as Docker does.
    }
  }
  let spaceReclaimed = 0;
  for (const d of deleted) if ('Deleted' in d) spaceReclaimed += layerSizes.get(d.Deleted) ?? 0;
  return { deleted, spaceReclaimed };
}
