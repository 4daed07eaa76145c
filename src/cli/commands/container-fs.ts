/** `logs`, `diff`, `export`, `commit`, `cp`, `port` and `top`. */
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../context.js';
import { collect } from '../output.js';
import { tabwriteText } from '../format/template.js';
import { isWharfError, WharfError } from '../../core/errors.js';
import { ContainerStore } from '../../container/store.js';
import { followLog, formatLogLine, readLogLines } from '../../container/runtime/logs.js';
import { runtimeCmd } from '../../container/runtime/runc.js';
import { portLines } from '../../container/runtime/network/ports.js';
import { commitContainer } from '../../engine/containers/commit.js';
import { containerChanges, copyFromContainer, copyToContainer, exportContainer, tarFromContainer, untarIntoContainer } from '../../engine/containers/fs.js';
import { portsMap } from '../../engine/containers/inspect.js';
import { parseTimeOrDuration } from './container-flags.js';


/** `--since`/`--until` of logs: docker's CLI rejects a bad value itself, bare. */
function timeFlag(name: string, value: string): number {
  try {
    return parseTimeOrDuration(value);
  } catch (err) {
    throw new CliError(`invalid value for ${JSON.stringify(name)}: ${(err as Error).message}`, 1, true);
  }
}

/** `CONTAINER:PATH` split, or undefined for a local path. */
function splitCpArg(arg: string): { container: string; path: string } | undefined {
  if (arg.startsWith('/') || arg.startsWith('.')) return undefined;
  const i = arg.indexOf(':');
  return i > 0 ? { container: arg.slice(0, i), path: arg.slice(i + 1) || '/' } : undefined;
}

export function registerContainerFsCommands(program: Command, container: Command, ctx: CliContext): void {
  const root = () => ctx.engine().root;
  for (const parent of [program, container]) {
    parent.command('logs').description('Fetch the logs of a container').argument('<CONTAINER>')
      .option('-f, --follow', 'Follow log output')
      .option('--tail <string>', 'Number of lines to show from the end of the logs', 'all')
      .option('--since <string>', 'Show logs since timestamp or relative (e.g. 42m)')
      .option('--until <string>', 'Show logs before a timestamp or relative')
      .option('-t, --timestamps', 'Show timestamps')
      .action(async (ref: string, o: { follow?: boolean; tail: string; since?: string; until?: string; timestamps?: boolean }) => {
        const store = new ContainerStore(root());
        const rec = store.get(ref);
        const path = join(store.dir(rec.Id), `${rec.Id}-json.log`);
        const write = (l: { log: string; stream: string; time: string }) =>
          (l.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(formatLogLine(l as never, o.timestamps));
        const lines = readLogLines(path, {
          tail: o.tail === 'all' ? undefined : Number(o.tail),
          since: o.since ? timeFlag('since', o.since) : undefined,
          until: o.until ? timeFlag('until', o.until) : undefined,
        });
        lines.forEach(write);
        if (o.follow) {
          await followLog(path, write, () => {
            const s = store.state(rec.Id);
            return !s.Running && !s.Restarting;
          });
        }
      });

    parent.command('diff').description("Inspect changes to files or directories on a container's filesystem").argument('<CONTAINER>')
      .action(async (ref: string) => {
        for (const c of await containerChanges(root(), ref)) ctx.out(`${c.kind} ${c.path}`);
      });

    parent.command('export').description("Export a container's filesystem as a tar archive").argument('<CONTAINER>')
      .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
      .action(async (ref: string, o: { output?: string }) => {
        if (!o.output && ctx.stdout.isTTY) throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
        await exportContainer(root(), ref, async (tar) => {
          if (!o.output) return pipeline(tar, ctx.stdout, { end: false });
          const tmp = `${o.output}.tmp-${process.pid}`;
          try {
            await pipeline(tar, createWriteStream(tmp));
            renameSync(tmp, o.output);
          } finally {
            rmSync(tmp, { force: true });
          }
        });
      });

    parent.command('commit').description("Create a new image from a container's changes").argument('[CONTAINER]').argument('[REPOSITORY[:TAG]]')
      .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
      .option('-m, --message <string>', 'Commit message')
      .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect)
      // docker's bool flag: `-p`/`--pause`, or `--pause=false`; a value commander took from
      // the next word (`--pause CTR`) was a positional argument
      .option('-p, --pause [bool]', 'Pause container during commit', true)
      .action(async (ref: string | undefined, repo: string | undefined, o: { author?: string; message?: string; change?: string[]; pause: boolean | string }) => {
        let pause = o.pause;
        if (typeof pause === 'string' && !/^(true|false|1|0|t|f)$/i.test(pause)) [ref, repo, pause] = [pause, ref, true];
        if (!ref) throw new CliError(`"wharf commit" requires at least 1 and at most 2 arguments.`);
        const img = await commitContainer(ctx.engine(), ref, { author: o.author, message: o.message, changes: o.change, pause: pause === true || /^(true|1|t)$/i.test(String(pause)), reference: repo });
        ctx.out(img.id);
      });

    parent.command('cp').description('Copy files/folders between a container and the local filesystem')
      .argument('<SRC>').argument('<DEST>')
      .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
      .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
      .action(async (src: string, dst: string, o: { followLink?: boolean }) => {
        const s = splitCpArg(src);
        const d = splitCpArg(dst);
        if (s && d) throw new CliError('copying between containers is not supported');
        if (!s && !d) throw new CliError('must specify at least one container source');
        if (s && dst === '-') await tarFromContainer(root(), s.container, s.path, (tar) => pipeline(tar, process.stdout, { end: false }), { follow: o.followLink });
        else if (s) await copyFromContainer(root(), s.container, s.path, dst, { follow: o.followLink });
        else if (src === '-') {
          try {
            await untarIntoContainer(root(), d!.container, d!.path, process.stdin);
          } catch (err) {
            // docker's CLI checks the destination itself: its message is bare.
            if (err instanceof Error && err.message.startsWith('destination "')) throw new CliError(err.message, 1, true);
            throw err;
          }
        } else await copyToContainer(root(), d!.container, src, d!.path);
      });

    parent.command('port').description('List port mappings or a specific mapping for the container').argument('<CONTAINER>').argument('[PRIVATE_PORT[/PROTO]]')
      .action((ref: string, port?: string) => {
        const store = new ContainerStore(root());
        const rec = store.get(ref);
        const map = portsMap(rec, store.state(rec.Id));
        const ports = Object.entries(map).flatMap(([key, binds]) => (binds ?? []).map((b) => ({ containerPort: key, hostIp: b.HostIp, hostPort: b.HostPort })));
        let lines: string[];
        try {
          lines = portLines({ ports }, port, ref);
        } catch (err) {
          throw isWharfError(err, 'NOT_FOUND') ? new CliError(err.message) : err;
        }
        for (const line of lines) ctx.out(line);
      });

    parent.command('top').description('Display the running processes of a container').argument('<CONTAINER>').argument('[ps OPTIONS...]')
      .action(async (ref: string, psArgs: string[]) => {
        const store = new ContainerStore(root());
        const rec = store.get(ref);
        if (!store.state(rec.Id).Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
        const r = await runtimeCmd(rec.HostConfig.Runtime || 'runc', ['ps', rec.Id, ...(psArgs.length ? psArgs : ['-ef'])]);
        if (r.code !== 0) throw new WharfError('INTERNAL', r.stderr.trim());
        const rows = r.stdout.trimEnd().split('\n');
        const head = rows[0]!.trim().split(/\s+/);
        const body = rows.slice(1).map((l) => {
          const f = l.trim().split(/\s+/);
          return [...f.slice(0, head.length - 1), f.slice(head.length - 1).join(' ')].join('\t');
        });
        ctx.stdout.write(tabwriteText([head.join('\t'), ...body].join('\n') + '\n', { minwidth: 0, padding: 1, padchar: ' ' } as never));
      });
  }
}
