/** `exec`, `attach`, `container prune` and `system boot`. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, ExitError } from '../context.js';
import { collect } from '../output.js';
import { WharfError } from '../../core/errors.js';
import { humanSize } from '../../core/units.js';
import { ContainerStore } from '../../container/store.js';
import { resolveUser } from '../../container/runtime/user.js';
import { commandProblem } from '../../container/runtime/command.js';
import { DEFAULT_PATH, mergeEnv } from '../../container/runtime/prepare.js';
import { DirView, isDirectoryIn } from '../../archive/layer-stack.js';
import type { ContainerRecord } from '../../container/types.js';
import { runtimeArgs } from '../../container/runtime/runc.js';
import { removeContainerFiles } from '../../container/runtime/remove.js';
import { snapshotter } from '../../snapshot/snapshotter.js';
import { bootContainers } from '../../engine/containers/boot.js';
import { parseTimeOrDuration } from './container-flags.js';
import { attachSession, requireTtyStdin } from './container-attach.js';

/**
 * An exec the runtime would refuse, refused first with docker's message rather than runc's log
 * line. docker prints it on stdout (it comes through the exec's stream, with a CR) and exits 126.
 */
function execFailure(ctx: CliContext, message: string): ExitError {
  ctx.stdout.write(`${message}\r\n`);
  return new ExitError(126);
}

function checkExec(ctx: CliContext, rec: ContainerRecord, pid: number, cmd: string, env: string[], workdir?: string): void {
  const fail = (why: string) => execFailure(ctx, `OCI runtime exec failed: exec failed: ${why}: unknown`);
  // The running container's own view of its root, volumes included.
  const view = new DirView(`/proc/${pid}/root`);
  const cwd = workdir || rec.Config.WorkingDir || '/';
  if (!isDirectoryIn(view, cwd)) throw fail(`unable to start container process: chdir to cwd (${JSON.stringify(cwd)}) set in config.json failed: no such file or directory`);
  const problem = commandProblem(view, cmd, mergeEnv([`PATH=${DEFAULT_PATH}`, ...(rec.Config.Env ?? [])], env), cwd);
  if (problem) throw fail(`unable to start container process: exec: ${JSON.stringify(cmd)}: ${problem.reason}`);
}

/** `container prune --filter`: until=TIME|DURATION, label=K[=V], label!=K[=V] (docker's keys). */
function pruneFilter(filters: string[]): (rec: ContainerRecord) => boolean {
  const tests: ((rec: ContainerRecord) => boolean)[] = [];
  for (const f of filters) {
    const [key = '', ...rest] = f.split('=');
    const value = rest.join('=');
    if (key === 'until') {
      const cutoff = parseTimeOrDuration(value);
      tests.push((rec) => Date.parse(rec.Created) < cutoff);
    } else if (key === 'label' || key === 'label!') {
      const [k = '', ...v] = value.split('=');
      const has = (rec: ContainerRecord) => k in (rec.Config.Labels ?? {}) && (!v.length || rec.Config.Labels![k] === v.join('='));
      tests.push(key === 'label' ? has : (rec) => !has(rec));
    } else throw new WharfError('INVALID_ARGUMENT', `Invalid filter '${key}'`);
  }
  return (rec) => tests.every((t) => t(rec));
}

export async function confirm(ctx: CliContext, warning: string, force?: boolean): Promise<boolean> {
  if (force) return true;
  ctx.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string>((r) => rl.once('line', r).once('close', () => r('')));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

export function registerContainerExtraCommands(program: Command, container: Command, ctx: CliContext): void {
  const root = () => ctx.engine().root;
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
        const store = new ContainerStore(root());
        const rec = store.get(ref);
        const st = store.state(rec.Id);
        if (!st.Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
        if (st.Paused) throw new WharfError('CONFLICT', `Container ${ref} is paused, unpause the container before exec`);
        const args = [...runtimeArgs(rec.HostConfig.Runtime || 'runc'), 'exec'];
        if (o.tty) args.push('-t');
        if (o.detach) args.push('-d');
        for (const e of o.env ?? []) args.push('--env', e);
        if (o.workdir) args.push('--cwd', o.workdir);
        if (o.user) {
          let u;
          try {
            u = resolveUser(snapshotter(root(), rec.Driver).view(rec.Id, rec.Layers), o.user);
          } catch (err) {
            throw execFailure(ctx, (err as Error).message);
          }
          args.push('--user', `${u.uid}:${u.gid}`);
          for (const g of u.additionalGids) args.push('--additional-gids', String(g));
        }
        checkExec(ctx, rec, store.state(rec.Id).Pid, cmd[0]!, o.env ?? [], o.workdir);
        args.push(rec.Id, ...cmd);
        const stdin = o.interactive || o.tty ? 'inherit' : 'ignore';
        const child = spawn(rec.HostConfig.Runtime || 'runc', args, { stdio: o.detach ? 'ignore' : [stdin, 'inherit', 'inherit'] });
        const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
        if (code !== 0) throw new ExitError(code);
      });

    parent.command('attach').description("Attach local standard input, output, and error streams to a running container").argument('<CONTAINER>')
      .option('--no-stdin', 'Do not attach STDIN')
      .action(async (ref: string, o: { stdin: boolean }) => {
        const store = new ContainerStore(root());
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
      const selected = pruneFilter(o.filter ?? []);
      if (!(await confirm(ctx, 'WARNING! This will remove all stopped containers.', o.force))) return;
      const store = new ContainerStore(root());
      const deleted: string[] = [];
      for (const rec of store.list()) {
        const st = store.state(rec.Id);
        if (st.Running || st.Restarting || !selected(rec)) continue;
        await removeContainerFiles(root(), rec, { volumes: false });
        deleted.push(rec.Id);
      }
      if (deleted.length) ctx.out(['Deleted Containers:', ...deleted, ''].join('\n'));
      ctx.out(`Total reclaimed space: ${humanSize(0)}`);
    });

  const system = program.commands.find((c) => c.name() === 'system');
  if (system) registerSystemBoot(system, ctx);
}

/** `system boot`, added to the `system` command group wherever that is created. */
export function registerSystemBoot(system: Command, ctx: CliContext): void {
  const root = () => ctx.engine().root;
  system.command('boot').description('Start the containers whose restart policy asks for it (run at host boot)')
    .action(async () => {
      await bootContainers(root(), (l) => ctx.out(l));
    });
}
