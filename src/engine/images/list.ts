/** `images`: which images show, in Docker's order, with its filters. */
import { missingImageName, type ImageStore, type ImageSummary } from '../../image/store.js';
import { invalidArgument, notFound } from '../../core/errors.js';
import { createdMs, pathMatch } from './filters.js';
import type { Filters } from '../../core/filters.js';

export type { ImageSummary } from '../../image/store.js';

export function listImages(store: ImageStore, opts: { all?: boolean; filters: Filters; nameArg?: string }): ImageSummary[] {
  const { filters } = opts;
  filters.checkKeys(['dangling', 'label', 'label!', 'before', 'since', 'reference', 'until']);
  const images = store.list();
  const parents = new Set(images.map((i) => i.parent).filter(Boolean));
  const danglingVals = filters.get('dangling') ?? [];
  // Docker accepts exactly `true` or `false` (its ExactMatch), and says which values it got.
  if (danglingVals.some((v) => v !== 'true' && v !== 'false') || new Set(danglingVals).size > 1) {
    throw invalidArgument(`Invalid filter 'dangling=[${danglingVals.join(' ')}]'`);
  }
  const dangling = danglingVals.length ? danglingVals[0] === 'true' : undefined;
  const bound = (key: string) => {
    const v = filters.get(key)?.[0];
    if (v === undefined) return undefined;
    const id = store.resolveId(v);
    if (!id) throw notFound(`No such image: ${missingImageName(v)}`);
    return createdMs(images.find((i) => i.id === id)!);
  };
  const before = bound('before');
  const since = bound('since');
  const refPatterns = [...(filters.get('reference') ?? []), ...(opts.nameArg ? [opts.nameArg] : [])];
  // Docker's FamiliarMatch: the pattern against `name:tag` (or `name@digest`), then the bare name.
  const matches = (r: ImageSummary['tags'][number]) => refPatterns.some((p) => pathMatch(p, r.familiarString()) || pathMatch(p, r.familiarName));
  const out: ImageSummary[] = [];
  for (const found of images) {
    if (before !== undefined && createdMs(found) >= before) continue;
    if (since !== undefined && createdMs(found) <= since) continue;
    if (!filters.matchLabels(found.labels)) continue;
    // With a reference filter an image lists only the names that match it, as Docker does.
    const img = refPatterns.length ? { ...found, tags: found.tags.filter(matches), digests: found.digests.filter(matches) } : found;
    if (img.tags.length === 0 && img.digests.length === 0) {
      // Dangling: shown unless it is an intermediate image (without -a), or filters exclude it.
      if (!opts.all && parents.has(img.id)) continue;
      // dockerd looks for dangling images among the heads only: a parent is never dangling, -a or not.
      if (dangling === true && parents.has(img.id)) continue;
      if (dangling === false || refPatterns.length) continue;
    } else if (dangling === true && img.tags.length > 0) continue;
    out.push(img);
  }
  const created = new Map(out.map((i) => [i.id, createdMs(i)]));
  return out.sort((a, b) => created.get(b.id)! - created.get(a.id)! || (a.id < b.id ? -1 : 1));
}

