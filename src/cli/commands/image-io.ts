/** `import`, `save` and `load`: images in and out of tarballs. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../context.js';
import { collect } from '../output.js';
import { importImage, openSource } from '../../engine/images/import.js';
import { loadImages, saveImages, saveItems } from '../../engine/images/archive-io.js';
import { parseReference } from '../../core/reference.js';
import { WharfError } from '../../core/errors.js';
import { outputPathProblem, writeOutputFile } from '../../core/output-file.js';

function defineImport(cmd: Command, ctx: CliContext): Command {
  return cmd
    .option('-c, --change <value>', 'Apply Dockerfile instruction to the created image', collect, [])
    .option('-m, --message <string>', 'Set commit message for imported image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .action(async (source: string, repository: string | undefined, o: { change: string[]; message?: string; platform?: string }) => {
      if (repository) {
        try {
          parseReference(repository);
        } catch (err) {
          throw new WharfError('INVALID_REFERENCE', (err as Error).message);
        }
      }
      // docker's CLI opens the file itself, so a missing file is reported bare.
      const input = await openSource(source, process.stdin).catch((err: Error) => {
        throw /^https?:/.test(source) ? err : new CliError(err.message, 1, true);
      });
      const rec = await importImage(ctx.engine().images, input, { source, repository, changes: o.change, message: o.message, platform: o.platform });
      ctx.out(rec.id);
    });
}

function defineSave(cmd: Command, ctx: CliContext): Command {
  return cmd.option('-o, --output <file>', 'Write to a file, instead of STDOUT').action(async (refs: string[], o: { output?: string }) => {
    if (!o.output && process.stdout.isTTY) {
      throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    // Docker checks the path before asking the daemon anything.
    const problem = o.output === undefined ? undefined : outputPathProblem(o.output);
    if (problem) throw new CliError(`failed to save image: ${problem}`, 1, true);
    const engine = ctx.engine();
    const items = saveItems(engine, refs);
    if (o.output === undefined) await saveImages(engine, items, process.stdout);
    else await writeOutputFile(o.output, (out) => saveImages(engine, items, out));
  });
}

function defineLoad(cmd: Command, ctx: CliContext): Command {
  return cmd
    .option('-i, --input <file>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .action(async (o: { input?: string; quiet?: boolean }) => {
      if (!o.input && process.stdin.isTTY) {
        throw new CliError('requested load from stdin, but stdin is empty', 1);
      }
      // Like docker's CLI, we open the file ourselves: a missing one is reported bare.
      const input = o.input
        ? await openSource(o.input, process.stdin).catch((err: Error) => {
            throw new CliError(err.message, 1, true);
          })
        : process.stdin;
      const loaded = await loadImages(ctx.engine(), input);
      for (const img of loaded) {
        for (const r of img.renamed) ctx.out(`The image ${r.tag.familiarString()} already exists, renaming the old one with ID ${r.oldId} to empty string`);
        if (img.tags.length === 0) ctx.out(`Loaded image ID: ${img.id}`);
        for (const t of img.tags) ctx.out(`Loaded image: ${t.familiarString()}`);
      }
    });
}

export function registerImageIoCommands(program: Command, image: Command, ctx: CliContext): void {
  defineImport(program.command('import <file|URL|-> [REPOSITORY[:TAG]]').description('Import the contents from a tarball to create a filesystem image'), ctx);
  defineImport(image.command('import <file|URL|-> [REPOSITORY[:TAG]]').description('Import the contents from a tarball to create a filesystem image'), ctx);
  defineSave(program.command('save <IMAGE...>').description('Save one or more images to a tar archive (streamed to STDOUT by default)'), ctx);
  defineSave(image.command('save <IMAGE...>').description('Save one or more images to a tar archive (streamed to STDOUT by default)'), ctx);
  defineLoad(program.command('load').description('Load an image from a tar archive or STDIN'), ctx);
  defineLoad(image.command('load').description('Load an image from a tar archive or STDIN'), ctx);
}

