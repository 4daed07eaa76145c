#!/usr/bin/env node
/**
 * The wharf CLI: a commander program whose command groups live in commands/. Global
 * options come before the command, as with docker (`wharf --root DIR images`).
 */
import { Command, CommanderError } from 'commander';
import { Engine } from '../engine/engine.js';
import { createContext, exitCodeOf, formatError, ExitError } from './context.js';
import { registerCommands } from './commands/index.js';

/** The first word that is not a global option (or its value). */
function firstCommand(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--root' || a === '--storage-driver') i++;
    else if (!a.startsWith('-')) return a;
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('wharf');
  program
    .description('A Docker-compatible container engine')
    .option('--root <dir>', 'data root (default /var/lib/wharf for root, or $WHARF_ROOT)')
    .option('--storage-driver <name>', 'storage driver (overlay or vfs)')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError(false);
  const ctx = createContext(() => {
    const opts = program.opts<{ root?: string; storageDriver?: string }>();
    if (opts.storageDriver) process.env.WHARF_STORAGE_DRIVER = opts.storageDriver;
    return Engine.open({ root: opts.root });
  });
  await registerCommands(program, ctx, firstCommand(argv));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors exit 1 (commander already printed them).
      return err.exitCode === 0 ? 0 : 125 === err.exitCode ? 125 : 1;
    }
    if (!(err instanceof ExitError)) process.stderr.write(formatError(err) + '\n');
    return exitCodeOf(err);
  } finally {
    ctx.closeEngine();
  }
}

const code = await main(process.argv.slice(2));
// Let pending stdout writes drain before exiting (pipes are asynchronous).
process.exitCode = code;
