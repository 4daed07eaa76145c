/** `version`, `info`, `system df|info|check`, and `image analyze`. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { ExitError } from '../context.js';
import { printInspect, printRows } from '../output.js';
import { diskUsage, engineInfo, versionInfo } from '../../engine/system.js';
import { registerSystemPrune } from './system-prune.js';
import { checkStore } from '../../engine/check.js';
import { analyzeImage } from '../../engine/images/analyze.js';
import { humanSize } from '../../core/units.js';
import { shortId } from '../../core/digest.js';
import { ellipsis } from '../output.js';

function printVersion(ctx: CliContext, o: { format?: string }): void {
  const v = versionInfo();
  if (o.format) return printInspect(ctx, [v], o.format);
  const runc = v.Server.Components.find((c) => c.Name === 'runc')?.Version;
  ctx.out(
    [
      'Client:',
      ` Version:           ${v.Client.Version}`,
      ` API version:       ${v.Client.ApiVersion}`,
      ` Node version:      ${v.Client.NodeVersion}`,
      ` OS/Arch:           ${v.Client.Os}/${v.Client.Arch}`,
      ` Context:           default`,
      '',
      'Server:',
      ' Engine:',
      `  Version:          ${v.Server.Version}`,
      `  API version:      ${v.Server.ApiVersion} (minimum version ${v.Server.MinAPIVersion})`,
      `  Node version:     ${v.Server.NodeVersion}`,
      `  OS/Arch:          ${v.Server.Os}/${v.Server.Arch}`,
      ` runc:`,
      `  Version:          ${runc}`,
    ].join('\n'),
  );
}

function printInfo(ctx: CliContext, o: { format?: string }): void {
  const info = engineInfo(ctx.engine());
  if (o.format) return printInspect(ctx, [info], o.format);
  ctx.out(
    [
      'Server:',
      ` Containers: ${info.Containers}`,
      `  Running: ${info.ContainersRunning}`,
      `  Paused: ${info.ContainersPaused}`,
      `  Stopped: ${info.ContainersStopped}`,
      ` Images: ${info.Images}`,
      ` Server Version: ${info.ServerVersion}`,
      ` Storage Driver: ${info.Driver}`,
      ` Logging Driver: ${info.LoggingDriver}`,
      ` Cgroup Driver: ${info.CgroupDriver}`,
      ` Cgroup Version: ${info.CgroupVersion}`,
      ` Runtimes: ${Object.keys(info.Runtimes).join(' ')}`,
      ` Default Runtime: ${info.DefaultRuntime}`,
      ` Kernel Version: ${info.KernelVersion}`,
      ` Operating System: ${info.OperatingSystem}`,
      ` OSType: ${info.OSType}`,
      ` Architecture: ${info.Architecture}`,
      ` CPUs: ${info.NCPU}`,
      ` Total Memory: ${(info.MemTotal / 1024 ** 3).toFixed(2)}GiB`,
      ` Name: ${info.Name}`,
      ` Docker Root Dir: ${info.DockerRootDir}`,
      ` Debug Mode: ${info.Debug}`,
    ].join('\n'),
  );
}

export function registerSystemCommands(program: Command, ctx: CliContext): void {
  program.command('version').description('Show the wharf version information').option('-f, --format <string>', 'Format the output using the given Go template').action((o) => printVersion(ctx, o));
  program.command('info').description('Display system-wide information').option('-f, --format <string>', 'Format the output using the given Go template').action((o) => printInfo(ctx, o));
  const system = program.command('system').description('Manage wharf');
  registerSystemPrune(system, ctx);
  system.command('info').description('Display system-wide information').option('-f, --format <string>', 'Format the output using the given Go template').action((o) => printInfo(ctx, o));
  system
    .command('df')
    .description('Show wharf disk usage')
    .option('--format <string>', 'Pretty-print images using a Go template')
    .action((o: { format?: string }) => {
      const rows = diskUsage(ctx.engine()).map((r) => ({
        Type: r.type,
        TotalCount: String(r.total),
        Active: String(r.active),
        Size: humanSize(r.size),
        Reclaimable: r.size ? `${humanSize(r.reclaimable)} (${Math.round((r.reclaimable * 100) / r.size)}%)` : humanSize(r.reclaimable),
      }));
      printRows(ctx, rows, {
        format: o.format,
        defaultFormat: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
        headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
      });
    });
  system
    .command('check')
    .description('Verify the store: every image complete and matching its digests')
    .option('--prune', 'Also remove unreferenced blobs and stale temp files')
    .action(async (o: { prune?: boolean }) => {
      const report = await checkStore(ctx.engine(), { prune: o.prune });
      for (const e of report.errors) ctx.err(`ERROR: ${e}`);
      ctx.out(`Checked ${report.images} images and ${report.layers} layers: ${report.errors.length} errors`);
      if (report.unreferencedBlobs.length) ctx.out(`${report.unreferencedBlobs.length} unreferenced blobs${o.prune ? ' removed' : ' (remove with --prune)'}`);
      if (report.errors.length) throw new ExitError(1);
    });
  const image = program.commands.find((c) => c.name() === 'image')!;
  image
    .command('analyze <IMAGE>')
    .description('Show the bytes each layer adds and wastes (overwritten or deleted later)')
    .option('--format <string>', "'json' or a Go template")
    .action(async (ref: string, o: { format?: string }) => {
      const store = ctx.engine().images;
      const a = await analyzeImage(store, store.get(ref));
      if (o.format) return printInspect(ctx, [a], o.format);
      printRows(
        ctx,
        a.layers.map((l) => ({ Layer: shortId(l.diffId), CreatedBy: ellipsis(l.createdBy.replace(/\s+/g, ' '), 45), Size: humanSize(l.size, 3), Wasted: humanSize(l.wasted, 3) })),
        { defaultFormat: 'table {{.Layer}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Wasted}}', headers: { Layer: 'LAYER', CreatedBy: 'CREATED BY', Size: 'SIZE', Wasted: 'WASTED' } },
      );
      const pct = a.size ? ((a.wasted * 100) / a.size).toFixed(1) : '0.0';
      ctx.out(`Total size: ${humanSize(a.size, 3)}, wasted: ${humanSize(a.wasted, 3)} (${pct}%)`);
      const top = a.layers.flatMap((l) => l.topWasted).sort((x, y) => y.size - x.size).slice(0, 5);
      for (const w of top) ctx.out(`  wasted ${humanSize(w.size, 3)}  /${w.path}`);
    });
}
