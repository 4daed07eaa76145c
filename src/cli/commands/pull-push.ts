/**
 * `pull` and `push` (also as `image pull` / `image push`): Docker's progress display on stdout,
 * redrawn in place on a terminal and as plain lines otherwise; `-q` prints only the reference.
 */
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context.js';
import { hasReason, isWharfError } from '../../core/errors.js';
import { ProgressRenderer } from '../progress/renderer.js';
import { pullImages, silentProgress, type ProgressSink } from '../../engine/images/pull.js';
import { pushImages } from '../../engine/images/push.js';

function progressFor(ctx: CliContext, quiet?: boolean): { sink: ProgressSink; close(): void } {
  if (quiet) return { sink: silentProgress, close() {} };
  const r = new ProgressRenderer(ctx.stdout, !!ctx.stdout.isTTY);
  return { sink: r, close: () => r.close() };
}

function definePull(cmd: Command, ctx: CliContext): void {
  cmd
    .description('Download an image from a registry')
    .argument('<name>', 'NAME[:TAG|@DIGEST]')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--disable-content-trust', 'Skip image verification (always)')
    .action(async (name: string, o: { allTags?: boolean; quiet?: boolean; platform?: string }) => {
      const p = progressFor(ctx, o.quiet);
      try {
        const shown = await pullImages(ctx.engine(), name, { allTags: o.allTags, platform: o.platform, progress: p.sink });
        ctx.out(shown);
      } finally {
        p.close();
      }
    });
}

function definePush(cmd: Command, ctx: CliContext): void {
  cmd
    .description('Upload an image to a registry')
    .argument('<name>', 'NAME[:TAG]')
    .option('-a, --all-tags', 'Push all tagged images in the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('--disable-content-trust', 'Skip image signing (always)')
    .action(async (name: string, o: { allTags?: boolean; quiet?: boolean }) => {
      const p = progressFor(ctx, o.quiet);
      try {
        const shown = await pushImages(ctx.engine(), name, { allTags: o.allTags, progress: p.sink });
        if (o.quiet) ctx.out(shown);
      } catch (err) {
        // Once the push has started, dockerd reports failures inside its progress stream and
        // docker prints them bare, without "Error response from daemon" (IMAGE_NOT_LOCAL too).
        if (hasReason(err, 'IMAGE_NOT_LOCAL') || (isWharfError(err) && err.code !== 'INVALID_REFERENCE' && err.code !== 'INVALID_ARGUMENT')) throw new CliError(err.message, 1, true);
        throw err;
      } finally {
        p.close();
      }
    });
}

export function registerPullPushCommands(program: Command, image: Command, ctx: CliContext): void {
  for (const parent of [program, image]) {
    definePull(parent.command('pull'), ctx);
    definePush(parent.command('push'), ctx);
  }
}
