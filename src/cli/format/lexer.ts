/**
 * Lexer for Go `text/template` syntax (the language of docker's `--format` flag).
 *
 * Splits a template into text and the tokens of `{{ ... }}` actions, handling the trim
 * markers `{{- ` / ` -}}` and comments `{{/* ... *\/}}` as Go's lexer does. Positions are
 * byte offsets into the UTF-8 source (as Go reports them in `:LINE:COL` error contexts).
 * No npm package reproduces Go's text/template faithfully, so this is our own.
 */

export type TokKind =
  | 'text' | 'leftDelim' | 'rightDelim' | 'space' | 'identifier' | 'keyword' | 'field' | 'variable'
  | 'string' | 'rawString' | 'char' | 'number' | 'bool' | 'nil' | 'dot' | 'pipe' | 'declare' | 'assign'
  | 'leftParen' | 'rightParen' | 'comma' | 'other' | 'eof';

export interface Token {
  kind: TokKind;
  /** Raw source text of the token (for text tokens: after trimming). */
  val: string;
  /** Byte offset in the source. */
  pos: number;
  /** 1-based line of the token's start. */
  line: number;
}

export class LexError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string) => /^[\p{L}\p{Nd}_]$/u.test(c);

/** Tokenise `src`. Throws LexError with Go's message ("unclosed action", ...). */
export function lex(src: string): Token[] {
  const toks: Token[] = [];
  // Byte offsets: map a UTF-16 index to a UTF-8 byte offset lazily (ASCII fast path).
  const ascii = !/[^\x00-\x7f]/.test(src);
  const bytePos = (i: number) => (ascii ? i : Buffer.byteLength(src.slice(0, i)));
  const lineAt = (i: number) => {
    let n = 1;
    for (let k = src.indexOf('\n'); k !== -1 && k < i; k = src.indexOf('\n', k + 1)) n++;
    return n;
  };
  const push = (kind: TokKind, val: string, start: number) =>
    toks.push({ kind, val, pos: bytePos(start), line: lineAt(start) });

  let i = 0;
  let trimNextText = false;
  while (i <= src.length) {
    // Text up to the next "{{".
    const open = src.indexOf('{{', i);
    const end = open === -1 ? src.length : open;
    let text = src.slice(i, end);
    const textStart = i;
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    trimNextText = false;
    let trimmedLeft = false;
    if (open !== -1 && src[open + 2] === '-' && isSpace(src[open + 3] ?? '')) {
      text = text.replace(/[ \t\r\n]+$/, '');
      trimmedLeft = true;
    }
    if (text.length > 0) push('text', text, textStart);
    if (open === -1) break;
    i = open + 2 + (trimmedLeft ? 2 : 0);
    // Comment: "{{/*" (or "{{- /*") ... "*/}}" (or "*/ -}}").
    if (src.startsWith('/*', i)) {
      const close = src.indexOf('*/', i + 2);
      if (close === -1) throw new LexError('unclosed comment', lineAt(open));
      let j = close + 2;
      if (src.startsWith(' -}}', j) || src.startsWith('\t-}}', j) || src.startsWith('\n-}}', j) || src.startsWith('\r-}}', j)) {
        trimNextText = true;
        j += 4;
      } else if (src.startsWith('}}', j)) j += 2;
      else throw new LexError('comment ends before closing delimiter', lineAt(open));
      i = j;
      continue;
    }
    push('leftDelim', '{{', open);
    i = lexAction(i);
  }
  push('eof', '', src.length);
  return toks;

  function lexAction(start: number): number {
    let i = start;
    let parens = 0;
    for (;;) {
      // Right delimiter, with or without trim marker.
      if (isSpace(src[i] ?? '') && src[i + 1] === '-' && src.startsWith('}}', i + 2)) {
        if (parens > 0) throw new LexError('unclosed left paren', lineAt(i));
        push('rightDelim', '}}', i + 2);
        trimNextText = true;
        return i + 4;
      }
      if (src.startsWith('}}', i)) {
        if (parens > 0) throw new LexError('unclosed left paren', lineAt(i));
        push('rightDelim', '}}', i);
        return i + 2;
      }
      if (i >= src.length) throw new LexError('unclosed action', lineAt(start));
      const c = src[i]!;
      const s = i;
      if (isSpace(c)) {
        while (i < src.length && isSpace(src[i]!) && !(src[i + 1] === '-' && src.startsWith('}}', i + 2))) i++;
        push('space', src.slice(s, i), s);
        continue;
      }
      if (c === ':') {
        if (src[i + 1] !== '=') throw new LexError('expected :=', lineAt(s));
        push('declare', ':=', s);
        i += 2;
      } else if (c === '=') { push('assign', '=', s); i++; }
      else if (c === '|') { push('pipe', '|', s); i++; }
      else if (c === ',') { push('comma', ',', s); i++; }
      else if (c === '(') { push('leftParen', '(', s); parens++; i++; }
      else if (c === ')') {
        if (parens === 0) throw new LexError(`unexpected right paren U+0029 ')'`, lineAt(s));
        parens--; push('rightParen', ')', s); i++;
      } else if (c === '"') i = quoted(s, '"', 'string', 'unterminated quoted string');
      else if (c === '`') {
        const close = src.indexOf('`', s + 1);
        if (close === -1) throw new LexError('unterminated raw quoted string', lineAt(s));
        push('rawString', src.slice(s, close + 1), s);
        i = close + 1;
      } else if (c === "'") i = quoted(s, "'", 'char', 'unterminated character constant');
      else if (c === '$') {
        i++;
        while (i < src.length && isAlnum(src[i]!)) i++;
        push('variable', src.slice(s, i), s);
      } else if (c === '.') {
        if (/[0-9]/.test(src[i + 1] ?? '')) i = number(s);
        else {
          i++;
          while (i < src.length && isAlnum(src[i]!)) i++;
          push(i === s + 1 ? 'dot' : 'field', src.slice(s, i), s);
        }
      } else if (/[0-9+\-]/.test(c)) i = number(s);
      else if (isAlnum(c)) {
        while (i < src.length && isAlnum(src[i]!)) i++;
        const word = src.slice(s, i);
        const kind: TokKind = KEYWORDS.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool'
          : word === 'nil' ? 'nil' : 'identifier';
        push(kind, word, s);
      } else if (c >= '!' && c <= '~') {
        // Go emits other printable ASCII as a "char" item; the parser reports it as unexpected.
        push('other', c, s);
        i++;
      } else {
        const cp = c.codePointAt(0)!;
        throw new LexError(`unrecognized character in action: U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${c}'`, lineAt(s));
      }
    }
  }

  function quoted(s: number, q: string, kind: TokKind, err: string): number {
    let i = s + 1;
    for (;;) {
      const c = src[i];
      if (c === undefined || c === '\n') throw new LexError(err, lineAt(s));
      if (c === '\\') i += 2;
      else if (c === q) break;
      else i++;
    }
    push(kind, src.slice(s, i + 1), s);
    return i + 1;
  }

  function number(s: number): number {
    const m = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(src.slice(s));
    const len = m ? m[0].length : 0;
    let i = s + len;
    if (len === 0 || /^[+-]?$/.test(m![0]) || (i < src.length && isAlnum(src[i]!))) {
      while (i < src.length && (isAlnum(src[i]!) || src[i] === '.')) i++;
      throw new LexError(`bad number syntax: "${src.slice(s, i)}"`, lineAt(s));
    }
    push('number', src.slice(s, i), s);
    return i;
  }
}
