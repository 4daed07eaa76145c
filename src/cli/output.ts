/**
 * Output helpers shared by commands: Docker-style tables and `--format` templates
 * (Go template syntax via cli/format), and JSON the way `docker inspect` indents it.
 */
import { compileTemplate, renderRows, NIL_MAP, NIL_SLICE } from './format/template.js';
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
  const tpl = compileTemplate(format, undefined, { missingKey: 'error' });
  for (const v of values) ctx.out(tpl.execute(withTypedNils(v)));
}

/**
 * JSON null loses Go's type: a nil slice prints `[]` and a nil map `map[]` in docker's
 * templates. Mark the null fields of Docker's config structs with their Go kind.
 */
const SLICE_FIELDS = new Set(['Env', 'Cmd', 'Entrypoint', 'OnBuild', 'Shell', 'RepoTags', 'RepoDigests', 'Layers', 'Args', 'Mounts', 'Binds', 'Dns', 'DnsOptions', 'DnsSearch', 'ExtraHosts', 'CapAdd', 'CapDrop', 'Test']);
const MAP_FIELDS = new Set(['Volumes', 'Labels', 'ExposedPorts', 'Ports', 'Data', 'Networks', 'PortBindings']);

export function withTypedNils(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withTypedNils);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null && SLICE_FIELDS.has(k)) out[k] = NIL_SLICE;
    else if (v === null && MAP_FIELDS.has(k)) out[k] = NIL_MAP;
    else out[k] = withTypedNils(v);
  }
  return out;
}

/** commander helper for repeatable options (`-f a -f b`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** docker/cli's Ellipsis: cut to `max` runes, the last one an ellipsis. */
export function ellipsis(s: string, max: number): string {
  const runes = [...s];
  return runes.length <= max ? s : runes.slice(0, max - 1).join('') + '…';
}
