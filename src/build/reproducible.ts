/**
 * SOURCE_DATE_EPOCH builds (BuildKit's rewrite-timestamp, beyond the classic builder): every
 * layer's file times are clamped to the epoch, `created` is the epoch, and the step's
 * "container" ID is derived from the step instead of drawn at random, so the same
 * Dockerfile and context give the same image ID on any machine.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Digest } from '../core/digest.js';
import { retar } from './retar.js';
import type { BuildRun } from './executor.js';
import { newContainerId } from './commit.js';

/** The layer with every mtime past `epoch` set to it. */
export function clampTimes(tar: Readable, epoch: number): Readable {
  return retar(tar, (h) => ({ ...h, mtime: Math.min(h.mtime, epoch) }));
}

/** Store a step's layer (times clamped for a reproducible build). */
export function ingestStepLayer(run: BuildRun, tar: Readable): Promise<{ diffId: Digest }> {
  const e = run.opts.sourceDateEpoch;
  return run.backend.images.ingestLayer(e === undefined ? tar : clampTimes(tar, e));
}

/** A step's container ID: random, or derived from the parent and the step when reproducible. */
export function stepContainerId(run: BuildRun, parent: string, cmd: readonly string[] | null | undefined): string {
  if (run.opts.sourceDateEpoch === undefined) return newContainerId();
  return createHash('sha256').update(`${parent}\n${JSON.stringify(cmd ?? [])}`).digest('hex');
}
