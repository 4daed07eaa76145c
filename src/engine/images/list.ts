/** `images`: which images show, in Docker's order, with its filters. */
import type { ImageStore, ImageSummary } from '../../image/store.js';
import { invalidArgument } from '../../core/errors.js';
import { checkFilterKeys, createdMs, matchLabels, pathMatch, type Filters } from './filters.js';

export function listImages(store: ImageStore, opts: { all?: boolean; filters: Filters; nameArg?: string }): ImageSummary[] {
  const { filters } = opts;
  checkFilterKeys(filters, ['dangling', 'label', 'label!', 'before', 'since', 'reference', 'until']);
  const images = store.list();
  const parents = new Set(images.map((i) => i.parent).filter(Boolean));
  const danglingVals = filters.get('dangling') ?? [];
  for (const v of danglingVals) if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw invalidArgument(`invalid filter 'dangling=${v}'`);
  const dangling = danglingVals.length ? ['true', '1'].includes(danglingVals[0]!.toLowerCase()) : undefined;
  const bound = (key: string) => {
    const v = filters.get(key)?.[0];
    if (v === undefined) return undefined;
    const id = store.resolveId(v);
    if (!id) throw invalidArgument(`No such image: ${v}`);
    return createdMs(images.find((i) => i.id === id)!);
  };
  const before = bound('before');
  const since = bound('since');
  const refPatterns = [...(filters.get('reference') ?? []), ...(opts.nameArg ? [opts.nameArg] : [])];
  const out = images.filter((img) => {
    const untagged = img.tags.length === 0;
    if (!opts.all && untagged && parents.has(img.id) && dangling === undefined) return false;
    if (dangling === true && !untagged) return false;
    if (dangling === false && untagged) return false;
    if (!matchLabels(img.labels, filters)) return false;
    if (before !== undefined && createdMs(img) >= before) return false;
    if (since !== undefined && createdMs(img) <= since) return false;
    if (refPatterns.length) {
      const names = [...img.tags, ...img.digests].flatMap((r) => [r.familiarName, r.familiarString()]);
      if (!refPatterns.some((p) => names.some((n) => pathMatch(p, n) || (!p.includes(':') && pathMatch(p, n.split(':')[0]!))))) return false;
    }
    return true;
  });
  return out.sort((a, b) => createdMs(b) - createdMs(a) || (a.id < b.id ? -1 : 1));
}
