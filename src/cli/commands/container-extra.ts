/** `exec`, `attach`, `container prune` and `system boot`. */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, ExitError } from '../context.js';
import { collect } from '../output.js';
import { Filters } from '../../core/filters.js';
import { humanSize } from '../../core/units.js';
import { bootContainers, checkPruneFilters, execContainer, ExecRefusedError, pruneContainers } from '../../engine/containers.js';
import { attachSession, requireTtyStdin } from './container-attach.js';

export async function confirm(ctx: CliContext, warning: string, force?: boolean): Promise<boolean> {
  if (force) return true;
  ctx.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string>((r) => rl.once('line', r).once('close', () => r('')));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

export function registerContainerExtraCommands(program: Command, container: Command, ctx: CliContext): void {
  const engine = () => ctx.engine();
  for (const parent of [program, container]) {
    parent.command('exec').description('Run a command in a running container').argument('<CONTAINER>').argument('<COMMAND...>')
      .option('-i, --interactive', 'Keep STDIN open even if not attached')
      .option('-t, --tty', 'Allocate a pseudo-TTY')
      .option('-d, --detach', 'Detached mode: run command in the background')
      .option('-e, --env <list>', 'Set environment variables', collect)
      .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
      .option('-w, --workdir <string>', 'Working directory inside the container')
      .passThroughOptions()
      .action(async (ref: string, cmd: string[], o: { interactive?: boolean; tty?: boolean; detach?: boolean; env?: string[]; user?: string; workdir?: string }) => {
        if (!o.detach) requireTtyStdin(ctx, o.interactive, o.tty);
        const stdin = o.interactive || o.tty ? 'inherit' : 'ignore';
        let code: number;
        try {
          code = await execContainer(engine(), ref, { cmd, tty: o.tty, detach: o.detach, env: o.env, user: o.user, workdir: o.workdir }, [stdin, 'inherit', 'inherit']);
        } catch (err) {
          // docker prints the refusal on stdout (it comes through the exec's stream, with a CR).
          if (!(err instanceof ExecRefusedError)) throw err;
          ctx.stdout.write(`${err.message}\r\n`);
          throw new ExitError(err.exitCode);
        }
        if (code !== 0) throw new ExitError(code);
      });

    parent.command('attach').description("Attach local standard input, output, and error streams to a running container").argument('<CONTAINER>')
      .option('--no-stdin', 'Do not attach STDIN')
      .action(async (ref: string, o: { stdin: boolean }) => {
        const store = engine().containers;
        const rec = store.get(ref);
        if (!store.state(rec.Id).Running) throw new CliError('You cannot attach to a stopped container, start it first', 1, true);
        const res = await attachSession(rec.Id, { tty: !!rec.Config.Tty, stdin: o.stdin && !!rec.Config.OpenStdin });
        if (rec.Config.OpenStdin) process.stdin.pause();
        if (res === 'detached') return;
        const code = res === -1 ? store.state(rec.Id).ExitCode : res;
        if (code !== 0) throw new ExitError(code);
      });
  }

  container.command('prune').description('Remove all stopped containers')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .action(async (o: { force?: boolean; filter?: string[] }) => {
      const filters = Filters.fromArgs(o.filter);
      checkPruneFilters(filters);
      if (!(await confirm(ctx, 'WARNING! This will remove all stopped containers.', o.force))) return;
      const report = await pruneContainers(engine(), filters);
      if (report.ContainersDeleted.length) ctx.out(['Deleted Containers:', ...report.ContainersDeleted, ''].join('\n'));
      ctx.out(`Total reclaimed space: ${humanSize(report.SpaceReclaimed)}`);
    });

  const system = program.commands.find((c) => c.name() === 'system');
  if (system) registerSystemBoot(system, ctx);
}

/** `system boot`, added to the `system` command group wherever that is created. */
export function registerSystemBoot(system: Command, ctx: CliContext): void {
  system.command('boot').description('Start the containers whose restart policy asks for it (run at host boot)')
    .action(async () => {
      await bootContainers(ctx.engine(), (l) => ctx.out(l));
    });
}
