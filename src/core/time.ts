/**
 * Durations and points in time as docker reads them: Go's `time.ParseDuration` (ns, us, µs,
 * ms, s, m, h, combined as in "1h30m"), and a time that is RFC 3339, Unix seconds or a
 * duration before now (`--since`, `--until`, `until=` filters).
 */
import { WharfError } from './errors.js';

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's duration syntax, in nanoseconds; the error is Go's text (docker's CLI exits 125 on it). */
export function parseDuration(s: string): number {
  const bad = () => new WharfError('INVALID_ARGUMENT', `time: invalid duration "${s}"`, { exitCode: 125 });
  let total = 0;
  let rest = s.trim();
  if (rest === '0') return 0;
  if (!rest) throw bad();
  const re = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/;
  while (rest) {
    const m = re.exec(rest);
    if (!m) throw bad();
    total += parseFloat(m[1]!) * UNITS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return Math.round(total);
}

/** Epoch ms of a timestamp (RFC 3339 or Unix seconds) or of now minus a Go duration. */
export function parseTimeOrDuration(s: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  if (!Number.isNaN(t)) return t;
  try {
    return now - parseDuration(s) / 1e6;
  } catch {
    throw new WharfError('INVALID_ARGUMENT', `failed to parse value as time or duration: ${JSON.stringify(s)}`);
  }
}
