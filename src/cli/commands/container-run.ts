/** `run`, `create` and `start`: Docker's flags, output, error format and exit codes. */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { Engine } from '../../engine/engine.js';
import { CliError, ExitError, formatError } from '../context.js';
import { WharfError } from '../../core/errors.js';
import { createContainer, needsMonitor, runInProcess, startAttached, startDetached, type ContainerRecord } from '../../engine/containers.js';
import { defineRunFlags, toCreateRequest, type RunFlags } from './container-flags.js';
import { attachSession, requireTtyStdin } from './container-attach.js';
import { eachRefParallel } from './container-parallel.js';
import { parsePullPolicy, withPullPolicy } from './run-pull.js';
import { CidFile, UnsupportedFlagError, defineExtraRunFlags, labelsFromFiles, refuseUnsupported, type ExtraRunFlags } from './run-extra-flags.js';
import { mark } from '../../core/timing.js';

/** Docker's `docker: <error>.\n\nRun 'docker run --help'...` block, then exit with `code`. */
function runFailure(ctx: CliContext, cmd: string, err: unknown): never {
  ctx.err(`wharf: ${formatError(err).replace(/^Error: /, '')}`);
  ctx.err('');
  ctx.err(`Run 'wharf ${cmd} --help' for more information`);
  const code = err instanceof WharfError || err instanceof CliError ? (err.exitCode === 1 ? 125 : err.exitCode) : 125;
  throw new ExitError(code);
}

async function create(ctx: CliContext, cmdName: string, image: string, args: string[], flags: RunFlags & ExtraRunFlags): Promise<ContainerRecord> {
  try {
    let opts;
    refuseUnsupported(flags);
    try {
      opts = toCreateRequest(image, args, { ...flags, label: [...labelsFromFiles(flags.labelFile ?? []), ...(flags.label ?? [])] });
    } catch (err) {
      // Most flag validation happens in docker's CLI: no "Error response from daemon".
      if (err instanceof WharfError && err.daemonSide) throw err;
      throw new CliError((err as Error).message, err instanceof WharfError ? err.exitCode : 125, true);
    }
    const policy = parsePullPolicy(flags.pull);
    const created = opts;
    const cid = flags.cidfile === undefined ? undefined : new CidFile(flags.cidfile);
    try {
      const rec = await withPullPolicy(ctx, image, policy, () => createContainer(ctx.engine(), created));
      cid?.write(rec.Id);
      return rec;
    } catch (err) {
      cid?.abandon();
      throw err;
    }
  } catch (err) {
    // A flag value pflag refuses: its sentence and the See line, as any usage error.
    if (err instanceof CliError && err.raw && err.message.startsWith('invalid argument "')) {
      ctx.err(`${err.message}\nSee 'wharf ${cmdName} --help'.`);
      throw new ExitError(125);
    }
    // docker's CLI reports its own file errors (cidfile) bare.
    if (err instanceof UnsupportedFlagError || (err instanceof CliError && err.raw && err.exitCode === 1)) {
      ctx.err(err.message);
      throw new ExitError(err.exitCode);
    }
    // docker create reports what its daemon refused as any command does; run wraps it.
    if (cmdName === 'create' && err instanceof WharfError) {
      ctx.err(formatError(err));
      throw new ExitError(1);
    }
    runFailure(ctx, cmdName, err);
  }
}

/** Run an attached container through its monitor (TTY, restart policy or health checks). */
async function runAttachedViaMonitor(ctx: CliContext, rec: ContainerRecord, stdin: boolean): Promise<number> {
  const engine = ctx.engine();
  const size = rec.Config.Tty ? { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 } : undefined;
  await startAttached(engine, rec.Id, { size });
  const res = await attachSession(rec.Id, { tty: !!rec.Config.Tty, stdin });
  if (res === 'detached') return 0;
  if (res === -1) return engine.containers.state(rec.Id).ExitCode;
  return res;
}

/** A plain foreground run, this process its monitor; SIGINT and SIGTERM go to the container, as docker's CLI forwards them. */
async function runHere(engine: Engine, rec: ContainerRecord, interactive: boolean): Promise<number> {
  const run = runInProcess(engine, rec.Id, { stdin: interactive ? process.stdin : undefined, stdout: process.stdout, stderr: process.stderr });
  const forward = (sig: NodeJS.Signals) => run.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    return await run.exited;
  } finally {
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

export function registerRunCommands(program: Command, container: Command, ctx: CliContext): void {
  for (const parent of [program, container]) {
    defineExtraRunFlags(defineRunFlags(parent.command('run').argument('<IMAGE>').argument('[COMMAND...]')))
      .description('Run a command in a new container')
      .option('-d, --detach', 'Run container in background and print container ID')
      .option('--rm', 'Automatically remove the container when it exits')
      .passThroughOptions()
      .action(async (image: string, args: string[], flags: RunFlags & ExtraRunFlags) => {
        mark('run: arguments parsed');
        if (!flags.detach) requireTtyStdin(ctx, flags.interactive, flags.tty);
        const rec = await create(ctx, 'run', image, args, flags);
        mark('run: container created');
        const engine = ctx.engine();
        try {
          if (flags.detach) {
            await startDetached(engine, rec.Id);
            ctx.out(rec.Id);
            return;
          }
          // --rm is the monitor's: it removes the container after the final exit or a failed start.
          const code = needsMonitor(rec)
            ? await runAttachedViaMonitor(ctx, rec, !!flags.interactive)
            : await runHere(engine, rec, !!flags.interactive);
          if (flags.interactive) process.stdin.pause();
          if (code !== 0) throw new ExitError(code);
        } catch (err) {
          if (err instanceof ExitError) throw err;
          runFailure(ctx, 'run', err);
        }
      });

    defineExtraRunFlags(defineRunFlags(parent.command('create').argument('<IMAGE>').argument('[COMMAND...]')))
      .description('Create a new container')
      .option('--rm', 'Automatically remove the container when it exits')
      .passThroughOptions()
      .action(async (image: string, args: string[], flags: RunFlags & ExtraRunFlags) => {
        const rec = await create(ctx, 'create', image, args, { ...flags, detach: true });
        ctx.out(rec.Id);
      });

    parent
      .command('start')
      .description('Start one or more stopped containers')
      .argument('<CONTAINER...>')
      .option('-a, --attach', 'Attach STDOUT/STDERR and forward signals')
      .option('-i, --interactive', "Attach container's STDIN")
      .helpOption('--help', 'Print usage')
      .action(async (refs: string[], o: { attach?: boolean; interactive?: boolean }) => {
        const engine = ctx.engine();
        const store = engine.containers;
        if (o.attach || o.interactive) {
          if (refs.length > 1) throw new WharfError('INVALID_ARGUMENT', 'you cannot start and attach multiple containers at once');
          const rec = store.get(refs[0]!);
          requireTtyStdin(ctx, o.interactive, rec.Config.Tty);
          const code = await runAttachedViaMonitor(ctx, rec, !!o.interactive && !!rec.Config.OpenStdin);
          if (o.interactive) process.stdin.pause();
          if (code !== 0) throw new ExitError(code);
          return;
        }
        await eachRefParallel(ctx, refs, async (ref) => void (await startDetached(engine, ref)));
        if (ctx.exitCode) ctx.err(`Error: failed to start containers: ${refs.join(', ')}`);
      });
  }
}
