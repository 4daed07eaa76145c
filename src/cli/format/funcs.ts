/**
 * Template functions: Go text/template's builtins (eq ne lt le gt ge not len index slice
 * print printf println; `and`/`or` short-circuit and live in exec.ts) and docker/cli's extra
 * functions (json split join title lower upper pad truncate), plus the header variants
 * docker uses when it renders a table header (they return the column name unchanged).
 *
 * A function throws FuncError for Go's "error calling NAME: ..." and declares parameter
 * kinds so exec.ts can report Go's "wrong type for value; expected string; got int".
 */
import { GoNil, goTypeName, isInt, isMap, isTrue, sortedKeys } from './goprint.js';
import { sprint, sprintf, sprintln } from './printf.js';

export type ParamKind = 'any' | 'string' | 'int' | 'strings';
export interface TemplateFunc {
  fn: (...args: any[]) => unknown;
  /** Fixed parameter kinds; absent = any number of arguments of any kind. */
  params?: ParamKind[];
  /** Kind of extra (variadic) arguments after `params`. */
  variadic?: ParamKind;
}

/** An error raised inside a function: exec reports it as `error calling NAME: MESSAGE`. */
export class FuncError extends Error {}

type Scalar = string | number | boolean;
const basicKind = (v: unknown) =>
  v == null ? 'nil' : typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'bool' : 'other';

function compare(a: unknown, b: unknown, ordered: boolean): number {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'other' || kb === 'other' || (ordered && (ka === 'bool' || ka === 'nil'))) {
    throw new FuncError(ordered ? 'invalid type for comparison' : 'non-comparable type');
  }
  if (ka !== kb) {
    if (!ordered && (ka === 'nil' || kb === 'nil')) return 1;
    throw new FuncError('incompatible types for comparison');
  }
  if (a === b) return 0;
  return (a as Scalar) < (b as Scalar) ? -1 : 1;
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (v instanceof GoNil) return 0;
  if (isMap(v)) return sortedKeys(v).length;
  if (v == null) throw new FuncError('len of nil pointer');
  throw new FuncError(`len of type ${goTypeName(v)}`);
}

function indexOne(item: unknown, key: unknown): unknown {
  if (item == null) throw new FuncError('index of untyped nil');
  if (item instanceof GoNil) {
    if (item.kind === 'map') return null;
    throw new FuncError(`index out of range: ${String(key)}`);
  }
  if (Array.isArray(item) || typeof item === 'string') {
    if (!isInt(key)) throw new FuncError(`cannot index slice/array with type ${goTypeName(key)}`);
    const seq = typeof item === 'string' ? Buffer.from(item) : item;
    if (key < 0 || key >= seq.length) throw new FuncError(`index out of range: ${key}`);
    return seq[key];
  }
  if (isMap(item)) {
    if (typeof key !== 'string') throw new FuncError(`value has type ${goTypeName(key)}; should be string`);
    return Object.prototype.hasOwnProperty.call(item, key) && item[key] !== undefined ? item[key] : null;
  }
  throw new FuncError(`can't index item of type ${goTypeName(item)}`);
}

function slice(item: unknown, ...idx: unknown[]): unknown {
  if (item == null) throw new FuncError('slice of untyped nil');
  if (typeof item !== 'string' && !Array.isArray(item)) throw new FuncError(`can't slice item of type ${goTypeName(item)}`);
  if (idx.length > 2) throw new FuncError('too many slice indexes: ' + idx.length);
  const len = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
  const [lo = 0, hi = len] = idx as number[];
  if (!isInt(lo) || !isInt(hi) || lo < 0 || hi > len || lo > hi) throw new FuncError(`index out of range: ${hi}`);
  return typeof item === 'string' ? Buffer.from(item).subarray(lo, hi).toString() : item.slice(lo, hi);
}

/** Go's strings.Title: upper-case the first letter of every word. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    const sep = /[\p{L}\p{Nd}_]/u.test(prev) ? false : prev.charCodeAt(0) < 0x80 ? true : /\s/u.test(prev);
    out += sep ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

/** Go's strings.Split. */
function split(s: string, sep: string): string[] {
  return sep === '' ? Array.from(s) : s.split(sep);
}

/**
 * Go's encoding/json output, compact. docker's `json` function does not escape HTML
 * (`{{json "<a&b>"}}` prints "<a&b>"), but a list row's own MarshalJSON (`{{json .}}` in
 * `docker images`) goes through json.Marshal: keys sorted and `<>&` as \u003c \u003e \u0026.
 * Object keys otherwise keep their insertion order (docker's typed structs print in field order).
 */
export function goJson(v: unknown, opts: { escapeHTML?: boolean; sortKeys?: boolean } = {}): string {
  const out = JSON.stringify(v === undefined ? null : v, (_k, val: unknown) => {
    if (typeof val === 'number' && !Number.isFinite(val)) throw new FuncError(`json: unsupported value: ${val}`);
    if (opts.sortKeys && isMap(val) && typeof (val as { toJSON?: unknown }).toJSON !== 'function') {
      return Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]]));
    }
    return val;
  }) ?? 'null';
  const re = opts.escapeHTML ? /[<>&\u2028\u2029]/g : /[\u2028\u2029]/g;
  return out.replace(re, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

const any1: ParamKind[] = ['any'];
const any2: ParamKind[] = ['any', 'any'];
const cmp = (ordered: boolean, test: (c: number) => boolean): TemplateFunc => ({
  fn: (a: unknown, b: unknown) => test(compare(a, b, ordered)),
  params: any2,
});

/** Go's builtin functions (minus and/or, which exec.ts evaluates lazily). */
export const builtins: Record<string, TemplateFunc> = {
  eq: {
    fn: (a: unknown, ...bs: unknown[]) => {
      if (bs.length === 0) throw new FuncError('missing argument for comparison');
      return bs.some((b) => compare(a, b, false) === 0);
    },
    params: any1,
    variadic: 'any',
  },
  ne: cmp(false, (c) => c !== 0),
  lt: cmp(true, (c) => c < 0),
  le: cmp(true, (c) => c <= 0),
  gt: cmp(true, (c) => c > 0),
  ge: cmp(true, (c) => c >= 0),
  not: { fn: (v: unknown) => !isTrue(v), params: any1 },
  len: { fn: length, params: any1 },
  index: { fn: (item: unknown, ...keys: unknown[]) => keys.reduce(indexOne, item), params: any1, variadic: 'any' },
  slice: { fn: slice, params: any1, variadic: 'any' },
  print: { fn: (...a: unknown[]) => sprint(a), params: [], variadic: 'any' },
  println: { fn: (...a: unknown[]) => sprintln(a), params: [], variadic: 'any' },
  printf: { fn: (f: string, ...a: unknown[]) => sprintf(f, a), params: ['string'], variadic: 'any' },
};

/** docker/cli's template functions (templates.basicFunctions). */
export const dockerFuncs: Record<string, TemplateFunc> = {
  json: { fn: (v: unknown) => goJson(v), params: any1 },
  split: { fn: split, params: ['string', 'string'] },
  join: { fn: (a: string[], sep: string) => a.join(sep), params: ['strings', 'string'] },
  title: { fn: title, params: ['string'] },
  lower: { fn: (s: string) => s.toLowerCase(), params: ['string'] },
  upper: { fn: (s: string) => s.toUpperCase(), params: ['string'] },
  pad: {
    fn: (s: string, pre: number, post: number) => (s === '' ? s : ' '.repeat(pre) + s + ' '.repeat(post)),
    params: ['string', 'int', 'int'],
  },
  truncate: {
    fn: (s: string, n: number) => {
      const b = Buffer.from(s);
      return b.length < n ? s : b.subarray(0, Math.max(n, 0)).toString();
    },
    params: ['string', 'int'],
  },
};

/** docker/cli's templates.HeaderFunctions: keep a header intact (pad is not overridden). */
export const headerFuncs: Record<string, TemplateFunc> = {
  json: { fn: (v: string) => v, params: ['string'] },
  split: { fn: (v: string) => v, params: ['string', 'string'] },
  join: { fn: (v: string) => v, params: ['string', 'string'] },
  title: { fn: (v: string) => v, params: ['string'] },
  lower: { fn: (v: string) => v, params: ['string'] },
  upper: { fn: (v: string) => v, params: ['string'] },
  truncate: { fn: (v: string) => v, params: ['string', 'int'] },
};
