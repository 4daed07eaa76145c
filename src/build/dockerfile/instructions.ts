/**
 * Parsed nodes -> typed instructions grouped in stages, with the argument and flag checks
 * Docker makes before any step runs (and its error texts, located at the node's line).
 * Values stay unexpanded: variables are expanded per step with the stage's env and args.
 */
import { lineError, parse, ParseError, type Heredoc, type Node } from './parser.js';

export interface Flags {
  [name: string]: string[];
}

interface Base {
  line: number;
  /** The step as Docker prints it: `RUN echo hi`, the original text. */
  text: string;
  flags: Flags;
}

export type Instruction =
  | (Base & { kind: 'from'; image: string; as?: string; platform?: string })
  | (Base & { kind: 'run' | 'cmd' | 'entrypoint'; args: string[]; json: boolean; heredocs: Heredoc[] })
  | (Base & { kind: 'shell'; args: string[] })
  | (Base & { kind: 'env' | 'label'; pairs: { key: string; value: string }[] })
  | (Base & { kind: 'arg'; args: { key: string; value?: string }[] })
  | (Base & { kind: 'copy' | 'add'; sources: string[]; dest: string; heredocs: Heredoc[] })
  | (Base & { kind: 'expose' | 'volume'; args: string[] })
  | (Base & { kind: 'workdir' | 'user' | 'maintainer' | 'stopsignal'; value: string })
  | (Base & { kind: 'onbuild'; expression: string })
  | (Base & { kind: 'healthcheck'; test: string[] | null; interval?: number; timeout?: number; startPeriod?: number; retries?: number });

export interface Stage {
  index: number;
  name?: string;
  from: Extract<Instruction, { kind: 'from' }>;
  steps: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM. */
  metaArgs: Extract<Instruction, { kind: 'arg' }>[];
  stages: Stage[];
  escape: '\\' | '`';
  warnings: string[];
  syntax?: string;
}

const KNOWN_FLAGS: Record<string, string[]> = {
  from: ['platform'],
  run: ['mount', 'network', 'security'],
  copy: ['from', 'chown', 'chmod', 'link'],
  add: ['chown', 'chmod', 'checksum', 'link'],
  healthcheck: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
};

function parseFlags(node: Node): Flags {
  const allowed = KNOWN_FLAGS[node.cmd] ?? [];
  const out: Flags = {};
  for (const f of node.flags) {
    const body = f.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    if (!allowed.includes(name)) throw new Error(`Unknown flag: ${name}`);
    (out[name] ??= []).push(eq < 0 ? 'true' : body.slice(eq + 1));
  }
  return out;
}

/** Go's time.ParseDuration, in nanoseconds. */
export function parseDuration(s: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)?/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let pos = 0;
  if (!s) throw new Error('time: invalid duration ""');
  while (pos < s.length && (m = re.exec(s))) {
    if (!m[2]) throw new Error(`time: missing unit in duration "${s}"`);
    total += Number(m[1]) * units[m[2]];
    pos = re.lastIndex;
  }
  if (pos !== s.length) throw new Error(`time: invalid duration "${s}"`);
  return Math.round(total);
}

function one(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return v ? v[v.length - 1] : undefined;
}

export function toInstruction(node: Node, inOnbuild = false): Instruction {
  const flags = parseFlags(node);
  const name = node.cmd.toUpperCase();
  const base = { line: node.startLine, text: node.original.trim(), flags };
  const atLeast = (n: number) => {
    if (node.args.length < n) throw new Error(`${name} requires at least one argument`);
  };
  const exactlyOne = () => {
    if (node.args.length !== 1) throw new Error(`${name} requires exactly one argument`);
  };
  switch (node.cmd) {
    case 'from': {
      if (inOnbuild) throw new Error("FROM isn't allowed as an ONBUILD trigger");
      const a = node.args;
      if (a.length !== 1 && !(a.length === 3 && a[1].toLowerCase() === 'as')) throw new Error('FROM requires either one or three arguments');
      if (a.length === 3 && !/^[a-z][a-z0-9-_.]*$/.test(a[2].toLowerCase())) throw new Error(`invalid name for build stage: "${a[2]}", name can't start with a number or contain symbols`);
      return { ...base, kind: 'from', image: a[0], ...(a[2] ? { as: a[2].toLowerCase() } : {}), ...(one(flags, 'platform') ? { platform: one(flags, 'platform') } : {}) };
    }
    case 'run':
      if (!node.args.length && !node.heredocs.length) atLeast(1);
      return { ...base, kind: 'run', args: node.args, json: node.json, heredocs: node.heredocs };
    case 'cmd':
    case 'entrypoint':
      return { ...base, kind: node.cmd, args: node.args, json: node.json, heredocs: node.heredocs };
    case 'shell':
      atLeast(1);
      if (!node.json) throw new Error('SHELL requires the arguments to be in JSON form');
      return { ...base, kind: 'shell', args: node.args };
    case 'env':
    case 'label':
      if (!node.pairs?.length) {
        if (node.cmd === 'env') throw new Error('ENV names can not be blank');
        throw new Error('LABEL requires at least one argument');
      }
      for (const p of node.pairs) if (!p.key) throw new Error(`${name} names can not be blank`);
      return { ...base, kind: node.cmd, pairs: node.pairs.map(({ key, value }) => ({ key, value })) };
    case 'arg': {
      if (!node.args.length) throw new Error('ARG requires at least one argument');
      const args = node.args.map((w) => {
        const eq = w.indexOf('=');
        const key = eq < 0 ? w : w.slice(0, eq);
        if (!key) throw new Error('ARG names can not be blank');
        return eq < 0 ? { key } : { key, value: w.slice(eq + 1) };
      });
      return { ...base, kind: 'arg', args };
    }
    case 'copy':
    case 'add': {
      const n = node.args.length + node.heredocs.length;
      if (n < 2 && !(node.args.length === 1 && node.heredocs.length)) {
        if (node.args.length === 0) throw new Error(`${name} requires at least two arguments`);
        throw new Error(`${name} requires at least two arguments, but only one was provided. Destination could not be determined`);
      }
      const args = node.args;
      const dest = args[args.length - 1];
      const sources = args.slice(0, -1);
      return { ...base, kind: node.cmd, sources, dest, heredocs: node.heredocs };
    }
    case 'expose':
    case 'volume':
      atLeast(1);
      return { ...base, kind: node.cmd, args: node.args };
    case 'workdir':
    case 'user':
    case 'maintainer':
    case 'stopsignal':
      exactlyOne();
      return { ...base, kind: node.cmd, value: node.args[0] };
    case 'onbuild': {
      if (!node.child) throw new Error('ONBUILD requires at least one argument');
      const c = node.child.cmd;
      if (c === 'onbuild') throw new Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (c === 'maintainer') throw new Error("MAINTAINER isn't allowed as an ONBUILD trigger");
      toInstruction(node.child, true);
      const expr = node.original.trim().replace(/^\S+\s+/, '');
      return { ...base, kind: 'onbuild', expression: expr };
    }
    case 'healthcheck': {
      if (!node.args.length) throw new Error('HEALTHCHECK requires at least one argument');
      const typ = node.args[0].toUpperCase();
      if (typ === 'NONE') {
        if (node.args.length > 1) throw new Error('HEALTHCHECK NONE takes no arguments');
        return { ...base, kind: 'healthcheck', test: ['NONE'] };
      }
      if (typ !== 'CMD') throw new Error(`Unknown type "${typ}" in HEALTHCHECK (try CMD)`);
      const cmd = node.args.slice(1);
      if (!cmd.length) throw new Error('Missing command after HEALTHCHECK CMD');
      const test = node.json ? ['CMD', ...cmd] : ['CMD-SHELL', cmd[0]];
      const dur = (f: string) => {
        const v = one(flags, f);
        if (v === undefined) return undefined;
        const d = parseDuration(v);
        if (d !== 0 && d < 1e6) throw new Error(`Interval "${f}" cannot be less than 1ms`);
        return d;
      };
      const r = one(flags, 'retries');
      const retries = r === undefined ? undefined : Number.parseInt(r, 10);
      if (retries !== undefined && (Number.isNaN(retries) || retries < 0)) throw new Error('--retries cannot be negative');
      return { ...base, kind: 'healthcheck', test, interval: dur('interval'), timeout: dur('timeout'), startPeriod: dur('start-period'), retries };
    }
    default:
      throw new Error(`unknown instruction: ${name}`);
  }
}

/** Parse a Dockerfile into stages; errors read as Docker's (`dockerfile parse error line N: ...`). */
export function parseDockerfile(text: string, name = 'Dockerfile'): Dockerfile {
  if (text.trim() === '') throw new ParseError(`the Dockerfile (${name}) cannot be empty`);
  const r = parse(text);
  const df: Dockerfile = { metaArgs: [], stages: [], escape: r.escape, warnings: r.warnings, ...(r.syntax ? { syntax: r.syntax } : {}) };
  for (const node of r.nodes) {
    let ins: Instruction;
    try {
      ins = toInstruction(node);
    } catch (err) {
      throw lineError(node.startLine, (err as Error).message);
    }
    if (ins.kind === 'from') {
      df.stages.push({ index: df.stages.length, ...(ins.as ? { name: ins.as } : {}), from: ins, steps: [] });
    } else if (!df.stages.length) {
      if (ins.kind !== 'arg') throw new ParseError('no build stage in current context');
      df.metaArgs.push(ins);
    } else {
      df.stages[df.stages.length - 1].steps.push(ins);
    }
  }
  if (!df.stages.length) throw new ParseError('no build stage in current context');
  return df;
}
