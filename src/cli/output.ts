/**
 * Output helpers shared by commands: Docker-style tables and `--format` templates
 * (Go template syntax via cli/format), and JSON the way `docker inspect` indents it.
 */
import { compileTemplate, renderRows } from './format/template.js';
import type { CliContext } from './context.js';

/** Print rows with `format` (or the command's default table format). */
export function printRows(ctx: CliContext, rows: object[], opts: { format?: string; defaultFormat: string; headers: Record<string, string> }): void {
  const format = opts.format && opts.format !== 'table' ? opts.format : opts.format === 'table' ? opts.defaultFormat : opts.defaultFormat;
  if (format === 'json' || format === '{{json .}}') {
    for (const r of rows) ctx.out(JSON.stringify(r));
    return;
  }
  const text = renderRows(format, rows, opts.headers);
  if (text) ctx.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** `inspect` output: an indented JSON array, or one template line per object. */
export function printInspect(ctx: CliContext, values: unknown[], format?: string): void {
  if (!format) {
    ctx.out(values.length ? JSON.stringify(values, null, 4) : '[]');
    return;
  }
  if (format === 'json') {
    ctx.out(JSON.stringify(values));
    return;
  }
  const tpl = compileTemplate(format);
  for (const v of values) ctx.out(tpl.execute(v));
}

/** commander helper for repeatable options (`-f a -f b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
