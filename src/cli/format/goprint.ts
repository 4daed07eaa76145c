/**
 * Go value model and `%v` printing for templates: how `{{.X}}` prints a value, as Go's fmt
 * prints the decoded JSON docker formats (checked against docker 20.10).
 *
 * JS value -> Go value:
 *   string -> string (raw); boolean -> bool; array -> []interface{} (`[a b c]`);
 *   plain object -> map[string]interface{} (`map[a:b c:d]`, keys sorted as Go's fmt sorts them);
 *   null -> nil interface (`<nil>` inside collections, `<no value>` as a whole action);
 *   undefined -> "no value" (a missing map key: prints `<no value>`);
 *   number -> integral values print as integers (docker's inspect fields such as Size are
 *   typed int64, so `{{.Size}}` prints `1982256`), other values as Go's float64 `%v`
 *   (shortest `%g`: `1.5`, `1.2345675e+06`, `1e-05`).
 *
 * Typed nils: docker prints a nil slice as `[]` and a nil map as `map[]` (e.g. `.Config.Entrypoint`,
 * `.Config.Volumes`), yet `{{json ...}}` prints `null` for both. JSON null loses that type, so
 * callers put NIL_SLICE / NIL_MAP where Go has a typed nil: they print `[]` / `map[]`, count as
 * empty and false, and serialise as `null` (JSON.stringify included, via toJSON). A nil
 * pointer (GoNil 'pointer') prints `<nil>`.
 */

export class GoNil {
  /**
   * `field`: for a nil pointer that stands in for a struct field absent from the JSON
   * (omitempty), its name: a lookup through it fails as docker's JSON fallback does.
   */
  constructor(
    readonly kind: 'slice' | 'map' | 'pointer',
    readonly field?: string,
  ) {}
  toJSON(): null {
    return null;
  }
}
/** A nil []T: prints `[]`, JSON `null`. */
export const NIL_SLICE: GoNil = Object.freeze(new GoNil('slice'));
/** A nil map[K]V: prints `map[]`, JSON `null`. */
export const NIL_MAP: GoNil = Object.freeze(new GoNil('map'));

export type GoMap = Record<string, unknown>;

/**
 * Objects that stand for a Go struct (docker's list rows, `*formatter.imageContext` ...),
 * with that type's name: a field they lack is an error, not a missing map key, and `range`
 * cannot iterate over them.
 */
const structs = new WeakMap<object, string>();

export function markStruct<T extends object>(v: T, goType: string): T {
  structs.set(v, goType);
  return v;
}

export function structType(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? structs.get(v) : undefined;
}

export function isMap(v: unknown): v is GoMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoNil);
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e21;
}

/** Go's truth: false, 0, nil, and empty strings, slices and maps are false. */
export function isTrue(v: unknown): boolean {
  if (v === undefined || v === null || v instanceof GoNil) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's type name for a value, for error messages (`%!d(string=x)`, `can't evaluate field X in type T`). */
export function goTypeName(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isInt(v) ? 'int' : 'float64';
  if (v instanceof GoNil) return v.kind === 'slice' ? '[]interface {}' : v.kind === 'map' ? 'map[string]interface {}' : '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'function') return 'func';
  return 'map[string]interface {}';
}

/** Map keys in the order Go's fmt prints them (sorted). */
export function sortedKeys(m: GoMap): string[] {
  return Object.keys(m).filter((k) => m[k] !== undefined).sort();
}

/**
 * Walk a value as fmt does for composites: `[e1 e2]`, `map[k:v]`, `<nil>` for nil elements;
 * `leaf` formats every scalar (strings, numbers, booleans) with the current verb.
 */
export function formatComposite(v: unknown, leaf: (s: string | number | boolean) => string, nil = '<nil>'): string {
  if (v === undefined || v === null) return nil;
  if (v instanceof GoNil) return v.kind === 'slice' ? '[]' : v.kind === 'map' ? 'map[]' : '<nil>';
  if (Array.isArray(v)) return '[' + v.map((e) => formatComposite(e, leaf)).join(' ') + ']';
  if (isMap(v)) {
    return 'map[' + sortedKeys(v).map((k) => `${leaf(k)}:${formatComposite(v[k], leaf)}`).join(' ') + ']';
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return leaf(v);
  return String(v);
}

/** `%v` of a scalar. */
export function formatScalarV(v: string | number | boolean): string {
  if (typeof v === 'number') return formatNumberV(v);
  return String(v);
}

/** How `{{.X}}` prints X (a whole action's value): `<no value>` for missing/nil. */
export function goPrint(v: unknown): string {
  if (typeof v === 'string') return v;
  return formatComposite(v, formatScalarV, '<no value>');
}

/** `%v` of a number: integers as integers, else float64's shortest `%g`. */
export function formatNumberV(n: number): string {
  if (isInt(n)) return Object.is(n, -0) ? '0' : String(n);
  return formatG(n, -1);
}

/** Shortest decimal digits of |n| (no trailing zeros) and its exponent (d.ddd x 10^exp). */
function decimalDigits(n: number, prec: number): { digits: string; exp: number } {
  const s = prec < 0 ? Math.abs(n).toExponential() : Math.abs(n).toExponential(Math.max(prec - 1, 0));
  const [mant, e] = s.split('e') as [string, string];
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  return { digits, exp: Number(e) };
}

/** Go's exponent suffix: at least two digits (`e+06`, `e-05`). */
export function goExponent(exp: number): string {
  return (exp < 0 ? 'e-' : 'e+') + String(Math.abs(exp)).padStart(2, '0');
}

function special(n: number): string | null {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return null;
}

/** Go's `%g` (`prec` -1 = shortest representation, as `%v` uses). */
export function formatG(n: number, prec: number): string {
  const sp = special(n);
  if (sp) return sp;
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  if (n === 0) return sign + '0';
  const shortest = prec < 0;
  if (prec === 0) prec = 1;
  const { digits, exp } = decimalDigits(n, prec);
  const nd = digits.length;
  const dp = exp + 1;
  let eprec = shortest ? 6 : prec;
  if (!shortest && eprec > nd && nd >= dp) eprec = nd;
  if (exp < -4 || exp >= eprec) {
    const p = shortest ? nd : Math.min(prec, nd);
    const frac = digits.slice(1, p);
    return sign + digits[0] + (frac ? '.' + frac : '') + goExponent(exp);
  }
  let p = shortest ? nd : prec;
  if (p > dp) p = nd;
  return sign + digitsFixed(digits, dp, Math.max(p - dp, 0));
}

/** Place a decimal point in `digits` at `dp` with `decimals` fraction digits. */
function digitsFixed(digits: string, dp: number, decimals: number): string {
  const int = dp > 0 ? digits.slice(0, dp).padEnd(dp, '0') : '0';
  const fracDigits = dp < 0 ? '0'.repeat(-dp) + digits : digits.slice(Math.max(dp, 0));
  const frac = fracDigits.padEnd(decimals, '0').slice(0, decimals);
  return decimals > 0 ? `${int}.${frac}` : int;
}

/** Go's `%e` with `prec` fraction digits. */
export function formatE(n: number, prec: number): string {
  const sp = special(n);
  if (sp) return sp;
  const [mant, e] = n.toExponential(prec).split('e') as [string, string];
  return mant + goExponent(Number(e));
}

/** Go's `%f` with `prec` fraction digits. */
export function formatF(n: number, prec: number): string {
  const sp = special(n);
  if (sp) return sp;
  if (Math.abs(n) < 1e21) return n.toFixed(prec);
  return BigInt(Math.round(n)).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
}
