/**
 * Tar header model and the 512-byte block / PAX record encodings.
 *
 * Hand-written rather than taken from node-tar or tar-stream: layers need binary-safe PAX
 * values (`SCHILY.xattr.security.capability` is raw bytes), device entries and byte-exact
 * deterministic output, which those libraries do not give (see the design guide).
 */
import { corrupt } from '../core/errors.js';

export const BLOCK = 512;

export type TarEntryType =
  | 'file'
  | 'dir'
  | 'symlink'
  | 'hardlink'
  | 'char'
  | 'block'
  | 'fifo'
  | 'unknown';

export interface TarHeader {
  name: string;
  type: TarEntryType;
  /** The raw typeflag character, kept so that unknown types can be reported or copied. */
  typeflag: string;
  /** Permission bits plus setuid/setgid/sticky (mask 0o7777). */
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  /** Seconds since the epoch; PAX may give a fraction, the writer stores whole seconds. */
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes by full name (`security.capability`), values as raw bytes. */
  xattrs: Map<string, Buffer>;
  /** Every PAX record that applied to this entry (global then local), values as raw bytes. */
  pax: Map<string, Buffer>;
}

/** What a caller must give the writer; everything else has a sensible default. */
export type TarHeaderInput = Pick<TarHeader, 'name' | 'type'> & Partial<TarHeader>;

const typeByFlag: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};
const flagByType: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
  unknown: '0',
};

export function typeOfFlag(flag: string): TarEntryType {
  return typeByFlag[flag] ?? 'unknown';
}

export function flagOfType(type: TarEntryType): string {
  return flagByType[type];
}

export function emptyHeader(): TarHeader {
  return {
    name: '',
    type: 'file',
    typeflag: '0',
    mode: 0o644,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    size: 0,
    mtime: 0,
    linkname: '',
    devmajor: 0,
    devminor: 0,
    xattrs: new Map(),
    pax: new Map(),
  };
}

/** Fills in defaults for a writer input. */
export function completeHeader(input: TarHeaderInput): TarHeader {
  const h = emptyHeader();
  Object.assign(h, input);
  if (input.mode === undefined) h.mode = input.type === 'dir' ? 0o755 : input.type === 'symlink' ? 0o777 : 0o644;
  if (input.typeflag === undefined || input.type !== 'unknown') h.typeflag = flagOfType(h.type);
  h.xattrs = input.xattrs ?? new Map();
  h.pax = input.pax ?? new Map();
  return h;
}

// ---- numeric fields ----

/** Reads an octal (space/NUL padded) or GNU base-256 numeric field. */
export function readNumber(block: Buffer, off: number, len: number): number {
  const first = block[off]!;
  if (first & 0x80) {
    // base-256: big-endian two's complement, the top bit of the first byte is the marker
    const negative = (first & 0x40) !== 0;
    let value = negative ? (first & 0x7f) - 0x80 : first & 0x7f;
    for (let i = 1; i < len; i++) value = value * 256 + block[off + i]!;
    if (!Number.isSafeInteger(value)) throw corrupt('corrupt tar: numeric field out of range');
    return value;
  }
  let i = off;
  const end = off + len;
  while (i < end && (block[i] === 0x20 || block[i] === 0)) i++;
  let value = 0;
  for (; i < end; i++) {
    const c = block[i]!;
    if (c === 0x20 || c === 0) break;
    if (c < 0x30 || c > 0x37) throw corrupt('corrupt tar: invalid numeric field');
    value = value * 8 + (c - 0x30);
  }
  return value;
}

/** True when `value` fits the field as octal digits followed by a NUL. */
export function fitsOctal(value: number, len: number): boolean {
  return value >= 0 && value < 8 ** (len - 1);
}

export function writeNumber(block: Buffer, off: number, len: number, value: number): void {
  if (fitsOctal(value, len)) {
    block.write(value.toString(8).padStart(len - 1, '0'), off, len - 1, 'ascii');
    block[off + len - 1] = 0;
    return;
  }
  // base-256 for what octal cannot hold (negative or too large)
  let v = BigInt(value);
  for (let i = len - 1; i >= 1; i--) {
    block[off + i] = Number(BigInt.asUintN(8, v));
    v >>= 8n;
  }
  block[off] = 0x80 | (value < 0 ? 0x40 | 0x3f : 0);
}

// ---- strings ----

export function readString(block: Buffer, off: number, len: number): string {
  const end = block.indexOf(0, off);
  return block.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e || s.charCodeAt(i) < 0x20) return false;
  return true;
}

export function checksumOf(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return { unsigned, signed };
}

// ---- PAX records: "LEN key=value\n", LEN counting the whole record ----

export function parsePaxRecords(data: Buffer, into: Map<string, Buffer>): void {
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad the data with NULs
    const space = data.indexOf(0x20, pos);
    if (space < 0) throw corrupt('corrupt tar: malformed PAX record');
    const len = Number(data.toString('ascii', pos, space));
    if (!Number.isInteger(len) || len <= space - pos || pos + len > data.length || data[pos + len - 1] !== 0x0a) {
      throw corrupt('corrupt tar: malformed PAX record');
    }
    const eq = data.indexOf(0x3d, space + 1);
    if (eq < 0 || eq >= pos + len) throw corrupt('corrupt tar: malformed PAX record');
    const key = data.toString('utf8', space + 1, eq);
    into.set(key, Buffer.from(data.subarray(eq + 1, pos + len - 1)));
    pos += len;
  }
}

export function paxRecord(key: string, value: Buffer | string): Buffer {
  const k = Buffer.from(key, 'utf8');
  const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const base = k.length + v.length + 3; // ' ', '=', '\n'
  let len = base + String(base).length;
  if (String(len).length !== String(base).length) len = base + String(len).length;
  return Buffer.concat([Buffer.from(`${len} `), k, Buffer.from('='), v, Buffer.from('\n')]);
}

/** Applies PAX records (already merged global+local) onto a header. */
export function applyPax(h: TarHeader, pax: Map<string, Buffer>): void {
  for (const [key, value] of pax) {
    switch (key) {
      case 'path':
        h.name = value.toString('utf8');
        break;
      case 'linkpath':
        h.linkname = value.toString('utf8');
        break;
      case 'size':
        h.size = paxInt(value);
        break;
      case 'uid':
        h.uid = paxInt(value);
        break;
      case 'gid':
        h.gid = paxInt(value);
        break;
      case 'uname':
        h.uname = value.toString('utf8');
        break;
      case 'gname':
        h.gname = value.toString('utf8');
        break;
      case 'mtime': {
        const t = Number(value.toString('ascii'));
        if (!Number.isFinite(t)) throw corrupt('corrupt tar: invalid PAX mtime');
        h.mtime = t;
        break;
      }
      case 'SCHILY.devmajor':
        h.devmajor = paxInt(value);
        break;
      case 'SCHILY.devminor':
        h.devminor = paxInt(value);
        break;
      default:
        if (key.startsWith('SCHILY.xattr.')) h.xattrs.set(key.slice('SCHILY.xattr.'.length), value);
    }
  }
  h.pax = pax;
}

function paxInt(value: Buffer): number {
  const s = value.toString('ascii');
  const n = Number(s);
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(n)) throw corrupt(`corrupt tar: invalid PAX number ${JSON.stringify(s)}`);
  return n;
}
