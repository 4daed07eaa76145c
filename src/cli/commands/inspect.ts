/** `inspect`: any object by name or ID, containers first, as docker tries them. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../context.js';
import { printInspect } from '../output.js';
import { inspectImage } from '../../engine/images/inspect.js';
import { inspectContainerByName } from '../../engine/container-usage.js';

export function registerInspectCommand(program: Command, ctx: CliContext): void {
  program
    .command('inspect <NAME...>')
    .description('Return low-level information on wharf objects')
    .option('-f, --format <string>', 'Format the output using the given Go template')
    .option('-s, --size', 'Display total file sizes if the type is container')
    .option('--type <string>', 'Return JSON for specified type')
    .action((names: string[], o: { format?: string; type?: string; size?: boolean }) => {
      if (o.type && !['image', 'container'].includes(o.type)) throw new CliError(`"${o.type}" is not a valid value for --type`);
      const engine = ctx.engine();
      const found: unknown[] = [];
      const missing: string[] = [];
      for (const name of names) {
        const container = o.type !== 'image' ? inspectContainerByName(engine, name, { size: o.size }) : undefined;
        if (container) {
          found.push(container);
          continue;
        }
        const id = o.type !== 'container' ? engine.images.resolveId(name) : undefined;
        if (id) found.push(inspectImage(engine.images, engine.root, engine.images.record(id)));
        else missing.push(name);
      }
      printInspect(ctx, found, o.format);
      const kind = o.type === 'image' ? 'image' : o.type === 'container' ? 'container' : 'object';
      for (const m of missing) ctx.softFail(new CliError(`No such ${kind}: ${m}`));
    });
}
