/**
 * Container commands: registers run/create/start (container-run.ts), ps and the lifecycle
 * commands here, inspection and filesystem commands (container-fs.ts), volumes (volume.ts),
 * both at top level and under `wharf container`.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, ExitError } from '../context.js';
import { collect, printInspect, printRows } from '../output.js';
import { WharfError } from '../../core/errors.js';
import { Filters } from '../../core/filters.js';
import { psRow } from '../format/ps.js';
import {
  inspectContainer, killContainer, listContainers, pauseContainer, removeContainer, renameContainer, restartContainer, stopContainer, unpauseContainer,
  waitContainer,
} from '../../engine/containers.js';
import { registerRunCommands } from './container-run.js';
import { registerContainerFsCommands } from './container-fs.js';
import { registerContainerExtraCommands } from './container-extra.js';
import { registerStatsCommand } from './container-stats.js';
import { registerVolumeCommands } from './volume.js';
import { eachRefParallel } from './container-parallel.js';

const PS_HEADERS = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS',
  State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS',
};
const PS_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** Run `fn` for each reference in turn, printing each on success and Docker's error per failure. */
const eachRef = (ctx: CliContext, refs: string[], fn: (ref: string) => Promise<void>, print = true) =>
  eachRefParallel(ctx, refs, fn, { print, limit: 1 });

export function registerContainerCommands(program: Command, ctx: CliContext): void {
  const container = program.command('container').description('Manage containers');
  registerRunCommands(program, container, ctx);
  const engine = () => ctx.engine();

  for (const [parent, psName] of [[program, 'ps'], [container, 'ls']] as const) {
    const ps = parent.command(psName).description('List containers');
    if (parent === container) ps.alias('ps').alias('list');
    ps.option('-a, --all', 'Show all containers (default shows just running)')
      .option('-q, --quiet', 'Only display container IDs')
      .option('-l, --latest', 'Show the latest created container (includes all states)')
      .option('-n, --last <int>', 'Show n last created containers (includes all states)', '-1')
      .option('-s, --size', 'Display total file sizes')
      .option('--no-trunc', "Don't truncate output")
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', 'Pretty-print containers using a Go template')
      .action(async (o: { all?: boolean; quiet?: boolean; latest?: boolean; last: string; size?: boolean; trunc: boolean; filter?: string[]; format?: string }) => {
        // As with docker, a format that shows sizes computes them.
        const size = o.size || /\.Size\b/.test(o.format ?? '') || o.format === '{{json .}}';
        const list = await listContainers(ctx.engine(), { all: o.all, latest: o.latest, last: Number(o.last), size, filters: Filters.fromArgs(o.filter) });
        const rows = list.map((c) => psRow(c, { noTrunc: !o.trunc }));
        if (o.quiet) {
          for (const r of rows) ctx.out(r.ID);
          return;
        }
        const fmt = o.format ?? (o.size ? `${PS_FORMAT}\t{{.Size}}` : PS_FORMAT);
        printRows(ctx, rows, { format: fmt, defaultFormat: PS_FORMAT, headers: PS_HEADERS, goType: '*formatter.ContainerContext' });
      });
  }

  for (const parent of [program, container]) {
    parent.command('stop').description('Stop one or more running containers').argument('<CONTAINER...>')
      .option('-t, --time <int>', 'Seconds to wait for stop before killing it')
      .action(async (refs: string[], o: { time?: string }) => {
        await eachRefParallel(ctx, refs, (r) => stopContainer(engine(), r, o.time !== undefined ? Number(o.time) : undefined));
      });
    parent.command('kill').description('Kill one or more running containers').argument('<CONTAINER...>')
      .option('-s, --signal <string>', 'Signal to send to the container', 'KILL')
      .action(async (refs: string[], o: { signal: string }) => {
        await eachRefParallel(ctx, refs, (r) => killContainer(engine(), r, o.signal));
      });
    parent.command('pause').description('Pause all processes within one or more containers').argument('<CONTAINER...>')
      .action(async (refs: string[]) => {
        await eachRefParallel(ctx, refs, (r) => pauseContainer(engine(), r));
      });
    parent.command('unpause').description('Unpause all processes within one or more containers').argument('<CONTAINER...>')
      .action(async (refs: string[]) => {
        await eachRefParallel(ctx, refs, (r) => unpauseContainer(engine(), r));
      });
    parent.command('restart').description('Restart one or more containers').argument('<CONTAINER...>')
      .option('-t, --time <int>', 'Seconds to wait for stop before killing the container')
      .action(async (refs: string[], o: { time?: string }) => {
        await eachRef(ctx, refs, (r) => restartContainer(engine(), r, o.time !== undefined ? Number(o.time) : undefined));
      });
    parent.command('rm').description('Remove one or more containers').argument('<CONTAINER...>')
      .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
      .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
      .action(async (refs: string[], o: { force?: boolean; volumes?: boolean }) => {
        await eachRefParallel(ctx, refs, async (r) => void (await removeContainer(engine(), r, o)));
      });
    parent.command('wait').description('Block until one or more containers stop, then print their exit codes').argument('<CONTAINER...>')
      .action(async (refs: string[]) => {
        await eachRef(ctx, refs, async (r) => ctx.out(String(await waitContainer(engine(), r))), false);
      });
    parent.command('rename').description('Rename a container').argument('<CONTAINER>').argument('<NEW_NAME>')
      .action((ref: string, newName: string) => {
        try {
          renameContainer(engine(), ref, newName);
        } catch (err) {
          // docker's CLI prints the daemon's error, then its own.
          ctx.softFail(err);
          throw new CliError(`failed to rename container named ${ref}`);
        }
      });
  }

  container.command('inspect').description('Display detailed information on one or more containers').argument('<CONTAINER...>')
    .option('-f, --format <string>', 'Format the output using the given Go template')
    .option('-s, --size', 'Display total file sizes')
    .action((refs: string[], o: { format?: string; size?: boolean }) => {
      const out: unknown[] = [];
      for (const r of refs) {
        const v = inspectContainer(engine(), r, { size: o.size });
        if (v) out.push(v);
        else ctx.softFail(new WharfError('NOT_FOUND', `No such container: ${r}`));
      }
      const code = ctx.exitCode;
      printInspect(ctx, out, o.format);
      if (code) throw new ExitError(code);
    });

  registerContainerFsCommands(program, container, ctx);
  registerContainerExtraCommands(program, container, ctx);
  registerStatsCommand(program, container, ctx);
  registerVolumeCommands(program, ctx);
}
