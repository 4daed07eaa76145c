/**
 * Dockerfile text -> a list of instruction nodes, with BuildKit's parser rules: parser
 * directives (`# escape=`, `# syntax=`, `# check=`) only before the first other line,
 * comments dropped (also inside continuations), the escape token at a line's end joining
 * lines, empty continuation lines skipped with a warning, `--flag` words split off the
 * front, per-instruction argument forms (JSON arrays that fall back to the plain form,
 * whitespace lists, `k=v` pairs), and heredocs for RUN, COPY and ADD. Nothing here
 * expands variables: that is the shell lexer's job, at dispatch time.
 */
import { ShellLexer } from './shell.js';

export interface Heredoc {
  name: string;
  content: string;
  /** Whether the content undergoes variable expansion (an unquoted terminator). */
  expand: boolean;
  chomp: boolean;
}

export interface Node {
  /** The instruction as typed (case kept); compare with `cmd`. */
  value: string;
  /** Lower-case instruction name. */
  cmd: string;
  original: string;
  flags: string[];
  /** Arguments after the instruction's own parsing rule. */
  args: string[];
  /** For ENV and LABEL: `[key, value]` pairs (`sep` tells the legacy `k v` form: ''). */
  pairs?: { key: string; value: string; sep: '' | '=' }[];
  /** ONBUILD's instruction. */
  child?: Node;
  json: boolean;
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
}

export interface ParseResult {
  nodes: Node[];
  escape: '\\' | '`';
  warnings: string[];
  /** The `# syntax=` directive's value when present (accepted, not used). */
  syntax?: string;
}

/** A Dockerfile error, worded as dockerd 20.10 words it (the message is complete). */
export class ParseError extends Error {}

/** An instruction's error, located at its line. */
export const lineError = (line: number, message: string) => new ParseError(`dockerfile parse error line ${line}: ${message}`);
/** An error of the text itself (dockerd 20.10 names no line for these). */
export const textError = (message: string) => new ParseError(`failed to parse Dockerfile: ${message}`);

const WS = /[\t\v\f\r ]+/;
const isSpace = (c: string) => /\s/u.test(c);
const HEREDOC_CMDS = new Set(['add', 'copy', 'run']);

interface Directives {
  escape: '\\' | '`';
  continuation: RegExp;
  seen: Set<string>;
  done: boolean;
  syntax?: string;
}

function setEscape(d: Directives, s: string): void {
  if (s !== '`' && s !== '\\') throw new Error(`invalid escape token '${s}' does not match \` or \\`);
  d.escape = s;
  const e = s === '\\' ? '\\\\' : '`';
  d.continuation = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

/** Returns whether `line` was a parser directive. */
function directive(d: Directives, line: string): boolean {
  if (d.done) return false;
  if (!line.startsWith('#')) {
    d.done = true;
    return false;
  }
  const m = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/.exec(line.slice(1).trimStart());
  const key = m?.[1].toLowerCase();
  if (!m || !key || !['syntax', 'escape', 'check'].includes(key)) {
    d.done = true;
    return false;
  }
  if (d.seen.has(key)) throw new Error(`only one ${key} parser directive can be used`);
  d.seen.add(key);
  if (key === 'escape') setEscape(d, m[2]);
  if (key === 'syntax') d.syntax = m[2];
  return true;
}

const isComment = (line: string) => line.trimStart().startsWith('#');

export function parse(text: string): ParseResult {
  const d: Directives = { escape: '\\', continuation: /$^/, seen: new Set(), done: false };
  setEscape(d, '\\');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const nodes: Node[] = [];
  const warnings: string[] = [];
  let i = 0;
  const next = () => lines[i++].replace(/\r$/, '');
  while (i < lines.length) {
    const startLine = i + 1;
    let line = next().trimStart();
    try {
      if (directive(d, line)) continue;
    } catch (err) {
      throw textError((err as Error).message);
    }
    if (isComment(line)) continue;
    let ended = !d.continuation.test(line);
    if (!ended) line = line.replace(d.continuation, '$1');
    if (ended && line.trim() === '') continue;
    let buf = line;
    let emptyContinuation = false;
    while (!ended && i < lines.length) {
      const raw = next();
      if (isComment(raw)) continue;
      if (raw.trim() === '') {
        emptyContinuation = true;
        continue;
      }
      ended = !d.continuation.test(raw);
      buf += ended ? raw : raw.replace(d.continuation, '$1');
    }
    if (emptyContinuation) warnings.push(`Empty continuation line found in: ${buf}`);
    let node: Node;
    try {
      node = nodeFromLine(buf, d);
    } catch (err) {
      throw textError((err as Error).message);
    }
    const target = node.cmd === 'onbuild' && node.child ? node.child : node;
    if (HEREDOC_CMDS.has(target.cmd) && !target.json && buf.includes('<<')) {
      for (const h of heredocsOf(buf)) {
        let content = '';
        let terminated = false;
        while (i < lines.length) {
          const raw = lines[i++];
          let candidate = raw.replace(/\r?\n?$/, '').replace(/\r$/, '');
          if (h.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === h.name) {
            terminated = true;
            break;
          }
          content += raw + '\n';
        }
        if (!terminated) throw lineError(startLine, 'unterminated heredoc');
        target.heredocs.push({ ...h, content: h.chomp ? content.replace(/^\t+/gm, '') : content });
      }
    }
    node.startLine = startLine;
    node.endLine = i;
    nodes.push(node);
  }
  if (!nodes.length) throw textError('file with no instructions');
  return { nodes, escape: d.escape, warnings, ...(d.syntax ? { syntax: d.syntax } : {}) };
}

function heredocsOf(line: string): Omit<Heredoc, 'content'>[] {
  const out: Omit<Heredoc, 'content'>[] = [];
  for (const m of line.matchAll(/(?:^|\s)\d*<<(-?)\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\2(?=\s|$)/g)) {
    out.push({ name: m[3], chomp: m[1] === '-', expand: m[2] === '' });
  }
  return out;
}

export function nodeFromLine(line: string, d: Pick<Directives, 'escape'>): Node {
  const trimmed = line.trim();
  const m = WS.exec(trimmed);
  const value = m ? trimmed.slice(0, m.index) : trimmed;
  let rest = m ? trimmed.slice(m.index + m[0].length) : '';
  let flags: string[] = [];
  if (rest) [rest, flags] = extractFlags(rest, d.escape);
  rest = rest.trim();
  const node: Node = { value, cmd: value.toLowerCase(), original: line, flags, args: [], json: false, heredocs: [], startLine: 0, endLine: 0 };
  switch (node.cmd) {
    case 'add':
    case 'copy':
    case 'volume':
      maybeJson(node, rest, true);
      break;
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell':
      maybeJson(node, rest, false);
      break;
    case 'arg':
      node.args = parseWords(rest, d.escape);
      break;
    case 'env':
    case 'label':
      node.pairs = nameVal(rest, node.cmd.toUpperCase(), d.escape);
      break;
    case 'expose':
    case 'from':
      node.args = rest ? rest.split(WS) : [];
      break;
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      node.args = rest ? [rest] : [];
      break;
    case 'healthcheck': {
      const sp = /\s/.exec(rest);
      if (rest) {
        const typ = sp ? rest.slice(0, sp.index) : rest;
        const cmd = sp ? rest.slice(sp.index).trimStart() : '';
        const sub: Node = { ...node, args: [] };
        maybeJson(sub, cmd, false);
        node.args = [typ, ...sub.args];
        node.json = sub.json;
      }
      break;
    }
    case 'onbuild':
      if (rest) node.child = nodeFromLine(rest, d);
      break;
    default:
      break;
  }
  return node;
}

function maybeJson(node: Node, rest: string, list: boolean): void {
  if (!rest) return;
  const t = rest.trimStart();
  if (t.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed)) {
      if (!parsed.every((s) => typeof s === 'string')) throw new Error('when using JSON array syntax, arrays must be comprised of strings only');
      node.args = parsed as string[];
      node.json = true;
      return;
    }
  }
  node.args = list ? rest.split(WS) : [rest];
}

/** `--flag` words at the start of the arguments (quotes and escapes as BuildKit handles them). */
export function extractFlags(line: string, esc: string): [string, string[]] {
  const words: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && isSpace(line[pos])) pos++;
    if (pos >= line.length) return ['', words];
    if (!line.startsWith('--', pos)) return [line.slice(pos), words];
    let word = '';
    let quote = '';
    let blankOk = false;
    for (; pos < line.length; pos++) {
      const c = line[pos];
      if (quote) {
        if (c === quote) quote = '';
        else if (c === esc && pos + 1 < line.length) word += line[++pos];
        else if (c !== esc) word += c;
        continue;
      }
      if (isSpace(c)) break;
      if (c === "'" || c === '"') {
        quote = c;
        blankOk = true;
      } else if (c === esc) {
        if (pos + 1 < line.length) word += line[++pos];
      } else word += c;
    }
    if (word === '--') return [line.slice(pos), words];
    if (blankOk || word) words.push(word);
  }
}

/** Space-delimited or quoted words, quotes kept (they are removed at expansion). */
export function parseWords(rest: string, esc: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOk = false;
  const chars = [...rest];
  for (let p = 0; p < chars.length; p++) {
    const c = chars[p];
    if (!inWord) {
      if (isSpace(c)) continue;
      inWord = true;
    }
    if (quote) {
      if (c === quote) quote = '';
      if (c === esc && quote !== "'") {
        if (p + 1 === chars.length) continue;
        word += c;
        word += chars[++p];
        continue;
      }
      word += c;
      continue;
    }
    if (isSpace(c)) {
      if (blankOk || word) words.push(word);
      word = '';
      blankOk = false;
      inWord = false;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      blankOk = true;
    }
    if (c === esc) {
      if (p + 1 === chars.length) continue;
      word += c;
      word += chars[++p];
      continue;
    }
    word += c;
  }
  if (inWord && (blankOk || word)) words.push(word);
  return words;
}

function nameVal(rest: string, key: string, esc: string): { key: string; value: string; sep: '' | '=' }[] {
  const words = parseWords(rest, esc);
  if (!words.length) return [];
  if (!words[0].includes('=')) {
    const parts = rest.split(WS);
    if (parts.length < 2) throw new Error(`${key} must have two arguments`);
    const m = WS.exec(rest) as RegExpExecArray;
    return [{ key: parts[0], value: rest.slice(m.index + m[0].length), sep: '' }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) throw new Error(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return { key: w.slice(0, eq), value: w.slice(eq + 1), sep: '=' as const };
  });
}

/** Remove one level of quotes and escapes from a parsed word (ENV/LABEL/ARG values, keys). */
export function unquote(word: string, esc: '\\' | '`'): string {
  return new ShellLexer(esc).word(word, new Map());
}
