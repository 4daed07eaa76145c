/**
 * Streaming tar reader: ustar, GNU (long names `L`/`K`, base-256 numbers, sparse files) and
 * PAX (`x`, `g`, GNU's sparse 0.1 and 1.0 records; sparse handling in tar-sparse.ts).
 *
 * `TarReader` is the low-level pull API the hot paths (layer apply, size counting) use: body
 * bytes come out as zero-copy slices of the input chunks, with a promise only when a new input
 * chunk is needed. `readTar` wraps it into the friendlier `{ header, body: Readable }` stream.
 */
import { Readable } from 'node:stream';
import { corrupt, isWharfError } from '../core/errors.js';
import {
  BLOCK,
  applyPax,
  checksumOf,
  emptyHeader,
  parsePaxRecords,
  readNumber,
  readString,
  typeOfFlag,
  type TarHeader,
} from './tar-header.js';
import { check, gnuSlots, holeOf, paxMap01, paxSparseVersion, parseMap10, realSizeOf, type Segment } from './tar-sparse.js';

const MAX_META = 16 * 1024 * 1024; // a PAX or GNU long-name entry bigger than this is not sane

export class TarReader {
  private readonly it: AsyncIterator<Buffer>;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  /** Body bytes of the current entry not yet handed out, then its padding. */
  private bodyLeft = 0;
  private padLeft = 0;
  private readonly globalPax = new Map<string, Buffer>();
  private done = false;
  /** The current entry's sparse map while its body is read (holes come out as zeros). */
  private sparse: { segs: Segment[]; i: number; pos: number; real: number } | undefined;

  constructor(input: AsyncIterable<Buffer>) {
    this.it = input[Symbol.asyncIterator]();
  }

  /** The next entry's header, or null at the end of the archive (the input is then drained). */
  async next(): Promise<TarHeader | null> {
    if (this.done) return null;
    await this.skipBody();
    let longName: string | undefined;
    let longLink: string | undefined;
    let localPax: Map<string, Buffer> | undefined;
    for (;;) {
      const block = await this.readExact(BLOCK, true);
      if (block === null || isZeroBlock(block)) {
        await this.finish();
        return null;
      }
      verifyChecksum(block);
      const flag = String.fromCharCode(block[156]!);
      const size = readNumber(block, 124, 12);
      if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
        if (size > MAX_META) throw corrupt('corrupt tar: oversized metadata entry');
        const data = (await this.readExact(size, false))!;
        await this.skip(padOf(size));
        if (flag === 'L') longName = readString(data, 0, data.length);
        else if (flag === 'K') longLink = readString(data, 0, data.length);
        else if (flag === 'g') parseInto(data, this.globalPax, true);
        else parseInto(data, (localPax ??= new Map()), false);
        continue;
      }
      const h = parseBlock(block, flag, size);
      if (longName !== undefined) h.name = longName;
      if (longLink !== undefined) h.linkname = longLink;
      let sparse: { segments: Segment[]; realSize: number } | undefined;
      if (flag === 'S') {
        h.type = 'file';
        sparse = { segments: [], realSize: readNumber(block, 483, 12) };
        gnuSlots(block, 386, 4, sparse.segments);
        for (let ext = block[482] !== 0; ext; ) {
          const more = (await this.readExact(BLOCK, false))!;
          gnuSlots(more, 0, 21, sparse.segments);
          ext = more[504] !== 0;
        }
        check(sparse);
      }
      if (this.globalPax.size > 0 || localPax) {
        const merged = new Map(this.globalPax);
        if (localPax) for (const [k, v] of localPax) merged.set(k, v);
        applyPax(h, merged);
        const version = paxSparseVersion(merged);
        if (version) {
          const name = merged.get('GNU.sparse.name');
          if (name) h.name = name.toString('utf8');
          if (version === '0.1') sparse = paxMap01(merged);
          else {
            this.bodyLeft = h.size;
            sparse = await this.readMap10(realSizeOf(merged, 'GNU.sparse.realsize'));
            h.size = this.bodyLeft;
            this.bodyLeft = 0;
          }
        }
      }
      if (h.type === 'file' && h.typeflag === '\0' && h.name.endsWith('/')) h.type = 'dir';
      // only regular files (and unknown types) carry data; a hardlink's size field is ignored
      const dataSize = h.type === 'file' || h.type === 'unknown' ? h.size : 0;
      if (h.type !== 'file' && h.type !== 'unknown') h.size = h.type === 'hardlink' ? h.size : 0;
      this.bodyLeft = dataSize;
      this.padLeft = padOf(dataSize);
      if (sparse && h.type === 'file') {
        this.padLeft = padOf(this.bodyLeft + this.mapBytes);
        this.mapBytes = 0;
        this.sparse = { segs: sparse.segments, i: 0, pos: 0, real: sparse.realSize };
        h.size = sparse.realSize;
      }
      return h;
    }
  }

  /**
   * The next piece of the current body, or null when it is complete. Synchronous while the
   * current input chunk lasts, so small files cost no promise.
   */
  bodyChunk(): Buffer | null | Promise<Buffer | null> {
    if (this.sparse) return this.sparseChunk();
    if (this.bodyLeft === 0) return null;
    if (this.pos < this.buf.length) return this.sliceBody();
    return this.fill().then((ok) => {
      if (!ok) throw corrupt('corrupt tar: unexpected EOF');
      return this.sliceBody();
    });
  }

  /** Discards what is left of the current body and its padding. */
  async skipBody(): Promise<void> {
    this.sparse = undefined;
    const n = this.bodyLeft + this.padLeft;
    this.bodyLeft = 0;
    this.padLeft = 0;
    if (n > 0) await this.skip(n);
  }

  /** Stops early: releases the input (destroying it if it is a stream). */
  async close(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await this.it.return?.();
  }

  /** PAX 1.0 keeps its map at the start of the data: read it, leaving bodyLeft at the rest. */
  private mapBytes = 0;
  private async readMap10(realSize: number): Promise<{ segments: Segment[]; realSize: number }> {
    const parts: Buffer[] = [];
    for (;;) {
      if (this.bodyLeft < BLOCK) throw corrupt('corrupt tar: invalid sparse map');
      parts.push(Buffer.from((await this.readExact(BLOCK, false))!));
      this.bodyLeft -= BLOCK;
      this.mapBytes += BLOCK;
      const got = parseMap10(Buffer.concat(parts), realSize);
      if (got) return got.map;
      if (parts.length > 2048) throw corrupt('corrupt tar: sparse map too large');
    }
  }

  /** A sparse body: data from the archive inside segments, zeros (a hole slice) between them. */
  private sparseChunk(): Buffer | null | Promise<Buffer | null> {
    const s = this.sparse!;
    for (;;) {
      if (s.pos >= s.real) return null;
      const seg = s.segs[s.i];
      if (seg && s.pos >= seg.offset + seg.size) {
        s.i++;
        continue;
      }
      if (!seg || s.pos < seg.offset) {
        const hole = holeOf((seg ? seg.offset : s.real) - s.pos);
        s.pos += hole.length;
        return hole;
      }
      if (this.bodyLeft === 0) throw corrupt('corrupt tar: sparse map larger than its data');
      const limit = seg.offset + seg.size - s.pos;
      const take = () => {
        const out = this.sliceBody(limit);
        s.pos += out.length;
        return out;
      };
      if (this.pos < this.buf.length) return take();
      return this.fill().then((ok) => {
        if (!ok) throw corrupt('corrupt tar: unexpected EOF');
        return take();
      });
    }
  }

  private sliceBody(limit = Infinity): Buffer {
    const n = Math.min(this.bodyLeft, this.buf.length - this.pos, limit);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.bodyLeft -= n;
    return out;
  }

  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    for (;;) {
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        return false;
      }
      const chunk = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      if (chunk.length === 0) continue;
      this.buf = chunk;
      this.pos = 0;
      return true;
    }
  }

  /** Exactly n bytes; null at a clean EOF when `eofOk` and nothing was read. */
  private async readExact(n: number, eofOk: boolean): Promise<Buffer | null> {
    if (this.buf.length - this.pos >= n) {
      const out = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      if (this.pos >= this.buf.length && !(await this.fill())) {
        if (got === 0 && eofOk) return null;
        throw corrupt('corrupt tar: unexpected EOF');
      }
      const take = Math.min(n - got, this.buf.length - this.pos);
      parts.push(this.buf.subarray(this.pos, this.pos + take));
      this.pos += take;
      got += take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, n);
  }

  private async skip(n: number): Promise<void> {
    while (n > 0) {
      if (this.pos >= this.buf.length && !(await this.fill())) throw corrupt('corrupt tar: unexpected EOF');
      const take = Math.min(n, this.buf.length - this.pos);
      this.pos += take;
      n -= take;
    }
  }

  /** After the end marker: read the input to its end so producers (decoders, hashers) finish. */
  private async finish(): Promise<void> {
    this.done = true;
    this.pos = this.buf.length;
    while (await this.fill()) this.pos = this.buf.length;
  }
}

function padOf(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

function verifyChecksum(block: Buffer): void {
  const stored = readNumber(block, 148, 8);
  const { unsigned, signed } = checksumOf(block);
  if (stored !== unsigned && stored !== signed) throw corrupt('corrupt tar: header checksum mismatch');
}

function parseInto(data: Buffer, into: Map<string, Buffer>, global: boolean): void {
  const records = new Map<string, Buffer>();
  parsePaxRecords(data, records);
  for (const [k, v] of records) {
    if (global && v.length === 0) into.delete(k);
    else into.set(k, v);
  }
}

function parseBlock(block: Buffer, flag: string, size: number): TarHeader {
  const h = emptyHeader();
  h.typeflag = flag;
  h.type = typeOfFlag(flag);
  h.name = readString(block, 0, 100);
  h.mode = readNumber(block, 100, 8) & 0o7777;
  h.uid = readNumber(block, 108, 8);
  h.gid = readNumber(block, 116, 8);
  h.size = size;
  h.mtime = readNumber(block, 136, 12);
  h.linkname = readString(block, 157, 100);
  const magic = block.toString('latin1', 257, 263);
  if (magic === 'ustar\0' || magic === 'ustar ') {
    h.uname = readString(block, 265, 32);
    h.gname = readString(block, 297, 32);
    h.devmajor = readNumber(block, 329, 8);
    h.devminor = readNumber(block, 337, 8);
    // POSIX ustar keeps a path prefix here; GNU uses the same bytes for atime/ctime
    if (magic === 'ustar\0' && block[345] !== 0) h.name = `${readString(block, 345, 155)}/${h.name}`;
  }
  return h;
}

/**
 * Streams the entries of a tar. A body that is not consumed is drained automatically when the
 * next entry is requested. Corrupt or truncated input throws a WharfError with code 'CORRUPT'.
 */
export async function* readTar(
  input: AsyncIterable<Buffer> | Readable,
): AsyncGenerator<{ header: TarHeader; body: Readable }> {
  const reader = new TarReader(input as AsyncIterable<Buffer>);
  let body: EntryBody | undefined;
  try {
    for (;;) {
      if (body) {
        await body.detach();
        body = undefined; // finished with: a later error belongs to the reader, not to it
      }
      const header = await reader.next();
      if (!header) return;
      body = new EntryBody(reader);
      yield { header, body };
    }
  } catch (err) {
    body?.destroy(err as Error);
    throw isWharfError(err) ? err : corrupt(`corrupt tar: ${(err as Error).message}`, { cause: err });
  } finally {
    await reader.close();
  }
}

/** One entry's data as a Readable pulling from the shared reader. */
class EntryBody extends Readable {
  private pulling: Promise<void> | undefined;
  private detached = false;

  constructor(private readonly reader: TarReader) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _read(): void {
    if (this.pulling || this.detached) return;
    this.pulling = this.pull().finally(() => {
      this.pulling = undefined;
    });
  }

  private async pull(): Promise<void> {
    try {
      for (;;) {
        if (this.detached) return;
        let chunk = this.reader.bodyChunk();
        if (chunk instanceof Promise) chunk = await chunk;
        if (chunk === null) {
          this.push(null);
          return;
        }
        if (!this.push(chunk)) return;
      }
    } catch (err) {
      this.destroy(err as Error);
    }
  }

  /** Called before the reader moves on: waits for an in-flight pull, then lets go. */
  async detach(): Promise<void> {
    this.detached = true;
    await this.pulling;
    if (!this.readableEnded && !this.destroyed) {
      // unread data is dropped; a consumer still attached sees the stream end early
      this.push(null);
    }
  }
}
