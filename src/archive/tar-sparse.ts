/**
 * GNU sparse files, expanded as GNU tar and Go's archive/tar (Docker's) expand them: the
 * entry's stored bytes are the data segments; the holes between them read as zeros, up to
 * the file's real size. Formats:
 * - old GNU (typeflag 'S'): up to 4 (offset, size) pairs in the header, more in extension
 *   blocks after it (flag byte 482, then 504 in each extension), real size at byte 483;
 * - PAX 0.1: `GNU.sparse.map` = "off,size,off,size,...", `GNU.sparse.size`, `GNU.sparse.name`;
 * - PAX 1.0: `GNU.sparse.major=1`, `GNU.sparse.realsize`, `GNU.sparse.name`, and the map at
 *   the start of the data as decimal lines (count, then offset and size each), padded to a block.
 * Holes come out as slices of one shared zero buffer, so an extractor can recognise them
 * (`isHole`) and leave holes on disk rather than writing zeros.
 */
import { corrupt } from '../core/errors.js';
import { readNumber } from './tar-header.js';

export interface Segment {
  offset: number;
  size: number;
}

export interface SparseMap {
  segments: Segment[];
  realSize: number;
}

const HOLE = Buffer.alloc(64 * 1024);

export function isHole(chunk: Buffer): boolean {
  return chunk.buffer === HOLE.buffer;
}

export function holeOf(n: number): Buffer {
  return HOLE.subarray(0, Math.min(n, HOLE.length));
}

/** The segments in an old GNU header's (or extension block's) 24-byte slots. */
export function gnuSlots(block: Buffer, off: number, count: number, into: Segment[]): void {
  for (let i = 0; i < count; i++) {
    const at = off + i * 24;
    if (block[at] === 0) break;
    into.push({ offset: readNumber(block, at, 12), size: readNumber(block, at + 12, 12) });
  }
}

/** The PAX sparse version an entry's records declare: '0.1', '1.0', or undefined. */
export function paxSparseVersion(pax: Map<string, Buffer>): '0.1' | '1.0' | undefined {
  const major = pax.get('GNU.sparse.major')?.toString();
  if (major === '1') return '1.0';
  if (pax.has('GNU.sparse.map')) return '0.1';
  if (pax.has('GNU.sparse.offset') || pax.has('GNU.sparse.numblocks')) {
    throw corrupt('corrupt tar: GNU sparse format 0.0 is not supported');
  }
  return undefined;
}

function int(s: string | undefined, what: string): number {
  const n = Number(s);
  if (s === undefined || !/^\d+$/.test(s) || !Number.isSafeInteger(n)) throw corrupt(`corrupt tar: invalid sparse ${what}`);
  return n;
}

/** PAX 0.1's map record. */
export function paxMap01(pax: Map<string, Buffer>): SparseMap {
  const parts = pax.get('GNU.sparse.map')!.toString().split(',').filter((p) => p !== '');
  if (parts.length % 2) throw corrupt('corrupt tar: invalid sparse map');
  const segments: Segment[] = [];
  for (let i = 0; i < parts.length; i += 2) segments.push({ offset: int(parts[i], 'offset'), size: int(parts[i + 1], 'size') });
  const real = pax.get('GNU.sparse.realsize') ?? pax.get('GNU.sparse.size');
  return check({ segments, realSize: int(real?.toString(), 'size') });
}

/** PAX 1.0's in-data map: the decimal lines, given the data's first bytes; null until complete. */
export function parseMap10(head: Buffer, realSize: number): { map: SparseMap; length: number } | null {
  const nums: number[] = [];
  let start = 0;
  let want = -1;
  for (let i = 0; i < head.length; i++) {
    if (head[i] !== 0x0a) continue;
    nums.push(int(head.toString('ascii', start, i), 'map'));
    start = i + 1;
    if (nums.length === 1) want = 1 + 2 * nums[0]!;
    if (nums.length === want) {
      const segments: Segment[] = [];
      for (let j = 1; j < nums.length; j += 2) segments.push({ offset: nums[j]!, size: nums[j + 1]! });
      return { map: check({ segments, realSize }), length: Math.ceil(start / 512) * 512 };
    }
  }
  if (head.length - start > 24) throw corrupt('corrupt tar: invalid sparse map');
  return null;
}

/** Segments in order, not overlapping, inside the real size. */
export function check(map: SparseMap): SparseMap {
  let end = 0;
  for (const s of map.segments) {
    if (s.offset < end || s.offset + s.size > map.realSize) throw corrupt('corrupt tar: invalid sparse map');
    end = s.offset + s.size;
  }
  return map;
}

export const realSizeOf = (pax: Map<string, Buffer>, what: string) => int(pax.get(what)?.toString(), 'size');
