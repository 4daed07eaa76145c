/**
 * The wharf CLI: a commander program whose command groups live in commands/. Global
 * options come before the command, as with docker (`wharf --root DIR images`).
 */
import { Command, CommanderError } from 'commander';
import { Engine } from '../engine/engine.js';
import { createContext, exitCodeOf, formatError, ExitError } from './context.js';
import { registerCommands } from './commands/index.js';
import { installDockerUsage } from './usage.js';
import { applyGlobalOptions, versionLine } from './global-options.js';
import { mark } from '../core/timing.js';

/** Set on globalThis by bin/wharf before it evaluates the bundle: "do not run on load". */
const LAUNCHED = Symbol.for('wharf.launcher');

/**
 * The first two words that are not options, skipping the global options' values (`--root
 * DIR`): the command and maybe its subcommand (`image inspect`), which decide the command
 * groups to load. A guess is safe: a wrong one only loads more groups, or (for a value
 * taken for a word) loads the groups of a command that then does not parse.
 */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (['--root', '--storage-driver', '--config', '-H', '--host', '--context', '-c', '-l', '--log-level'].includes(a)) i++;
    else if (!a.startsWith('-')) words.push(a);
    else if (words.length > 0) break; // the command's own options: their values are unknown here
  }
  return words;
}

export async function main(argv: string[]): Promise<number> {
  mark('cli: bundle evaluated');
  const program = new Command('wharf');
  program
    .description('A Docker-compatible container engine')
    .option('--root <dir>', 'data root (default /var/lib/wharf for root, or $WHARF_ROOT)')
    .option('--storage-driver <name>', 'storage driver (overlay or vfs)')
    .option('--config <string>', 'Location of client config files')
    .option('-c, --context <string>', 'Name of the context to use to connect to the daemon')
    .option('-D, --debug', 'Enable debug mode')
    .option('-H, --host <list>', 'Daemon socket(s) to connect to')
    .option('-l, --log-level <string>', 'Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")')
    .option('-v, --version', 'Print version information and quit')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showSuggestionAfterError(false);
  const ctx = createContext(() => {
    const opts = program.opts<{ root?: string; storageDriver?: string }>();
    // WHARF_PUSH_GZIP_LEVEL (1-9) trades push speed for size.
    const gzip = process.env.WHARF_PUSH_GZIP_LEVEL;
    // WHARF_STORAGE_DRIVER stands in for --storage-driver, as WHARF_ROOT does for --root.
    const storageDriver = opts.storageDriver ?? (process.env.WHARF_STORAGE_DRIVER || undefined);
    return Engine.open({ root: opts.root, storageDriver, pushGzipLevel: gzip ? Number(gzip) : undefined });
  });
  await registerCommands(program, ctx, commandWords(argv));
  installDockerUsage(program);
  program.hook('preAction', () => applyGlobalOptions(program.opts()));
  if (!program.commands.some((c) => c.name() === commandWords(argv)[0])) {
    // `wharf --version` / `wharf -v` with no command: docker's one line.
    program.action(() => {
      if (program.args.length) {
        ctx.err(`wharf: '${program.args[0]}' is not a wharf command.\nSee 'wharf --help'`);
        throw new ExitError(1);
      }
      applyGlobalOptions(program.opts());
      if (program.opts().version) ctx.out(versionLine());
      else program.help();
    });
  }
  mark('cli: commands defined');
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
    mark('cli: done');
  }
}

/**
 * Runs the CLI on this process's arguments. bin/wharf's launcher loads the bundle as a
 * library (to give V8 its code cache) and calls this itself; run any other way (e.g.
 * `tsx src/cli/main.ts`), the module runs it on load. No top-level await: the bundle is
 * CommonJS. Setting exitCode rather than exiting lets pending stdout writes drain.
 */
export function run(argv = process.argv.slice(2)): Promise<number> {
  return main(argv).then((code) => (process.exitCode = code));
}

if (!(globalThis as { [LAUNCHED]?: boolean })[LAUNCHED]) void run();
