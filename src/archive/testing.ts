/** Helpers shared by the archive tests (kept out of *.test.ts so each test file can import them). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readTar } from './tar-reader.js';
import { TarWriter } from './tar-writer.js';
import type { TarHeader, TarHeaderInput } from './tar-header.js';

/** A real VFS_CAP_REVISION_2 blob (cap_net_bind_service): binary, with NULs. */
export const CAP_BLOB = Buffer.from([1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

export async function drain(s: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export async function tarOf(entries: [TarHeaderInput, Buffer?][]): Promise<Buffer> {
  const w = new TarWriter();
  const done = (async () => {
    for (const [h, b] of entries) await w.add(h, b);
    await w.finish();
  })();
  const out = await drain(w.stream);
  await done;
  return out;
}

export async function entriesOf(input: AsyncIterable<Buffer> | Readable): Promise<{ header: TarHeader; data: Buffer }[]> {
  const out: { header: TarHeader; data: Buffer }[] = [];
  for await (const { header, body } of readTar(input)) out.push({ header, data: await drain(body) });
  return out;
}

export function tmpDir(t: { after: (fn: () => void) => void }, prefix = 'wharf-archive-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const isRoot = process.getuid?.() === 0;
