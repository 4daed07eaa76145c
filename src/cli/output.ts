/**
 * Output helpers shared by commands: Docker-style tables and `--format` templates
 * (Go template syntax via cli/format), and JSON the way `docker inspect` indents it.
 */
import { compileTemplate, goJson, renderRows, GoNil, NIL_MAP, NIL_SLICE } from './format/template.js';
import type { CliContext } from './context.js';

/** Print rows with `format` (or the command's default table format). */
export function printRows(ctx: CliContext, rows: object[], opts: { format?: string; defaultFormat: string; headers: Record<string, string>; goType?: string }): void {
  const format = opts.format && opts.format !== 'table' ? opts.format : opts.format === 'table' ? opts.defaultFormat : opts.defaultFormat;
  if (format === 'json' || format === '{{json .}}') {
    // A list row's MarshalJSON in docker: json.Marshal of a map, so keys sorted and <>& escaped.
    for (const r of rows) ctx.out(goJson(r, { sortKeys: true, escapeHTML: true }));
    return;
  }
  // docker's rows are structs: an unknown field or `range .` is an error (the type is in its message)
  const text = renderRows(format, rows, opts.headers, { goType: opts.goType ?? '*formatter.context' });
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
  // As docker's template inspector: every object is tried, the lines that worked are
  // printed (a blank line when none did), then the errors.
  const lines: string[] = [];
  const errors: unknown[] = [];
  for (const v of values) {
    try {
      lines.push(tpl.execute(withTypedNils(v)));
    } catch (err) {
      errors.push(err);
    }
  }
  ctx.out(lines.join('\n'));
  for (const err of errors) ctx.softFail(err);
}

/**
 * JSON null loses Go's type: a nil slice prints `[]` and a nil map `map[]` in docker's
 * templates. Mark the null fields of Docker's config structs with their Go kind.
 */
const SLICE_FIELDS = new Set(['Env', 'Cmd', 'Entrypoint', 'OnBuild', 'Shell', 'RepoTags', 'RepoDigests', 'Layers', 'Args', 'Mounts', 'Binds', 'Dns', 'DnsOptions', 'DnsSearch', 'ExtraHosts', 'CapAdd', 'CapDrop', 'Test']);
const MAP_FIELDS = new Set(['Volumes', 'Labels', 'ExposedPorts', 'Ports', 'Data', 'Networks', 'PortBindings']);

/**
 * The `omitempty` fields of the config structs docker's templates see, absent from the JSON
 * when empty, with their zero values (`{{.Config.ExposedPorts}}` prints `map[]` for an image
 * without ports, not a missing-key error). An image's config struct has fewer of them than a
 * container's (checked against docker 20.10).
 */
const IMAGE_CONFIG_OMITEMPTY: Record<string, unknown> = {
  ExposedPorts: NIL_MAP,
  Healthcheck: new GoNil('pointer', 'Healthcheck'),
  ArgsEscaped: false,
  StopSignal: '',
  Shell: NIL_SLICE,
};
const CONTAINER_CONFIG_OMITEMPTY: Record<string, unknown> = {
  ...IMAGE_CONFIG_OMITEMPTY,
  NetworkDisabled: false,
  MacAddress: '',
  StopTimeout: new GoNil('pointer', 'StopTimeout'),
};
const CONFIG_STRUCTS = new Set(['Config', 'ContainerConfig']);

/** Without --size, a container's sizes are nil pointers. */
const CONTAINER_OMITEMPTY: Record<string, unknown> = {
  SizeRw: new GoNil('pointer', 'SizeRw'),
  SizeRootFs: new GoNil('pointer', 'SizeRootFs'),
};

/** `value` ready for a template; `zeros` are the omitempty fields of its config structs. */
export function withTypedNils(value: unknown, zeros?: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => withTypedNils(v, zeros));
  if (value === null || typeof value !== 'object') return value;
  if (!zeros) {
    // The top: a container's inspect data has State; an image's does not.
    const container = 'State' in value;
    const out = withTypedNils(value, container ? CONTAINER_CONFIG_OMITEMPTY : IMAGE_CONFIG_OMITEMPTY) as Record<string, unknown>;
    return container ? withZeros(out, CONTAINER_OMITEMPTY) : out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null && SLICE_FIELDS.has(k)) out[k] = NIL_SLICE;
    else if (v === null && MAP_FIELDS.has(k)) out[k] = NIL_MAP;
    else if (CONFIG_STRUCTS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) out[k] = withZeros(withTypedNils(v, zeros) as Record<string, unknown>, zeros);
    else out[k] = withTypedNils(v, zeros);
  }
  return out;
}

/** Not enumerable: templates find them, `{{json .Config}}` leaves them out as docker does. */
function withZeros(struct: Record<string, unknown>, zeros: Record<string, unknown>): Record<string, unknown> {
  for (const [k, zero] of Object.entries(zeros)) {
    if (!(k in struct)) Object.defineProperty(struct, k, { value: zero, enumerable: false });
  }
  return struct;
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
