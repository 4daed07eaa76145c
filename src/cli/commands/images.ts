/** `images` / `image ls`, `history`, `tag` and `image inspect`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../context.js';
import { collect, ellipsis, printInspect, printRows } from '../output.js';
import { listImages } from '../../engine/images/list.js';
import { tagImage } from '../../engine/images/service.js';
import { Filters } from '../../core/filters.js';
import { imageHistory, inspectImage } from '../../engine/images/inspect.js';
import type { ImageSummary } from '../../engine/images/list.js';
import { parseReference } from '../../core/reference.js';
import { hexOf } from '../../core/digest.js';
import { humanSize, timeAgo } from '../../core/units.js';

const IMAGE_HEADERS = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  VirtualSize: 'SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
  Containers: 'CONTAINERS',
};

/** Go's time.Time.String() for a UTC time, as `{{.CreatedAt}}` prints it. */
export function goTimeString(iso: string): string {
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 UTC`;
}

/**
 * The fields of one `images` row. Derived values are computed on first use: a table
 * usually needs a few of them, and `images` may list thousands of rows.
 */
class ImageRow {
  private memo: Record<string, string> = {};
  constructor(
    private readonly img: ImageSummary,
    private readonly noTrunc: boolean,
    readonly Repository: string,
    readonly Tag: string,
    readonly Digest: string,
  ) {}
  private once(key: string, compute: () => string): string {
    return (this.memo[key] ??= compute());
  }
  get ID() {
    return this.once('ID', () => (this.noTrunc ? this.img.id : hexOf(this.img.id).slice(0, 12)));
  }
  get CreatedSince() {
    return this.once('CreatedSince', () => timeAgo(this.img.created));
  }
  get CreatedAt() {
    return this.once('CreatedAt', () => goTimeString(this.img.created));
  }
  get Size() {
    return this.once('Size', () => humanSize(this.img.size, 3));
  }
  /** docker formats this one with go-units' default 4 digits (Size has 3). */
  get VirtualSize() {
    return this.once('VirtualSize', () => humanSize(this.img.size));
  }
  readonly SharedSize = 'N/A';
  readonly UniqueSize = 'N/A';
  readonly Containers = 'N/A';
  toJSON() {
    const { Containers, CreatedAt, CreatedSince, Digest, ID, Repository, SharedSize, Size, Tag, UniqueSize, VirtualSize } = this;
    return { Containers, CreatedAt, CreatedSince, Digest, ID, Repository, SharedSize, Size, Tag, UniqueSize, VirtualSize };
  }
}

/** One row per repository:tag (and per digest with --digests), as docker/cli builds them. */
export function imageRows(img: ImageSummary, opts: { digests: boolean; noTrunc: boolean }): ImageRow[] {
  const row = (repo: string, tag: string, digest: string) => new ImageRow(img, opts.noTrunc, repo, tag, digest);
  const tags = new Map<string, string[]>();
  const digests = new Map<string, string[]>();
  for (const t of img.tags) tags.set(t.familiarName, [...(tags.get(t.familiarName) ?? []), t.tag!]);
  for (const d of img.digests) digests.set(d.familiarName, [...(digests.get(d.familiarName) ?? []), d.digest!]);
  const rows: ImageRow[] = [];
  for (const [repo, repoTags] of [...tags].sort()) {
    const ds = opts.digests ? digests.get(repo) ?? [] : [];
    digests.delete(repo);
    for (const tag of repoTags) {
      if (ds.length === 0) rows.push(row(repo, tag, '<none>'));
      for (const d of ds) rows.push(row(repo, tag, d));
    }
  }
  for (const [repo, ds] of [...digests].sort()) {
    if (opts.digests) for (const d of ds) rows.push(row(repo, '<none>', d));
    else rows.push(row(repo, '<none>', '<none>'));
  }
  if (rows.length === 0) rows.push(row('<none>', '<none>', '<none>'));
  return rows;
}

function defineList(cmd: Command, ctx: CliContext): Command {
  return cmd
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect, [])
    .option('--format <string>', 'Pretty-print images using a Go template')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action((repository: string | undefined, o: { all?: boolean; digests?: boolean; filter: string[]; format?: string; trunc: boolean; quiet?: boolean }) => {
      const images = listImages(ctx.engine().images, { all: o.all, filters: Filters.fromArgs(o.filter), nameArg: repository });
      const rows = images.flatMap((img) => imageRows(img, { digests: !!o.digests, noTrunc: !o.trunc }));
      const cols = ['{{.Repository}}', '{{.Tag}}', ...(o.digests ? ['{{.Digest}}'] : []), '{{.ID}}', '{{.CreatedSince}}', '{{.Size}}'];
      const format = o.quiet ? '{{.ID}}' : o.format;
      printRows(ctx, rows, { format, defaultFormat: `table ${cols.join('\t')}`, headers: IMAGE_HEADERS, goType: '*formatter.imageContext' });
    });
}

const HISTORY_HEADERS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

/** Go's time.RFC3339 (whole seconds), as `history` prints CreatedAt. */
function rfc3339Seconds(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}


function defineHistory(cmd: Command, ctx: CliContext): Command {
  return cmd
    .option('--format <string>', 'Pretty-print images using a Go template')
    .option('-H, --human [bool]', 'Print sizes and dates in human readable format', (v) => v.replace(/^=/, '') !== 'false', true)
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action((ref: string, o: { format?: string; human: boolean; trunc: boolean; quiet?: boolean }) => {
      const store = ctx.engine().images;
      const rows = imageHistory(store, store.get(ref)).map((h) => {
        const createdBy = h.createdBy.replace(/\t/g, ' ');
        return {
          ID: h.id === '<missing>' || !o.trunc ? h.id : hexOf(h.id).slice(0, 12),
          CreatedSince: o.human ? timeAgo(h.created) : rfc3339Seconds(h.created),
          CreatedAt: rfc3339Seconds(h.created),
          CreatedBy: o.trunc ? ellipsis(createdBy, 45) : createdBy,
          Size: o.human ? humanSize(h.size, 3) : String(h.size),
          Comment: h.comment,
        };
      });
      const format = o.quiet ? '{{.ID}}' : o.format;
      const created = o.human ? '{{.CreatedSince}}' : '{{.CreatedAt}}';
      printRows(ctx, rows, { format, defaultFormat: `table {{.ID}}\t${created}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}`, headers: HISTORY_HEADERS, goType: '*image.historyContext' });
    });
}

function defineTag(cmd: Command, ctx: CliContext): Command {
  return cmd.action((source: string, target: string) => {
    let ref;
    try {
      ref = parseReference(target);
    } catch (err) {
      throw new CliError(`Error parsing reference: "${target}" is not a valid repository/tag: ${(err as Error).message}`, 1, true);
    }
    if (ref.digest) throw new CliError('refusing to create a tag with a digest reference', 1, true);
    tagImage(ctx.engine(), source, target);
  });
}

function defineImageInspect(cmd: Command, ctx: CliContext): Command {
  return cmd.option('-f, --format <string>', 'Format the output using the given Go template').action((refs: string[], o: { format?: string }) => {
    const engine = ctx.engine();
    const found: unknown[] = [];
    const missing: string[] = [];
    for (const r of refs) {
      const id = engine.images.resolveId(r);
      if (id) found.push(inspectImage(engine.images, engine.root, engine.images.record(id)));
      else missing.push(r);
    }
    printInspect(ctx, found, o.format);
    for (const m of missing) ctx.softFail(new CliError(`No such image: ${m}`));
  });
}

export function registerImageCommands(program: Command, image: Command, ctx: CliContext): void {
  defineList(program.command('images [REPOSITORY]').description('List images'), ctx);
  defineList(image.command('ls [REPOSITORY]').alias('list').description('List images'), ctx);
  defineHistory(program.command('history <IMAGE>').description('Show the history of an image'), ctx);
  defineHistory(image.command('history <IMAGE>').description('Show the history of an image'), ctx);
  defineTag(program.command('tag <SOURCE_IMAGE> <TARGET_IMAGE>').description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'), ctx);
  defineTag(image.command('tag <SOURCE_IMAGE> <TARGET_IMAGE>').description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'), ctx);
  defineImageInspect(image.command('inspect <IMAGE...>').description('Display detailed information on one or more images'), ctx);
}
