/**
 * Executor for parsed Go templates (parser.ts): walks the AST against JS data, with Go's
 * rules for pipelines, variables and scopes, field lookup, function calls, if/with/range,
 * and Go's error wording: `template: :1:2: executing "" at <.Foo>: ...`.
 *
 * Field lookup treats objects as Go's map[string]interface{} (docker's inspect data is
 * generic JSON). A function-valued property is called like a Go method (with arguments).
 * Missing keys follow text/template's `missingkey` option: 'default' yields "no value"
 * (prints `<no value>`); 'error' fails with `map has no entry for key "Foo"`, which is what
 * `docker inspect --format '{{.Config.Foo}}'` prints (checked against docker 20.10).
 */
import { FuncError, type ParamKind, type TemplateFunc } from './funcs.js';
import { GoNil, goPrint, goTypeName, isInt, isMap, isTrue, sortedKeys, structType } from './goprint.js';
import type { Arg, Command, ControlNode, Node, Pipe } from './parser.js';

export type MissingKey = 'default' | 'error';

/** An execution failure; `partial` is the output written before it (Go keeps it too). */
export class ExecError extends Error {
  constructor(message: string, readonly partial: string) {
    super(message);
  }
}

class Fail extends Error {
  constructor(message: string, readonly at: { pos: number; line: number; str: string }) {
    super(message);
  }
}
const BREAK = Symbol('break');
const CONTINUE = Symbol('continue');
/** "No final value" marker for the first command of a pipeline. */
const NONE = Symbol('none');

export function execute(
  src: string, tree: Node[], funcs: Record<string, TemplateFunc>, data: unknown, missingKey: MissingKey,
): string {
  const out: string[] = [];
  const vars: { name: string; value: unknown }[] = [{ name: '$', value: data }];

  try {
    walkList(data, tree);
  } catch (e) {
    if (e instanceof Fail) {
      const before = Buffer.from(src).subarray(0, e.at.pos).toString();
      const col = e.at.pos - (before.lastIndexOf('\n') === -1 ? 0 : Buffer.byteLength(before.slice(0, before.lastIndexOf('\n') + 1)));
      const msg = `template: :${e.at.line}:${col}: executing "" at <${e.at.str}>: ${e.message}`;
      throw new ExecError(msg, out.join(''));
    }
    throw e;
  }
  return out.join('');

  function walkList(dot: unknown, list: Node[]): void {
    for (const n of list) walk(dot, n);
  }

  function walk(dot: unknown, n: Node): void {
    switch (n.type) {
      case 'text': out.push(n.text); return;
      case 'action': {
        const v = evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) out.push(goPrint(v));
        return;
      }
      case 'if': case 'with': {
        const mark = vars.length;
        const v = evalPipeline(dot, n.pipe);
        if (isTrue(v)) walkList(n.type === 'with' ? v : dot, n.list);
        else if (n.elseList) walkList(dot, n.elseList);
        vars.length = mark;
        return;
      }
      case 'range': return walkRange(dot, n);
      case 'break': throw BREAK;
      case 'continue': throw CONTINUE;
    }
  }

  function walkRange(dot: unknown, n: ControlNode): void {
    const mark = vars.length;
    const v = evalPipeline(dot, { ...n.pipe, decl: [] });
    let entries: [unknown, unknown][];
    if (Array.isArray(v)) entries = v.map((e, i) => [i, e]);
    else if (v instanceof GoNil || v === null || v === undefined) entries = [];
    else if (isMap(v) && !structType(v)) entries = sortedKeys(v).map((k) => [k, v[k]]);
    else throw new Fail(`range can't iterate over ${goPrint(v)}`, n.pipe.cmds[0]!.args[0]!);
    for (const [k, e] of entries) {
      if (n.pipe.decl.length === 1) vars.push({ name: n.pipe.decl[0]!, value: e });
      else if (n.pipe.decl.length === 2) vars.push({ name: n.pipe.decl[0]!, value: k }, { name: n.pipe.decl[1]!, value: e });
      try {
        walkList(e, n.list);
      } catch (sig) {
        if (sig === BREAK) { vars.length = mark; return; }
        if (sig !== CONTINUE) throw sig;
      }
      vars.length = mark;
    }
    if (entries.length === 0 && n.elseList) walkList(dot, n.elseList);
    vars.length = mark;
  }

  function evalPipeline(dot: unknown, pipe: Pipe): unknown {
    let value: unknown = NONE;
    for (const cmd of pipe.cmds) value = evalCommand(dot, cmd, value);
    for (const name of pipe.decl) {
      if (pipe.isAssign) {
        for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.name === name) { vars[i]!.value = value; break; }
      } else vars.push({ name, value });
    }
    return value;
  }

  function evalCommand(dot: unknown, cmd: Command, final: unknown): unknown {
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field': return evalChain(dot, dot, first, first.names, cmd.args, final);
      case 'variable': return evalChain(dot, lookupVar(first.name), first, first.names, cmd.args, final);
      case 'chain': return evalChain(dot, evalArg(dot, first.node), first, first.names, cmd.args, final);
      case 'identifier': return evalFunction(dot, first.name, first, cmd, final);
      case 'nil': throw new Fail('nil is not a command', first);
      default:
        if (cmd.args.length > 1 || final !== NONE) throw new Fail(`can't give argument to non-function ${first.str}`, first);
        return evalArg(dot, first);
    }
  }

  function lookupVar(name: string): unknown {
    for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.name === name) return vars[i]!.value;
    return undefined;
  }

  /** Evaluate `receiver.names...`; only the last name may take the command's arguments. */
  function evalChain(dot: unknown, receiver: unknown, node: Arg, names: string[], args: Arg[], final: unknown): unknown {
    if (names.length === 0) {
      if (args.length > 1 || final !== NONE) throw new Fail(`can't give argument to non-function ${node.str}`, node);
      return receiver;
    }
    let v = receiver;
    names.forEach((name, i) => {
      const last = i === names.length - 1;
      v = evalField(dot, v, name, node, last ? args : [], last ? final : NONE);
    });
    return v;
  }

  function evalField(dot: unknown, recv: unknown, name: string, node: Arg, args: Arg[], final: unknown): unknown {
    const hasArgs = args.length > 1 || final !== NONE;
    if (recv instanceof GoNil && recv.field) throw new Fail(`map has no entry for key "${recv.field}"`, node);
    if (recv === undefined || recv instanceof GoNil) {
      if (missingKey === 'error') throw new Fail(recv === undefined ? `nil data; no entry for key "${name}"` : `map has no entry for key "${name}"`, node);
      return undefined;
    }
    if (recv === null) throw new Fail(`nil pointer evaluating interface {}.${name}`, node);
    if (typeof recv === 'object' && !Array.isArray(recv)) {
      const obj = recv as Record<string, unknown>;
      const member = obj[name];
      if (typeof member === 'function') {
        const callArgs = args.slice(1).map((a) => evalArg(dot, a));
        if (final !== NONE) callArgs.push(final);
        return callUser(name, node, () => (member as (...a: unknown[]) => unknown).apply(recv, callArgs));
      }
      // Own data, or a getter of a class instance (Go: a struct field or method), never
      // what every object inherits (toString, constructor...).
      const field = Object.prototype.hasOwnProperty.call(obj, name) || (!(name in Object.prototype) && name in obj);
      if (field && member !== undefined) {
        if (hasArgs) throw new Fail(`${name} is not a method but has arguments`, node);
        return member;
      }
      const struct = structType(recv);
      if (struct) throw new Fail(`can't evaluate field ${name} in type ${struct}`, node);
      if (missingKey === 'error') throw new Fail(`map has no entry for key "${name}"`, node);
      return undefined;
    }
    const type = missingKey === 'error' ? 'interface {}' : goTypeName(recv);
    throw new Fail(`can't evaluate field ${name} in type ${type}`, node);
  }

  function callUser(name: string, at: { pos: number; line: number; str: string }, call: () => unknown): unknown {
    try {
      return call();
    } catch (e) {
      if (e instanceof Fail || e === BREAK || e === CONTINUE) throw e;
      throw new Fail(`error calling ${name}: ${e instanceof Error ? e.message : String(e)}`, at);
    }
  }

  function evalFunction(dot: unknown, name: string, ident: Arg, cmd: Command, final: unknown): unknown {
    const argNodes = cmd.args.slice(1);
    if (name === 'and' || name === 'or') {
      const n = argNodes.length + (final !== NONE ? 1 : 0);
      if (n < 1) throw new Fail(`wrong number of args for ${name}: want at least 1 got 0`, ident);
      let v: unknown;
      for (const a of argNodes) {
        v = evalArg(dot, a);
        if (isTrue(v) !== (name === 'and')) return v;
      }
      return final !== NONE ? final : v;
    }
    const f = funcs[name];
    if (!f) throw new Fail(`"${name}" is not a defined function`, ident);
    const got = argNodes.length + (final !== NONE ? 1 : 0);
    if (f.params) {
      const want = f.params.length;
      if (f.variadic ? got < want : got !== want) {
        throw new Fail(`wrong number of args for ${name}: want ${f.variadic ? 'at least ' : ''}${want} got ${got}`, ident);
      }
    }
    const values = argNodes.map((a, i) => checkArg(evalArg(dot, a), kindAt(f, i), a));
    if (final !== NONE) values.push(checkArg(final, kindAt(f, values.length), ident));
    return callUser(name, cmd, () => f.fn(...values));
  }

  function kindAt(f: TemplateFunc, i: number): ParamKind {
    return f.params?.[i] ?? f.variadic ?? 'any';
  }

  function checkArg(v: unknown, kind: ParamKind, node: Arg): unknown {
    if (kind === 'any') return v === undefined ? null : v;
    const ok = kind === 'string' ? typeof v === 'string' : kind === 'int' ? isInt(v)
      : Array.isArray(v) ? v.every((e) => typeof e === 'string') : v instanceof GoNil && v.kind === 'slice';
    if (ok) return v instanceof GoNil ? [] : v;
    const goKind = kind === 'strings' ? '[]string' : kind;
    if (node.type === 'literal' || node.type === 'nil') {
      throw new Fail(`expected ${goKind}; found ${node.str}`, node);
    }
    if (v === undefined || v === null) throw new Fail(`invalid value; expected ${goKind}`, node);
    throw new Fail(`wrong type for value; expected ${goKind}; got ${goTypeName(v)}`, node);
  }

  function evalArg(dot: unknown, a: Arg): unknown {
    switch (a.type) {
      case 'dot': return dot;
      case 'nil': return null;
      case 'literal': return a.value;
      case 'field': return evalChain(dot, dot, a, a.names, [a], NONE);
      case 'variable': return evalChain(dot, lookupVar(a.name), a, a.names, [a], NONE);
      case 'chain': return evalChain(dot, evalArg(dot, a.node), a, a.names, [a], NONE);
      case 'pipe': {
        const mark = vars.length;
        const v = evalPipeline(dot, a.pipe);
        vars.length = mark;
        return v === NONE ? undefined : v;
      }
      case 'identifier':
        return evalFunction(dot, a.name, a, { pos: a.pos, line: a.line, str: a.str, args: [a] }, NONE);
    }
  }
}
