/**
 * Go `text/template` for wharf's `--format` flags: the public entry point.
 *
 * `compileTemplate(text, funcs?, options?)` parses once (lexer.ts, parser.ts) and returns an
 * object whose `execute(data)` walks the tree (exec.ts) and prints values as Go's fmt does
 * (goprint.ts, printf.ts). Available functions: Go's builtins, docker/cli's extra functions
 * (funcs.ts) and the caller's own. No npm package reproduces Go's text/template and fmt
 * printing faithfully, so this is our own implementation, checked against docker 20.10.
 *
 * Errors read as docker prints them and are thrown as WharfError('INVALID_ARGUMENT'):
 *   template parsing error: template: :1: unclosed action
 *   template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"
 * (docker prefixes execution errors with "template parsing error" too.)
 * Missing keys: `missingKey: 'default'` (Go's default) prints `<no value>`; `'error'` is what
 * `docker inspect` does (its fallback runs on the generic JSON with missingkey=error), so
 * inspect callers pass `{ missingKey: 'error' }`; row formatters (images, history) keep the default.
 */
export { compileTemplate, TemplateError, type CompileOptions, type CompiledTemplate, type UserFunc } from './compile.js';
export { GoNil, NIL_MAP, NIL_SLICE, goPrint } from './goprint.js';
export { sprintf, sprint, sprintln } from './printf.js';
export { goJson, type TemplateFunc } from './funcs.js';
export { renderRows, tabwrite, parseFormat, type RenderOptions } from './table.js';
export { tabwriteText, DOCKER_TABWRITER, type TabwriterOptions } from './tabwriter.js';
export type { MissingKey } from './exec.js';
