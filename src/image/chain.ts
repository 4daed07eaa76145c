/** OCI ChainIDs: identity of a stack of layers, used to share unpacked snapshots. */
import { digestOf, type Digest } from '../core/digest.js';

export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? diffId : digestOf(`${prev} ${diffId}`));
  }
  return out;
}
