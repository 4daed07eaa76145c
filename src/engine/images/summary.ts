/** Images as the Engine API lists them (Docker's ImageSummary). */
import type { ImageSummary } from '../../image/store.js';

export const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000) || 0;

/** Docker's ImageSummary; a dangling image lists `<none>` names, as dockerd 20.10 does. */
export function imageSummary(img: ImageSummary, containers = -1): Record<string, unknown> {
  const dangling = !img.tags.length && !img.digests.length;
  return {
    Containers: containers,
    Created: unixSeconds(img.created),
    Id: img.id,
    Labels: Object.keys(img.labels).length ? img.labels : null,
    ParentId: img.parent,
    RepoDigests: dangling ? ['<none>@<none>'] : img.digests.length ? img.digests.map((d) => d.familiarString()) : null,
    RepoTags: dangling ? ['<none>:<none>'] : img.tags.length ? img.tags.map((t) => t.familiarString()) : null,
    SharedSize: -1,
    Size: img.size,
    VirtualSize: img.size,
  };
}

