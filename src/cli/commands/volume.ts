/** `volume create|ls|inspect|rm|prune`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { collect, printInspect, printRows } from '../output.js';
import { Filters } from '../../core/filters.js';
import { humanSize } from '../../core/units.js';
import { createVolume, inspectVolume, listVolumes, pruneVolumes, removeVolume } from '../../engine/containers.js';
import { confirm } from './container-extra.js';

export function registerVolumeCommands(program: Command, ctx: CliContext): void {
  const engine = () => ctx.engine();
  const volume = program.command('volume').description('Manage volumes');
  volume.command('create').argument('[VOLUME]').description('Create a volume')
    .option('-d, --driver <string>', 'Specify volume driver name', 'local')
    .option('--label <list>', 'Set metadata for a volume', collect)
    .action((name: string | undefined, o: { label?: string[] }) => {
      const labels = Object.fromEntries((o.label ?? []).map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')]));
      ctx.out(createVolume(engine(), { name, labels }).Name);
    });
  volume.command('ls').alias('list').description('List volumes')
    .option('-q, --quiet', 'Only display volume names')
    .option('--format <string>', 'Pretty-print volumes using a Go template')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "dangling=true")', collect)
    .action((o: { quiet?: boolean; format?: string; filter?: string[] }) => {
      const list = listVolumes(engine(), Filters.fromArgs(o.filter));
      if (o.quiet) return list.forEach((v) => ctx.out(v.Name));
      // docker's volume row: labels as k=v text, the fields it cannot know as N/A.
      const rows = list.map((v) => ({
        Availability: 'N/A', Driver: v.Driver, Group: 'N/A', Labels: Object.entries(v.Labels ?? {}).map(([k, x]) => `${k}=${x}`).join(','),
        Links: 'N/A', Mountpoint: v.Mountpoint, Name: v.Name, Scope: v.Scope, Size: 'N/A', Status: 'N/A',
      }));
      printRows(ctx, rows, { format: o.format, defaultFormat: 'table {{.Driver}}\t{{.Name}}', headers: { Driver: 'DRIVER', Name: 'VOLUME NAME', Mountpoint: 'MOUNTPOINT', Scope: 'SCOPE' }, goType: '*formatter.volumeContext' });
    });
  volume.command('inspect').argument('<VOLUME...>').description('Display detailed information on one or more volumes')
    .option('-f, --format <string>', 'Format the output using the given Go template')
    .action((names: string[], o: { format?: string }) => {
      const out = [];
      const errors: unknown[] = [];
      for (const n of names) {
        try {
          out.push(inspectVolume(engine(), n));
        } catch (err) {
          errors.push(err);
        }
      }
      printInspect(ctx, out, o.format);
      for (const err of errors) ctx.softFail(err);
    });
  volume.command('rm').alias('remove').argument('<VOLUME...>').description('Remove one or more volumes')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .action((names: string[], o: { force?: boolean }) => {
      for (const n of names) {
        try {
          removeVolume(engine(), n, { force: o.force });
          ctx.out(n);
        } catch (err) {
          ctx.softFail(err);
        }
      }
    });
  volume.command('prune').description('Remove all unused local volumes')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .action(async (o: { force?: boolean; all?: boolean }) => {
      if (!(await confirm(ctx, 'WARNING! This will remove all local volumes not used by at least one container.', o.force))) return;
      const report = pruneVolumes(engine(), { all: o.all });
      if (report.VolumesDeleted.length) ctx.out(['Deleted Volumes:', ...report.VolumesDeleted, ''].join('\n'));
      ctx.out(`Total reclaimed space: ${humanSize(report.SpaceReclaimed)}`);
    });
}
