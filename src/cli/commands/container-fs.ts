/** `logs`, `diff`, `export`, `commit`, `cp`, `port` and `top`. */
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError } from '../context.js';
import { collect } from '../output.js';
import { tabwriteText } from '../format/template.js';
import { hasReason, isWharfError } from '../../core/errors.js';
import { outputPathProblem, writeOutputFile } from '../../core/output-file.js';
import { parseTimeOrDuration } from '../../core/time.js';
import {
  commitContainer, containerChanges, containerLogs, containerPortLines, copyFromContainer, copyToContainer, exportContainer, tarFromContainer,
  topContainer, untarIntoContainer,
} from '../../engine/containers.js';


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
  const engine = () => ctx.engine();
  for (const parent of [program, container]) {
    parent.command('logs').description('Fetch the logs of a container').argument('<CONTAINER>')
      .option('-f, --follow', 'Follow log output')
      .option('--tail <string>', 'Number of lines to show from the end of the logs', 'all')
      .option('--since <string>', 'Show logs since timestamp or relative (e.g. 42m)')
      .option('--until <string>', 'Show logs before a timestamp or relative')
      .option('-t, --timestamps', 'Show timestamps')
      .action(async (ref: string, o: { follow?: boolean; tail: string; since?: string; until?: string; timestamps?: boolean }) => {
        const lines = containerLogs(engine(), ref, {
          follow: o.follow,
          tail: o.tail === 'all' ? undefined : Number(o.tail),
          since: o.since ? timeFlag('since', o.since) : undefined,
          until: o.until ? timeFlag('until', o.until) : undefined,
        });
        for await (const l of lines) (l.stream === 'stderr' ? ctx.stderr : ctx.stdout).write(o.timestamps ? `${l.time} ${l.log}` : l.log);
      });

    parent.command('diff').description("Inspect changes to files or directories on a container's filesystem").argument('<CONTAINER>')
      .action(async (ref: string) => {
        for (const c of await containerChanges(engine(), ref)) ctx.out(`${c.kind} ${c.path}`);
      });

    parent.command('export').description("Export a container's filesystem as a tar archive").argument('<CONTAINER>')
      .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
      .action(async (ref: string, o: { output?: string }) => {
        if (!o.output && ctx.stdout.isTTY) throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
        const output = o.output;
        const problem = output === undefined ? undefined : outputPathProblem(output);
        if (problem) throw new CliError(`failed to export container: ${problem}`, 1, true);
        await exportContainer(engine(), ref, async (tar) => {
          if (output === undefined) return pipeline(tar, ctx.stdout, { end: false });
          await writeOutputFile(output, (out) => pipeline(tar, out));
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
        if (s && dst === '-') await tarFromContainer(engine(), s.container, s.path, (tar) => pipeline(tar, process.stdout, { end: false }), { follow: o.followLink });
        else if (s) await copyFromContainer(engine(), s.container, s.path, dst, { follow: o.followLink });
        else if (src === '-') {
          try {
            await untarIntoContainer(engine(), d!.container, d!.path, process.stdin);
          } catch (err) {
            // docker's CLI checks the destination itself: its message is bare.
            if (hasReason(err, 'CP_DESTINATION')) throw new CliError(err.message, 1, true);
            throw err;
          }
        } else await copyToContainer(engine(), d!.container, src, d!.path);
      });

    parent.command('port').description('List port mappings or a specific mapping for the container').argument('<CONTAINER>').argument('[PRIVATE_PORT[/PROTO]]')
      .action((ref: string, port?: string) => {
        let lines: string[];
        try {
          lines = containerPortLines(engine(), ref, port);
        } catch (err) {
          throw isWharfError(err, 'NOT_FOUND') ? new CliError(err.message) : err;
        }
        for (const line of lines) ctx.out(line);
      });

    parent.command('top').description('Display the running processes of a container').argument('<CONTAINER>').argument('[ps OPTIONS...]')
      .action(async (ref: string, psArgs: string[]) => {
        const top = await topContainer(engine(), ref, psArgs);
        const lines = [top.Titles, ...top.Processes].map((row) => row.join('\t'));
        ctx.stdout.write(tabwriteText(lines.join('\n') + '\n', { minwidth: 0, padding: 1, padchar: ' ' } as never));
      });
  }
}
