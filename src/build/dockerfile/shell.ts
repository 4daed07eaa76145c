/**
 * Word expansion as BuildKit's shell lexer does it for Dockerfile instructions: `$a`, `${a}`,
 * `${a:-b}`, `${a-b}`, `${a:+b}`, `${a+b}`, `${a:?msg}`, `${a?msg}`, single and double quotes
 * and the escape token. It is not a shell: no command substitution, no globbing. `word()`
 * gives one string (quotes removed), `words()` splits on unquoted white space the way ENV,
 * EXPOSE and friends need. Which variables a word used is reported, so a RUN's cache key
 * and history can name the build args it saw.
 */

export type Env = ReadonlyMap<string, string>;

export class ShellError extends Error {}

export interface Expansion {
  result: string;
  words: string[];
  /** Names that were looked up and found. */
  matched: Set<string>;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const isNameChar = (c: string) => /^[\p{L}\p{N}_]$/u.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';
const SPECIAL = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);

class Words {
  words: string[] = [];
  private buf = '';
  private inWord = false;
  addChar(c: string): void {
    if (isSpace(c)) {
      if (this.inWord && this.buf.length) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else this.addRaw(c);
  }
  addRaw(s: string): void {
    this.buf += s;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const c of s) this.addChar(c);
  }
  done(): string[] {
    if (this.buf.length) this.words.push(this.buf);
    this.buf = '';
    return this.words;
  }
}

class Scanner {
  private readonly chars: string[];
  private pos = 0;
  constructor(src: string) {
    this.chars = [...src];
  }
  peek(): string | undefined {
    return this.chars[this.pos];
  }
  next(): string | undefined {
    return this.chars[this.pos++];
  }
}

export class ShellLexer {
  constructor(readonly escape: '\\' | '`' = '\\') {}

  word(src: string, env: Env): string {
    return this.expand(src, env).result;
  }

  words(src: string, env: Env): string[] {
    return this.expand(src, env).words;
  }

  expand(src: string, env: Env): Expansion {
    const run = new Run(this.escape, env, new Scanner(src));
    try {
      const { result, words } = run.stopOn(undefined);
      return { result, words, matched: run.matched };
    } catch (err) {
      if (err instanceof ShellError) throw new ShellError(`failed to process "${src}": ${err.message}`);
      throw err;
    }
  }
}

class Run {
  matched = new Set<string>();
  constructor(
    private readonly esc: string,
    private readonly env: Env,
    private readonly s: Scanner,
  ) {}

  stopOn(stop: string | undefined): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    for (let c = this.s.peek(); c !== undefined; c = this.s.peek()) {
      if (stop !== undefined && c === stop) {
        this.s.next();
        return { result, words: words.done() };
      }
      if (c === '$') {
        const v = this.dollar();
        result += v;
        words.addString(v);
      } else if (c === "'") {
        const v = this.singleQuote();
        result += v;
        words.addRaw(v);
      } else if (c === '"') {
        const v = this.doubleQuote();
        result += v;
        words.addRaw(v);
      } else {
        this.s.next();
        if (c === this.esc) {
          const n = this.s.next();
          if (n === undefined) break;
          words.addRaw(n);
          result += n;
        } else {
          words.addChar(c);
          result += c;
        }
      }
    }
    if (stop !== undefined) throw new ShellError(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.done() };
  }

  private singleQuote(): string {
    this.s.next();
    let out = '';
    for (;;) {
      const c = this.s.next();
      if (c === undefined) throw new ShellError('unexpected end of statement while looking for matching single-quote');
      if (c === "'") return out;
      out += c;
    }
  }

  private doubleQuote(): string {
    this.s.next();
    let out = '';
    for (;;) {
      const c = this.s.peek();
      if (c === undefined) throw new ShellError('unexpected end of statement while looking for matching double-quote');
      if (c === '"') {
        this.s.next();
        return out;
      }
      if (c === '$') {
        out += this.dollar();
        continue;
      }
      let ch = this.s.next() as string;
      if (ch === this.esc) {
        const n = this.s.peek();
        if (n === undefined) continue;
        if (n === '"' || n === '$' || n === this.esc) ch = this.s.next() as string;
      }
      out += ch;
    }
  }

  private name(): string {
    let name = '';
    for (let c = this.s.peek(); c !== undefined; c = this.s.peek()) {
      if (!name && isDigit(c)) {
        while (this.s.peek() !== undefined && isDigit(this.s.peek() as string)) name += this.s.next();
        return name;
      }
      if (!name && SPECIAL.has(c)) return this.s.next() as string;
      if (!isNameChar(c)) break;
      name += this.s.next();
    }
    return name;
  }

  private get(name: string): string | undefined {
    const v = this.env.get(name);
    if (v !== undefined) this.matched.add(name);
    return v;
  }

  private dollar(): string {
    this.s.next();
    if (this.s.peek() !== '{') {
      const name = this.name();
      return name ? (this.get(name) ?? '') : '$';
    }
    this.s.next();
    const first = this.s.peek();
    if (first === undefined) throw new ShellError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new ShellError('syntax error: bad substitution');
    const name = this.name();
    let ch = this.s.next();
    if (ch === '}') return this.get(name) ?? '';
    let mod = ch ?? '';
    let nullIsUnset = false;
    if (ch === ':') {
      nullIsUnset = true;
      ch = this.s.next();
      mod += ch ?? '';
    }
    if (ch !== '+' && ch !== '-' && ch !== '?') {
      if (ch === undefined) throw new ShellError("syntax error: missing '}'");
      throw new ShellError(`unsupported modifier (${mod}) in substitution`);
    }
    let word: string;
    try {
      word = this.stopOn('}').result;
    } catch (err) {
      if (this.s.peek() === undefined) throw new ShellError("syntax error: missing '}'");
      throw err;
    }
    const value = this.get(name);
    const unset = value === undefined || (nullIsUnset && value === '');
    if (ch === '-') return unset ? word : (value as string);
    if (ch === '+') return unset ? '' : word;
    if (value === undefined) throw new ShellError(`${name}: ${word || 'is not allowed to be unset'}`);
    if (nullIsUnset && value === '') throw new ShellError(`${name}: ${word || 'is not allowed to be empty'}`);
    return value;
  }
}

/** An env list (`K=V` strings) as a lookup map; later entries win. */
export function envMap(list: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of list) {
    const i = e.indexOf('=');
    if (i < 0) m.set(e, '');
    else m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}
