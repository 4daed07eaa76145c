/**
 * `commit` as the front ends call it: under a lease, so the new layer cannot be swept by a
 * concurrent `system check --prune` between its ingest and the image row that keeps it.
 */
import type { ImageRecord } from '../../image/types.js';
import type { Engine } from '../engine.js';
import { commitContainer as commit, type CommitOptions } from './commit.js';

export type { CommitOptions } from './commit.js';

export function commitContainer(engine: Engine, ref: string, o: CommitOptions = {}): Promise<ImageRecord> {
  return engine.withLease(() => commit(engine, ref, o));
}
