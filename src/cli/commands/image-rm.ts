/** `rmi` / `image rm` and `image prune`, with Docker's output and exit codes. */
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import type { CliContext } from '../context.js';
import { CliError } from '../context.js';
import { collect } from '../output.js';
import { imageDeleter, pruneUnusedImages } from '../../engine/images/service.js';
import { Filters } from '../../core/filters.js';
import { isWharfError } from '../../core/errors.js';
import { humanSize } from '../../core/units.js';

function defineRemove(cmd: Command, ctx: CliContext): Command {
  return cmd
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .action((refs: string[], o: { force?: boolean; prune: boolean }) => {
      const engine = ctx.engine();
      const deleter = imageDeleter(engine);
      const errors: string[] = [];
      let fatal = false;
      for (const ref of refs) {
        try {
          for (const rec of deleter.remove(ref, { force: o.force, prune: o.prune })) {
            ctx.out('Untagged' in rec ? `Untagged: ${rec.Untagged}` : `Deleted: ${rec.Deleted}`);
          }
        } catch (err) {
          const notFound = isWharfError(err, 'NOT_FOUND');
          if (!notFound) fatal = true;
          errors.push(notFound ? `Error: ${(err as Error).message}` : `Error response from daemon: ${(err as Error).message}`);
        }
      }
      if (errors.length) {
        ctx.err(errors.join('\n'));
        if (!o.force || fatal) ctx.exitCode = 1;
      }
    });
}

export async function confirm(ctx: CliContext, warning: string): Promise<boolean> {
  ctx.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const rl = createInterface({ input: process.stdin, terminal: false });
  const answer = await rl.question('').catch(() => '');
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

function definePrune(cmd: Command, ctx: CliContext): Command {
  return cmd
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('--filter <filter>', "Provide filter values (e.g. 'until=<timestamp>')", collect, [])
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { all?: boolean; filter: string[]; force?: boolean }) => {
      const filters = Filters.fromArgs(o.filter);
      const warning = o.all
        ? 'WARNING! This will remove all images without at least one container associated to them.'
        : 'WARNING! This will remove all dangling images.';
      if (!o.force && !(await confirm(ctx, warning))) return;
      const engine = ctx.engine();
      const { deleted, spaceReclaimed } = pruneUnusedImages(engine, { all: o.all, filters });
      if (deleted.length) {
        ctx.out('Deleted Images:');
        for (const d of deleted) ctx.out('Untagged' in d ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`);
        ctx.out('');
      }
      ctx.out(`Total reclaimed space: ${humanSize(spaceReclaimed)}`);
    });
}

export function registerImageRemoveCommands(program: Command, image: Command, ctx: CliContext): void {
  defineRemove(program.command('rmi <IMAGE...>').description('Remove one or more images'), ctx);
  defineRemove(image.command('rm <IMAGE...>').alias('rmi').alias('remove').description('Remove one or more images'), ctx);
  definePrune(image.command('prune').description('Remove unused images'), ctx);
}

