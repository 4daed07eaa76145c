/**
 * Layer tars rewritten entry by entry (times clamped, mount points dropped, an archive's
 * entries re-rooted): `map` gives the header to write, or null to drop the entry.
 */
import type { Readable } from 'node:stream';
import { readTar } from '../archive/tar-reader.js';
import { TarWriter } from '../archive/tar-writer.js';
import type { TarHeader } from '../archive/tar-header.js';

export type EntryMap = (h: TarHeader) => TarHeader | null;

/** Copy the entries of `input` into `w` (which stays open). */
export async function copyEntries(w: TarWriter, input: Readable, map: EntryMap): Promise<void> {
  for await (const { header, body } of readTar(input)) {
    const h = map(header);
    if (h && h.type === 'file') {
      await w.add(h, body);
      continue;
    }
    body.resume();
    if (h) await w.add(h);
  }
}

/** A new tar with the mapped entries of `input`. */
export function retar(input: Readable, map: EntryMap): Readable {
  const w = new TarWriter();
  copyEntries(w, input, map)
    .then(() => w.finish())
    .catch((err: Error) => w.abort(err));
  return w.stream;
}
