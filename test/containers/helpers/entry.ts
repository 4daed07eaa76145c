/**
 * A wharf CLI entry for the container tests: the lead's program (src/cli) with the container
 * commands registered when src/cli/commands/index.ts does not register them yet.
 */
import { Command, CommanderError } from 'commander';
import { Engine } from '../../../src/engine/engine.js';
import { createContext, exitCodeOf, formatError, ExitError } from '../../../src/cli/context.js';
import { registerCommands } from '../../../src/cli/commands/index.js';
import { registerContainerCommands } from '../../../src/cli/commands/containers.js';

const program = new Command('wharf');
program
  .option('--root <dir>', 'data root')
  .option('--storage-driver <name>', 'storage driver (overlay or vfs)')
  .enablePositionalOptions()
  .exitOverride()
  .showSuggestionAfterError(false);
const ctx = createContext(() => {
  const opts = program.opts<{ root?: string; storageDriver?: string }>();
  if (opts.storageDriver) process.env.WHARF_STORAGE_DRIVER = opts.storageDriver;
  return Engine.open({ root: opts.root });
});
await registerCommands(program, ctx, undefined);
if (!program.commands.some((c) => c.name() === 'run')) registerContainerCommands(program, ctx);
let code = 0;
try {
  await program.parseAsync(process.argv.slice(2), { from: 'user' });
  code = ctx.exitCode;
} catch (err) {
  if (err instanceof CommanderError) code = err.exitCode === 0 ? 0 : 1;
  else {
    if (!(err instanceof ExitError)) process.stderr.write(formatError(err) + '\n');
    code = exitCodeOf(err);
  }
} finally {
  ctx.closeEngine();
}
process.exitCode = code;
