/**
 * Go's fmt output where dockerd puts it in history strings: `%q` and `%v` of string slices,
 * time.Duration's String, `%q` of an int (a rune literal). History must read as dockerd's.
 */

/** strconv.Quote for the strings builds meet (JSON's escapes agree for printable ASCII). */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1').replace(/[\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `%q` of a []string: `["a" "b"]`. */
export const goQuoteSlice = (a: readonly string[] | null | undefined) => `[${(a ?? []).map(goQuote).join(' ')}]`;

/** `%v` of a []string: `[a b]`. */
export const goSlice = (a: readonly string[]) => `[${a.join(' ')}]`;

/** time.Duration.String of nanoseconds. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e3) out = `${u}ns`;
  else if (u < 1e6) out = `${trim(u / 1e3)}µs`;
  else if (u < 1e9) out = `${trim(u / 1e6)}ms`;
  else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    const s = `${trim(u / 1e9)}s`;
    out = h ? `${h}h${m}m${s}` : m ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

const trim = (n: number) => String(Number(n.toFixed(9)));

/** `%q` of an int: a Go rune literal. */
export function goRune(n: number): string {
  if (n === 7) return "'\\a'";
  if (n === 8) return "'\\b'";
  if (n === 9) return "'\\t'";
  if (n === 10) return "'\\n'";
  if (n === 11) return "'\\v'";
  if (n === 12) return "'\\f'";
  if (n === 13) return "'\\r'";
  if (n === 39) return "'\\''";
  if (n === 92) return "'\\\\'";
  if (n < 32 || n === 127) return `'\\x${n.toString(16).padStart(2, '0')}'`;
  return `'${String.fromCodePoint(n)}'`;
}
