/** Docker's `--filter key=value` parsing, and the image predicates list and prune share. */
import { invalidArgument } from '../../core/errors.js';
import type { ImageSummary } from '../../image/store.js';

export type Filters = Map<string, string[]>;

export function parseFilters(specs: string[] = []): Filters {
  const out: Filters = new Map();
  for (const spec of specs) {
    const i = spec.indexOf('=');
    if (i <= 0) throw invalidArgument(`bad format of filter (expected name=value)`);
    const key = spec.slice(0, i).toLowerCase();
    out.set(key, [...(out.get(key) ?? []), spec.slice(i + 1)]);
  }
  return out;
}

export function checkFilterKeys(filters: Filters, allowed: string[]): void {
  for (const key of filters.keys()) {
    if (!allowed.includes(key)) throw invalidArgument(`Invalid filter '${key}'`);
  }
}

/** `label=k`, `label=k=v` (all must match), `label!=...` (none may). */
export function matchLabels(labels: Record<string, string>, filters: Filters): boolean {
  const test = (spec: string) => {
    const i = spec.indexOf('=');
    if (i < 0) return spec in labels;
    return labels[spec.slice(0, i)] === spec.slice(i + 1);
  };
  return (filters.get('label') ?? []).every(test) && !(filters.get('label!') ?? []).some(test);
}

/** `until=` takes a timestamp (RFC3339 or Unix seconds) or a Go duration before now. */
export function parseUntil(value: string, now = Date.now()): number {
  const dur = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (dur) {
    const mult: Record<string, number> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    return now - parseFloat(dur[1]!) * mult[dur[2]!]!;
  }
  if (/^\d+(\.\d+)?$/.test(value)) return parseFloat(value) * 1000;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalidArgument(`failed to parse value as time or duration: "${value}"`);
  return t;
}

export function createdMs(img: ImageSummary): number {
  return Date.parse(img.created) || 0;
}

/** Go's path.Match: `*`, `?`, `[...]`; `*` never crosses `/`. */
export function pathMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = '^' + body.slice(1).replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(re + '$').test(name);
}
