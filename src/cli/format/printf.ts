/**
 * Go fmt for templates: `printf` (Sprintf), `print` (Sprint), `println` (Sprintln), over the
 * value model of goprint.ts. Verbs: %v %s %q %d %b %o %x %X %c %U %t %e %E %f %F %g %G %%,
 * flags `-+# 0`, width and precision (`*` too). Wrong types and argument counts print Go's
 * markers: `%!d(string=x)`, `%!d(MISSING)`, `%!(EXTRA int=2)`, `%!(NOVERB)`.
 * Our own implementation, from Go's fmt documentation (no npm package matches it).
 */
import { formatComposite, formatE, formatF, formatG, formatScalarV, goTypeName, isInt } from './goprint.js';

interface Spec { minus: boolean; plus: boolean; sharp: boolean; space: boolean; zero: boolean; width: number; prec: number }

/** Go's fmt.Sprint: operands in %v, a space between two operands when neither is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatComposite(a, formatScalarV);
  });
  return out;
}

/** Go's fmt.Sprintln: operands in %v separated by spaces, then a newline. */
export function sprintln(args: unknown[]): string {
  return args.map((a) => formatComposite(a, formatScalarV)).join(' ') + '\n';
}

/** Go's fmt.Sprintf. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct === -1) { out += format.slice(i); break; }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = true;
      else break;
    }
    const num = (): number => {
      if (format[i] === '*') {
        i++;
        const a = args[argi++];
        return isInt(a) ? a : -1;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return -1;
      i += m[0].length;
      return Number(m[0]);
    };
    spec.width = num();
    if (spec.width < -1) { spec.minus = true; spec.width = -spec.width; }
    if (format[i] === '.') { i++; spec.prec = Math.max(num(), 0); }
    if (i >= format.length) { out += '%!(NOVERB)'; break; }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') { out += '%'; continue; }
    if (argi >= args.length) { out += `%!${verb}(MISSING)`; continue; }
    out += formatArg(args[argi++], verb, spec);
  }
  if (argi < args.length) {
    const extra = args.slice(argi).map((a) => (a == null ? '<nil>' : `${goTypeName(a)}=${formatComposite(a, formatScalarV)}`));
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function formatArg(a: unknown, verb: string, spec: Spec): string {
  if (a === null || a === undefined) return verb === 'v' ? pad('<nil>', spec) : `%!${verb}(<nil>)`;
  return formatComposite(a, (s) => formatScalar(s, verb, spec));
}

function bad(v: string | number | boolean, verb: string, spec?: Spec): string {
  const shown = formatScalarV(v);
  return `%!${verb}(${goTypeName(v)}=${spec ? pad(shown, spec) : shown})`;
}

function formatScalar(v: string | number | boolean, verb: string, spec: Spec): string {
  if (typeof v === 'boolean') return verb === 't' || verb === 'v' ? pad(String(v), spec) : bad(v, verb, spec);
  if (typeof v === 'string') return formatString(v, verb, spec);
  if (isInt(v) && !'eEfFgG'.includes(verb)) return formatInt(v, verb, spec);
  if (!isInt(v) && !'veEfFgG'.includes(verb)) return bad(v, verb, spec);
  return formatFloat(v, verb, spec);
}

function formatString(s: string, verb: string, spec: Spec): string {
  switch (verb) {
    case 'v': case 's': {
      const t = spec.prec >= 0 ? Array.from(s).slice(0, spec.prec).join('') : s;
      return pad(t, spec);
    }
    case 'q': return pad(spec.sharp && !/[`\x00-\x08\x0a-\x1f\x7f]/.test(s) ? '`' + s + '`' : goQuote(s, spec.plus), spec);
    case 'x': case 'X': {
      const bytes = Buffer.from(s, 'utf8');
      const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0'));
      const pre = spec.sharp ? '0x' : '';
      const joined = spec.space ? hex.map((h) => pre + h).join(' ') : pre + hex.join('');
      return pad(verb === 'X' ? joined.toUpperCase() : joined, spec);
    }
    default: return bad(s, verb, spec);
  }
}

function formatInt(n: number, verb: string, spec: Spec): string {
  const neg = n < 0;
  const abs = BigInt(Math.abs(n));
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'v': case 'd': digits = abs.toString(10); break;
    case 'b': digits = abs.toString(2); break;
    case 'o': digits = abs.toString(8); if (spec.sharp) prefix = '0'; break;
    case 'x': digits = abs.toString(16); if (spec.sharp) prefix = '0x'; break;
    case 'X': digits = abs.toString(16).toUpperCase(); if (spec.sharp) prefix = '0X'; break;
    case 'c': return pad(String.fromCodePoint(n), spec);
    case 'q': return pad(goQuote(String.fromCodePoint(n), spec.plus, "'"), spec);
    case 'U': {
      const u = 'U+' + n.toString(16).toUpperCase().padStart(4, '0');
      return pad(spec.sharp ? `${u} '${String.fromCodePoint(n)}'` : u, spec);
    }
    default: return bad(n, verb, spec);
  }
  if (spec.prec >= 0) digits = n === 0 && spec.prec === 0 ? '' : digits.padStart(spec.prec, '0');
  const sign = neg ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  return padNumber(sign, prefix + digits, spec, spec.prec < 0);
}

function formatFloat(n: number, verb: string, spec: Spec): string {
  let s: string;
  switch (verb) {
    case 'v': s = formatG(n, spec.prec); break;
    case 'g': case 'G': s = formatG(n, spec.prec); break;
    case 'e': case 'E': s = formatE(n, spec.prec < 0 ? 6 : spec.prec); break;
    default: s = formatF(n, spec.prec < 0 ? 6 : spec.prec);
  }
  if (verb === 'E' || verb === 'G') s = s.toUpperCase();
  if (spec.sharp && (verb === 'v' || verb === 'g') && !s.includes('.') && !/[eInN]/.test(s)) s += '.';
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s.replace(/^\+/, '');
  const sign = neg ? '-' : spec.plus || s.startsWith('+') ? '+' : spec.space ? ' ' : '';
  return padNumber(sign, body, spec, Number.isFinite(n));
}

/** Pad a number: zero padding goes between the sign and the digits. */
function padNumber(sign: string, body: string, spec: Spec, zeroOk: boolean): string {
  if (spec.zero && !spec.minus && zeroOk && spec.width > 0) {
    return sign + body.padStart(spec.width - sign.length, '0');
  }
  return pad(sign + body, spec);
}

function pad(s: string, spec: Spec): string {
  const w = spec.width;
  const len = Array.from(s).length;
  if (w <= len) return s;
  if (spec.minus) return s + ' '.repeat(w - len);
  return (spec.zero ? '0' : ' ').repeat(w - len) + s;
}

/** Go's strconv.Quote (`ascii` = QuoteToASCII, as `%+q`). */
export function goQuote(s: string, ascii = false, q = '"'): string {
  let out = q;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0xad || (ascii && cp >= 0x80) || (cp >= 0xd800 && cp < 0xe000)) {
      out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + q;
}

