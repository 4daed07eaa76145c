/**
 * Streaming tar writer producing POSIX ustar blocks with PAX extended headers where ustar
 * cannot hold a value (long or non-ASCII names, big sizes/ids, xattrs as `SCHILY.xattr.NAME`).
 *
 * Output is byte-deterministic for the same input: a layer's diffID is the digest of these
 * bytes, so PAX records are sorted, mtimes are whole seconds, access/change times are dropped
 * (as Docker does) and the PAX header itself carries no time or owner.
 */
import { Readable } from 'node:stream';
import { invalidArgument } from '../core/errors.js';
import {
  BLOCK,
  checksumOf,
  completeHeader,
  fitsOctal,
  isAscii,
  paxRecord,
  writeNumber,
  type TarHeader,
  type TarHeaderInput,
} from './tar-header.js';

const ZERO_BLOCKS = Buffer.alloc(BLOCK * 2);
/** PAX keys the writer derives from the header; copies in `header.pax` are ignored. */
const DERIVED_KEYS = new Set(['path', 'linkpath', 'size', 'uid', 'gid', 'uname', 'gname', 'mtime', 'atime', 'ctime']);

export class TarWriter {
  readonly stream: Readable;
  private waiting: (() => void) | undefined;
  private closedError: Error | undefined;
  private finished = false;

  constructor(options: { highWaterMark?: number } = {}) {
    this.stream = new Readable({
      highWaterMark: options.highWaterMark ?? 1024 * 1024,
      read: () => this.wake(),
      destroy: (err, cb) => {
        this.closedError = err ?? new Error('tar stream closed by its consumer');
        this.wake();
        cb(err);
      },
    });
  }

  /** Appends one entry. Resolves when the consumer has room for more. */
  async add(input: TarHeaderInput, body?: Buffer | Readable | AsyncIterable<Buffer>): Promise<void> {
    if (this.finished) throw new Error('TarWriter: add after finish');
    const h = completeHeader(input);
    if (Buffer.isBuffer(body) && input.size === undefined) h.size = body.length;
    if (h.type !== 'file' && h.type !== 'unknown') h.size = 0;
    if (h.type === 'dir' && !h.name.endsWith('/')) h.name += '/';
    await this.push(encodeHeader(h));
    if (h.size === 0) return;
    if (body === undefined) throw invalidArgument(`tar: no body given for ${h.name} (${h.size} bytes)`);
    if (Buffer.isBuffer(body)) {
      if (body.length !== h.size) throw invalidArgument(`tar: ${h.name}: body is ${body.length} bytes, header says ${h.size}`);
      await this.push(body);
    } else {
      let written = 0;
      for await (const chunk of body) {
        written += chunk.length;
        if (written > h.size) throw invalidArgument(`tar: ${h.name}: body longer than ${h.size} bytes`);
        await this.push(chunk);
      }
      if (written !== h.size) throw invalidArgument(`tar: ${h.name}: body is ${written} bytes, header says ${h.size}`);
    }
    const pad = (BLOCK - (h.size % BLOCK)) % BLOCK;
    if (pad) await this.push(ZERO_BLOCKS.subarray(0, pad));
  }

  /** Writes the two zero blocks and ends the stream. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    await this.push(ZERO_BLOCKS);
    this.stream.push(null);
  }

  /** Ends the stream with an error (the producer failed). */
  abort(err: Error): void {
    this.finished = true;
    this.stream.destroy(err);
  }

  private async push(chunk: Buffer): Promise<void> {
    if (this.closedError) throw this.closedError;
    if (this.stream.push(chunk)) return;
    await new Promise<void>((resolve) => (this.waiting = resolve));
    if (this.closedError) throw this.closedError;
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
}

/** The header block(s) for one entry: an optional PAX header entry, then the ustar block. */
export function encodeHeader(h: TarHeader): Buffer {
  const pax: Buffer[] = [];
  const records = new Map<string, Buffer | string>();
  const block = Buffer.alloc(BLOCK);

  const nameBytes = Buffer.from(h.name, 'utf8');
  let prefix: Buffer | undefined;
  let name: Buffer = nameBytes;
  if (!isAscii(h.name)) records.set('path', h.name);
  else if (nameBytes.length > 100) {
    const split = splitUstarName(nameBytes);
    if (split) [prefix, name] = split;
    else records.set('path', h.name);
  }
  const linkBytes = Buffer.from(h.linkname, 'utf8');
  if (!isAscii(h.linkname) || linkBytes.length > 100) records.set('linkpath', h.linkname);
  if (!fitsOctal(h.size, 12)) records.set('size', String(h.size));
  if (!fitsOctal(h.uid, 8)) records.set('uid', String(h.uid));
  if (!fitsOctal(h.gid, 8)) records.set('gid', String(h.gid));
  const mtime = Math.floor(h.mtime);
  if (!fitsOctal(mtime, 12)) records.set('mtime', String(mtime));
  if (!isAscii(h.uname) || Buffer.byteLength(h.uname) > 32) records.set('uname', h.uname);
  if (!isAscii(h.gname) || Buffer.byteLength(h.gname) > 32) records.set('gname', h.gname);
  for (const [k, v] of h.pax) if (!DERIVED_KEYS.has(k) && !k.startsWith('SCHILY.xattr.')) records.set(k, v);
  for (const [k, v] of h.xattrs) records.set(`SCHILY.xattr.${k}`, v);

  if (records.size > 0) {
    const keys = [...records.keys()].sort();
    const data = Buffer.concat(keys.map((k) => paxRecord(k, records.get(k)!)));
    const paxBlock = Buffer.alloc(BLOCK);
    const paxName = paxHeaderName(h.name);
    paxBlock.write(paxName, 0, 100, 'utf8');
    fillBlock(paxBlock, 0o644, 0, 0, data.length, 0, 'x', '', '', '', 0, 0);
    pax.push(paxBlock, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }

  name.copy(block, 0, 0, Math.min(name.length, 100));
  if (prefix) prefix.copy(block, 345);
  fillBlock(
    block,
    h.mode & 0o7777,
    h.uid,
    h.gid,
    h.size,
    mtime,
    h.typeflag,
    records.has('linkpath') ? '' : h.linkname,
    records.has('uname') ? '' : h.uname,
    records.has('gname') ? '' : h.gname,
    h.devmajor,
    h.devminor,
  );
  return pax.length ? Buffer.concat([...pax, block]) : block;
}

function fillBlock(
  block: Buffer,
  mode: number,
  uid: number,
  gid: number,
  size: number,
  mtime: number,
  flag: string,
  linkname: string,
  uname: string,
  gname: string,
  devmajor: number,
  devminor: number,
): void {
  writeNumber(block, 100, 8, mode);
  writeNumber(block, 108, 8, fitsOctal(uid, 8) ? uid : 0);
  writeNumber(block, 116, 8, fitsOctal(gid, 8) ? gid : 0);
  writeNumber(block, 124, 12, size);
  writeNumber(block, 136, 12, mtime);
  block.write(flag, 156, 1, 'latin1');
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\x0000', 257, 8, 'latin1');
  block.write(uname, 265, 32, 'utf8');
  block.write(gname, 297, 32, 'utf8');
  writeNumber(block, 329, 8, devmajor);
  writeNumber(block, 337, 8, devminor);
  const sum = checksumOf(block).unsigned;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
}

/** Splits a long ASCII name into ustar prefix (<=155) and name (<=100) at a slash. */
function splitUstarName(name: Buffer): [Buffer, Buffer] | undefined {
  const limit = Math.min(name.length - 1, 155);
  for (let i = limit; i > 0; i--) {
    if (name[i] === 0x2f && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
      return [name.subarray(0, i), name.subarray(i + 1)];
    }
  }
  return undefined;
}

/** Go's convention: DIR/PaxHeaders.0/BASE, cut to fit the 100-byte name field. */
function paxHeaderName(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  const dir = slash < 0 ? '.' : trimmed.slice(0, slash);
  const base = slash < 0 ? trimmed : trimmed.slice(slash + 1);
  const full = Buffer.from(`${dir}/PaxHeaders.0/${base}`.replace(/[^\x20-\x7e]/g, '_'), 'latin1');
  return full.subarray(0, 100).toString('latin1');
}
