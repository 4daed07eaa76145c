/**
 * Parser for Go `text/template`: tokens (lexer.ts) -> a small AST that exec.ts walks.
 *
 * Follows Go's grammar for actions, pipelines, declarations (`$x := ...`, `$x = ...`),
 * `if` / `else if` / `with` / `else with` / `range` / `break` / `continue`, and reports
 * errors in Go's words (`template: :1: unclosed action`, `function "foo" not defined`, ...).
 * Every node keeps `str` (Go's String() of the node) for `executing "" at <...>` errors.
 */
import { lex, LexError, type Token } from './lexer.js';

export type Arg =
  | { type: 'field'; pos: number; line: number; str: string; names: string[] }
  | { type: 'variable'; pos: number; line: number; str: string; name: string; names: string[] }
  | { type: 'chain'; pos: number; line: number; str: string; node: Arg; names: string[] }
  | { type: 'identifier'; pos: number; line: number; str: string; name: string }
  | { type: 'dot' | 'nil'; pos: number; line: number; str: string }
  | { type: 'literal'; pos: number; line: number; str: string; value: string | number | boolean }
  | { type: 'pipe'; pos: number; line: number; str: string; pipe: Pipe };

export interface Command { pos: number; line: number; str: string; args: Arg[] }
export interface Pipe { pos: number; line: number; str: string; decl: string[]; isAssign: boolean; cmds: Command[] }

export type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pos: number; line: number; pipe: Pipe }
  | ControlNode
  | { type: 'break' | 'continue'; pos: number; line: number };

export interface ControlNode {
  type: 'if' | 'with' | 'range';
  pos: number;
  line: number;
  pipe: Pipe;
  list: Node[];
  elseList: Node[] | null;
}

const OPERAND_START = new Set(['bool', 'char', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

export class ParseError extends Error {}

/** Parse `text`; `funcs` are the names callable as functions (checked at parse time, as Go does). */
export function parse(text: string, funcs: ReadonlySet<string>): Node[] {
  let toks: Token[];
  try {
    toks = lex(text);
  } catch (e) {
    if (e instanceof LexError) throw new ParseError(`template: :${e.line}: ${e.message}`);
    throw e;
  }
  let p = 0;
  const vars: string[] = ['$'];
  let rangeDepth = 0;

  const fail = (msg: string, tok: Token = toks[Math.min(p, toks.length - 1)]!): never => {
    throw new ParseError(`template: :${tok.line}: ${msg}`);
  };
  const peek = () => toks[p]!;
  const next = () => toks[p++]!;
  const skipSpace = () => { while (peek().kind === 'space') p++; };
  const peekNonSpace = () => { skipSpace(); return peek(); };
  /** Go's item.String(): EOF, <keyword>, or the quoted text (cut after 10 characters). */
  const describe = (t: Token) =>
    t.kind === 'eof' ? 'EOF' : t.kind === 'keyword' ? `<${t.val}>`
      : t.val.length > 10 ? `${JSON.stringify(t.val.slice(0, 10))}...` : JSON.stringify(t.val);

  const list = itemList('top');
  return list.nodes;

  /** Items until EOF (top level) or `{{end}}` / `{{else}}` (inside a control). */
  function itemList(ctx: 'top' | 'control'): { nodes: Node[]; stop: 'end' | 'else' | 'eof' } {
    const nodes: Node[] = [];
    for (;;) {
      const t = next();
      if (t.kind === 'eof') {
        if (ctx === 'control') fail('unexpected EOF', t);
        return { nodes, stop: 'eof' };
      }
      if (t.kind === 'text') { nodes.push({ type: 'text', text: t.val }); continue; }
      // leftDelim
      const k = peekNonSpace();
      if (k.kind === 'keyword' && (k.val === 'end' || k.val === 'else')) {
        if (ctx === 'top') fail(`unexpected {{${k.val}}}`, k);
        next();
        if (k.val === 'end') { expectRight('end'); return { nodes, stop: 'end' }; }
        return { nodes, stop: 'else' };
      }
      nodes.push(action());
    }
  }

  function expectRight(ctx: string) {
    const t = peekNonSpace();
    if (t.kind !== 'rightDelim') fail(`unexpected ${describe(t)} in ${ctx}`, t);
    next();
  }

  function action(): Node {
    const t = peekNonSpace();
    if (t.kind === 'keyword') {
      switch (t.val) {
        case 'if': case 'with': case 'range':
          next();
          return control(t.val, t);
        case 'break': case 'continue':
          next();
          if (rangeDepth === 0) fail(`{{${t.val}}} outside {{range}}`, t);
          expectRight(t.val);
          return { type: t.val, pos: t.pos, line: t.line };
        default:
          fail(`{{${t.val}}} is not supported by wharf templates`, t);
      }
    }
    return { type: 'action', pos: t.pos, line: t.line, pipe: pipeline('command', 'rightDelim') };
  }

  function control(kind: 'if' | 'with' | 'range', t: Token): Node {
    const mark = vars.length;
    const pipe = pipeline(kind, 'rightDelim');
    if (kind === 'range') rangeDepth++;
    const body = itemList('control');
    if (kind === 'range') rangeDepth--;
    let elseList: Node[] | null = null;
    if (body.stop === 'else') {
      const k = peekNonSpace();
      if ((kind === 'if' || kind === 'with') && k.kind === 'keyword' && k.val === kind) {
        // "{{else if ...}}" is an if nested in the else branch, sharing the same {{end}}.
        next();
        vars.length = mark;
        elseList = [control(kind, k)];
      } else {
        expectRight('else');
        vars.length = mark;
        const rest = itemList('control');
        if (rest.stop === 'else') fail('expected end; found {{else}}');
        elseList = rest.nodes;
      }
    }
    vars.length = mark;
    return { type: kind, pos: pipe.pos, line: t.line, pipe, list: body.nodes, elseList };
  }

  function pipeline(ctx: string, end: 'rightDelim' | 'rightParen'): Pipe {
    const start = peekNonSpace();
    const decl: string[] = [];
    let isAssign = false;
    // Declarations: $x := / $x = / $i, $e :=
    if (start.kind === 'variable') {
      const save = p;
      const names = [next().val];
      skipSpace();
      if (peek().kind === 'comma' && ctx === 'range') {
        next(); skipSpace();
        if (peek().kind === 'variable') names.push(next().val); else fail('missing variable after comma');
        skipSpace();
      }
      const op = peek();
      if (op.kind === 'declare' || op.kind === 'assign') {
        next();
        isAssign = op.kind === 'assign';
        if (names.length === 2 && isAssign) fail('range can only initialize variables');
        for (const n of names) {
          if (isAssign && !vars.includes(n)) fail(`undefined variable "${n}"`, start);
          if (!isAssign) vars.push(n);
          decl.push(n);
        }
      } else {
        p = save;
      }
    }
    const cmds: Command[] = [];
    for (;;) {
      const t = peekNonSpace();
      if (t.kind === end) {
        next();
        if (cmds.length === 0) fail(`missing value for ${ctx}`, t);
        break;
      }
      if (!OPERAND_START.has(t.kind)) fail(`unexpected ${describe(t)} in ${ctx}`, t);
      cmds.push(command(end));
      if (peek().kind === 'pipe') { next(); if (peekNonSpace().kind === end) fail(`missing value for command`, peek()); }
    }
    const declStr = decl.length ? `${decl.join(', ')} ${isAssign ? '=' : ':='} ` : '';
    return { pos: start.pos, line: start.line, str: declStr + cmds.map((c) => c.str).join(' | '), decl, isAssign, cmds };
  }

  function command(end: 'rightDelim' | 'rightParen'): Command {
    const first = peekNonSpace();
    const args: Arg[] = [];
    for (;;) {
      skipSpace();
      const t = peek();
      if (t.kind === end || t.kind === 'pipe') break;
      if (t.kind === 'rightDelim' || t.kind === 'rightParen' || t.kind === 'eof') fail(`unexpected ${describe(t)} in operand`, t);
      args.push(operand());
      const after = peek();
      if (!['space', 'pipe', end].includes(after.kind)) fail(`unexpected ${describe(after)} in operand`, after);
    }
    if (args.length === 0) fail('empty command', first);
    return { pos: first.pos, line: first.line, str: args.map((a) => (a.type === 'pipe' ? `(${a.str})` : a.str)).join(' '), args };
  }

  function operand(): Arg {
    let node = term();
    if (peek().kind === 'field') {
      const names: string[] = [];
      const chainPos = peek().pos;
      while (peek().kind === 'field') names.push(next().val.slice(1));
      const suffix = names.map((n) => '.' + n).join('');
      if (node.type === 'field') node = { ...node, pos: chainPos, str: node.str + suffix, names: [...node.names, ...names] };
      else if (node.type === 'variable') node = { ...node, pos: chainPos, str: node.str + suffix, names: [...node.names, ...names] };
      else if (node.type === 'identifier' || node.type === 'literal' || node.type === 'nil' || node.type === 'dot')
        fail(`unexpected . after term "${node.str}"`);
      else node = { type: 'chain', pos: chainPos, line: node.line, str: `(${node.str})${suffix}`, node, names };
    }
    return node;
  }

  function term(): Arg {
    const t = next();
    const at = { pos: t.pos, line: t.line, str: t.val };
    switch (t.kind) {
      case 'identifier':
        if (!funcs.has(t.val)) fail(`function "${t.val}" not defined`, t);
        return { type: 'identifier', ...at, name: t.val };
      case 'dot': return { type: 'dot', ...at };
      case 'nil': return { type: 'nil', ...at };
      case 'variable':
        if (!vars.includes(t.val)) fail(`undefined variable "${t.val}"`, t);
        return { type: 'variable', ...at, name: t.val, names: [] };
      case 'field': return { type: 'field', ...at, names: [t.val.slice(1)] };
      case 'bool': return { type: 'literal', ...at, value: t.val === 'true' };
      case 'number': return { type: 'literal', ...at, value: parseNumber(t) };
      case 'char': return { type: 'literal', ...at, value: unquote(t.val, t).codePointAt(0) ?? 0 };
      case 'string': return { type: 'literal', ...at, value: unquote(t.val, t) };
      case 'rawString': return { type: 'literal', ...at, value: t.val.slice(1, -1).replace(/\r/g, '') };
      case 'leftParen': {
        const pipe = pipeline('parenthesized pipeline', 'rightParen');
        return { type: 'pipe', pos: t.pos, line: t.line, str: pipe.str, pipe };
      }
      default:
        return fail(`unexpected ${describe(t)} in operand`, t);
    }
  }

  function parseNumber(t: Token): number {
    const s = t.val.replace(/_/g, '');
    const neg = s.startsWith('-');
    const body = s.replace(/^[+-]/, '');
    let n: number;
    if (/^0[bB]/.test(body)) n = parseInt(body.slice(2), 2);
    else if (/^0[oO]/.test(body)) n = parseInt(body.slice(2), 8);
    else if (/^0[0-7]+$/.test(body)) n = parseInt(body, 8);
    else n = Number(body);
    if (Number.isNaN(n)) fail(`illegal number syntax: "${t.val}"`, t);
    return neg ? -n : n;
  }

  function unquote(q: string, t: Token): string {
    const ESC: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    return q.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_m, e: string) => {
      if (e in ESC) return ESC[e]!;
      if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
      if (/^[0-7]{3}$/.test(e)) return String.fromCodePoint(parseInt(e, 8));
      return fail(`invalid syntax`, t);
    });
  }
}
