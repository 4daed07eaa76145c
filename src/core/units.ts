/** Human-readable sizes and durations, matching Docker's go-units output. */

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's `%.<p>g` for the magnitudes used here (always < 1000 after scaling). */
function formatG(value: number, precision: number): string {
  if (value === 0) return '0';
  let s = value.toPrecision(precision);
  if (s.includes('e')) return s;
  if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  return s;
}

/** go-units HumanSizeWithPrecision: decimal (1000-based) units. */
export function humanSize(bytes: number, precision = 4): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < decimalUnits.length - 1) {
    size /= 1000;
    i++;
  }
  return formatG(size, precision) + decimalUnits[i];
}

const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** go-units BytesSize: binary (1024-based) units, 4 significant digits (`512KiB`, `23.54GiB`). */
export function bytesSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < binaryUnits.length - 1) {
    size /= 1024;
    i++;
  }
  return formatG(size, 4) + binaryUnits[i];
}

/** go-units HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(ms / 3600000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

export function timeAgo(iso: string | Date, now = Date.now()): string {
  const t = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  return `${humanDuration(now - t)} ago`;
}

/** Parse a Docker size string (`512m`, `1g`, `100k`, plain bytes) into bytes, binary units as docker run does. */
export function parseRamSize(spec: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(spec.trim());
  if (!m) throw new Error(`invalid size: '${spec}'`);
  const mult: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.floor(parseFloat(m[1]!) * mult[m[2]!.toLowerCase()]!);
}

/**
 * Go's RFC3339Nano as Docker prints times: trailing zeros of the fraction dropped,
 * `Z` for UTC. JS dates carry milliseconds, so we keep what we have.
 */
export function rfc3339Nano(date: Date | string): string {
  if (typeof date === 'string') return date;
  return date.toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');
}

// Wall-clock nanoseconds: Date's milliseconds once, then the monotonic clock's nanoseconds on top.
const epochOffsetNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Now as Go's time.Now() prints in RFC3339Nano (nanoseconds, as Docker stamps `Created`). */
export function nowRfc3339Nano(): string {
  const ns = epochOffsetNs + process.hrtime.bigint();
  const date = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${date}${fraction ? '.' + fraction : ''}Z`;
}

/** Go's strconv.ParseUint(s, 10, 16) for a port, failing with Go's text (docker wraps it in its own). */
export function parsePort16(s: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 65535) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}
