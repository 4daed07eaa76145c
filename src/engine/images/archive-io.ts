/**
 * `save` and `load` with the engine first, as the front ends call them: save checks every
 * name before writing a byte (so a bad one leaves no partial archive), load streams an
 * archive into the store (transport/load.ts holds its own lease).
 */
import type { Readable, Writable } from 'node:stream';
import { loadArchive, type LoadedImage } from '../../transport/load.js';
import { resolveSaveItems, saveImages as save, type SaveItem } from '../../transport/save.js';
import type { Engine } from '../engine.js';

export type { LoadedImage } from '../../transport/load.js';

/** The images `refs` name, resolved now: throws for an unknown one before anything is written. */
export function saveItems(engine: Engine, refs: string[]): SaveItem[] {
  return resolveSaveItems(engine.images, refs);
}

export function saveImages(engine: Engine, items: SaveItem[], out: Writable): Promise<void> {
  return save(engine.images, items, out);
}

/** `signal` cancels the load: the input is destroyed, nothing half-made becomes visible. */
export function loadImages(engine: Engine, input: Readable, o: { signal?: AbortSignal } = {}): Promise<LoadedImage[]> {
  o.signal?.throwIfAborted();
  const onAbort = () => input.destroy(o.signal!.reason as Error);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  return loadArchive(engine.images, input).finally(() => o.signal?.removeEventListener('abort', onAbort));
}
