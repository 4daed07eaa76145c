/**
 * compileTemplate: parse a Go template once (parser.ts), execute it many times (exec.ts),
 * with Go's builtins, docker's functions (funcs.ts) and the caller's own; failures become
 * WharfError('INVALID_ARGUMENT') with docker's wording (see template.ts for the contract).
 */
import { WharfError } from '../../core/errors.js';
import { ExecError, execute, type MissingKey } from './exec.js';
import { builtins, dockerFuncs, type TemplateFunc } from './funcs.js';
import { ParseError, parse } from './parser.js';

export type UserFunc = (...args: any[]) => unknown;

export interface CompileOptions {
  /** What a missing map key does: 'default' -> `<no value>`, 'error' -> an execution error. */
  missingKey?: MissingKey;
  /** Internal: functions with declared parameter kinds, overriding the defaults (table headers). */
  typedFuncs?: Record<string, TemplateFunc>;
}

export interface CompiledTemplate {
  /** Run the template on `data`; throws TemplateError on an execution error. */
  execute(data: unknown): string;
}

/** A template error; `partial` is what was printed before an execution error. */
export class TemplateError extends WharfError {
  constructor(message: string, readonly partial = '') {
    super('INVALID_ARGUMENT', `template parsing error: ${message}`, { reason: 'TEMPLATE' });
  }
}

export function compileTemplate(text: string, funcs?: Record<string, UserFunc>, options: CompileOptions = {}): CompiledTemplate {
  const all: Record<string, TemplateFunc> = { ...builtins, ...dockerFuncs, ...options.typedFuncs };
  for (const [name, fn] of Object.entries(funcs ?? {})) all[name] = { fn };
  const names = new Set([...Object.keys(all), 'and', 'or']);
  let tree;
  try {
    tree = parse(text, names);
  } catch (e) {
    if (e instanceof ParseError) throw new TemplateError(e.message);
    throw e;
  }
  const missingKey = options.missingKey ?? 'default';
  return {
    execute(data: unknown): string {
      try {
        return execute(text, tree, all, data, missingKey);
      } catch (e) {
        if (e instanceof ExecError) throw new TemplateError(e.message, e.partial);
        throw e;
      }
    },
  };
}
