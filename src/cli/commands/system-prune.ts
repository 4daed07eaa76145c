/** `system prune [-a] [--volumes] [-f]`: docker's warning, prompt and report. */
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import type { CliContext } from '../context.js';
import { humanSize } from '../../core/units.js';
import { systemPrune } from '../../engine/system-prune.js';

function warning(o: { all?: boolean; volumes?: boolean }): string {
  return [
    'WARNING! This will remove:',
    '  - all stopped containers',
    '  - all networks not used by at least one container',
    ...(o.volumes ? ['  - all volumes not used by at least one container'] : []),
    o.all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    o.all ? '  - all build cache' : '  - all dangling build cache',
    '',
    'Are you sure you want to continue? [y/N] ',
  ].join('\n');
}

export function registerSystemPrune(system: Command, ctx: CliContext): void {
  system
    .command('prune')
    .description('Remove unused data')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--volumes', 'Prune volumes')
    .action(async (o: { all?: boolean; force?: boolean; volumes?: boolean }) => {
      if (!o.force) {
        ctx.stdout.write(warning(o));
        const rl = createInterface({ input: process.stdin, terminal: false });
        const answer = await rl.question('').catch(() => '');
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) return;
      }
      const r = await systemPrune(ctx.engine(), o);
      if (r.containers.length) ctx.out(['Deleted Containers:', ...r.containers, ''].join('\n'));
      if (r.volumes.length) ctx.out(['Deleted Volumes:', ...r.volumes, ''].join('\n'));
      if (r.images.length) ctx.out(['Deleted Images:', ...r.images.map((d) => ('Untagged' in d ? `untagged: ${d.Untagged}` : `deleted: ${d.Deleted}`)), ''].join('\n'));
      ctx.out(`Total reclaimed space: ${humanSize(r.spaceReclaimed)}`);
    });
}
