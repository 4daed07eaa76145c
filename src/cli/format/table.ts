/**
 * docker/cli's formatter semantics for list commands (images, history, ps ...):
 * - a format starting with `table` prints a header row, then the rows, aligned through the
 *   tabwriter (tabwriter.ts) with docker's parameters; otherwise rows print raw, no header;
 * - the format is trimmed of spaces and the two-character sequences `\t` and `\n` typed by
 *   the user become a tab and a newline (docker's preFormat);
 * - every row is the template's output plus "\n";
 * - the header is the same template run on the field->header map with docker's header
 *   functions (json, upper, join ... return the column name unchanged; pad is kept); a header
 *   execution error keeps what was printed before it, as docker ignores that error;
 * - `json` alone means `{{json .}}` (docker 23+; docker 20.10 printed the word literally);
 * - `{{json .}}` of a row prints it as docker's row MarshalJSON does: keys sorted, `<>&`
 *   escaped (`"Digest":"\u003cnone\u003e"`); `json` of anything else is plain Go JSON.
 * Checked against docker 20.10.
 */
import { goJson, headerFuncs, type TemplateFunc } from './funcs.js';
import { DOCKER_TABWRITER, tabwriteText } from './tabwriter.js';
import { TemplateError, compileTemplate, type UserFunc } from './compile.js';
import type { MissingKey } from './exec.js';
import { markStruct } from './goprint.js';

export interface RenderOptions {
  /** The command's default table format, used when the user's format is just `table`. */
  defaultTableFormat?: string;
  funcs?: Record<string, UserFunc>;
  missingKey?: MissingKey;
  /** The Go type docker's rows have (`*formatter.imageContext`): unknown fields are errors. */
  goType?: string;
}

/** docker's preFormat: is it a table, and the template text to run. */
export function parseFormat(format: string, defaultTableFormat?: string): { table: boolean; template: string } {
  let table = false;
  let text = format;
  if (format.startsWith('table')) {
    table = true;
    text = format.slice('table'.length);
    if (text.trim() === '' && defaultTableFormat !== undefined) {
      text = defaultTableFormat.startsWith('table') ? defaultTableFormat.slice('table'.length) : defaultTableFormat;
    }
  } else if (format === 'json') {
    text = '{{json .}}';
  }
  text = text.replace(/^ +| +$/g, '').replace(/\\t|\\n/g, (m) => (m === '\\t' ? '\t' : '\n'));
  return { table, template: text };
}

/** Render `rows` with a docker `--format` string; `headers` maps a field name to its column title. */
export function renderRows(format: string, rows: object[], headers: Record<string, string>, options: RenderOptions = {}): string {
  const { table, template } = parseFormat(format, options.defaultTableFormat);
  let current: unknown;
  const rowJson: TemplateFunc = {
    fn: (v: unknown) => goJson(v, v === current ? { escapeHTML: true, sortKeys: true } : {}),
    params: ['any'],
  };
  const tmpl = compileTemplate(template, options.funcs, { missingKey: options.missingKey, typedFuncs: { json: rowJson } });
  let body = '';
  for (const row of rows) {
    current = row;
    body += tmpl.execute(options.goType ? markStruct(row, options.goType) : row) + '\n';
  }
  if (!table) return body;
  const headerTmpl = compileTemplate(template, options.funcs, { typedFuncs: headerFuncs });
  let header: string;
  try {
    header = headerTmpl.execute(headers);
  } catch (e) {
    if (!(e instanceof TemplateError)) throw e;
    header = e.partial;
  }
  return tabwriteText(header + '\n' + body, DOCKER_TABWRITER);
}

/** Align rows of cells as docker's tables do (each row ends with a newline). */
export function tabwrite(rows: string[][]): string {
  return tabwriteText(rows.map((r) => r.join('\t') + '\n').join(''), DOCKER_TABWRITER);
}
