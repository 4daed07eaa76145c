/**
 * `build` (and `image build`): docker's classic builder flags; the engine's build stream is
 * printed as docker's CLI prints it (`-q` prints only the image ID at the end).
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { CliError, ExitError } from '../context.js';
import { collect } from '../output.js';
import { humanSize, parseRamSize } from '../../core/units.js';
import { parseUlimit } from '../../engine/build.js';
import { WharfError } from '../../core/errors.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

interface BuildFlags {
  tag: string[];
  file?: string;
  buildArg: string[];
  cache?: boolean;
  target?: string;
  label: string[];
  quiet?: boolean;
  iidfile?: string;
  rm: boolean;
  forceRm?: boolean;
  network?: string;
  addHost: string[];
  pull?: boolean;
  platform?: string;
  memory?: string;
  shmSize?: string;
  ulimit: string[];
  cpuQuota?: string;
  cpuPeriod?: string;
  cacheFrom: string[];
  progress?: string;
  squash?: boolean;
  secret: string[];
  output?: string;
}

function parseKv(list: string[]): Map<string, string | undefined> {
  const m = new Map<string, string | undefined>();
  for (const a of list) {
    const i = a.indexOf('=');
    if (i < 0) m.set(a, undefined);
    else m.set(a.slice(0, i), a.slice(i + 1));
  }
  return m;
}

/** `--secret id=ID,src=FILE` (or `env=VAR`: the variable's value, written to a private file). */
function parseSecrets(list: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of list) {
    const kv = Object.fromEntries(spec.split(',').map((f) => [f.split('=', 1)[0], f.slice(f.indexOf('=') + 1)]));
    const id = kv.id;
    const src = kv.src ?? kv.source;
    if (!id) throw new CliError(`invalid secret: ${spec}: id is required`);
    const path = resolve(src ?? id);
    if (!existsSync(path)) throw new CliError(`failed to stat ${path}: stat ${path}: no such file or directory`);
    out.set(id, path);
  }
  return out;
}

function defineBuild(cmd: Command, ctx: CliContext): Command {
  return cmd
    .description('Build an image from a Dockerfile')
    .option('-t, --tag <name>', "Name and optionally a tag in the 'name:tag' format", collect, [])
    .option('-f, --file <string>', "Name of the Dockerfile (Default is 'PATH/Dockerfile')")
    .option('--build-arg <list>', 'Set build-time variables', collect, [])
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--target <string>', 'Set the target build stage to build.')
    .option('--label <list>', 'Set metadata for an image', collect, [])
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--iidfile <string>', 'Write the image ID to the file')
    .option('--rm [bool]', 'Remove intermediate containers after a successful build', (v: string) => v !== 'false', true)
    .option('--force-rm', 'Always remove intermediate containers')
    .option('--network <string>', 'Set the networking mode for the RUN instructions during build', 'default')
    .option('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', collect, [])
    .option('--pull', 'Always attempt to pull a newer version of the image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--ulimit <ulimit>', 'Ulimit options', collect, [])
    .option('--cpu-quota <int>', 'Limit the CPU CFS (Completely Fair Scheduler) quota')
    .option('--cpu-period <int>', 'Limit the CPU CFS (Completely Fair Scheduler) period')
    .option('--cache-from <strings>', 'Images to consider as cache sources', collect, [])
    .option('--progress <string>', 'Set type of progress output (auto, plain, tty)')
    .option('-o, --output <string>', 'Output destination (format: type=local,dest=path)')
    .option('--squash', 'Squash newly built layers into a single new layer')
    .option('--secret <stringArray>', 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")', collect, [])
    .argument('<PATH | URL | ->')
    .action(async (path: string, f: BuildFlags) => {
      const { buildImage } = await import('../../engine/build.js');
      if (!['default', 'bridge', 'host', 'none'].includes(f.network ?? 'default')) throw new WharfError('NOT_FOUND', `network ${f.network} not found`);
      const labels = Object.fromEntries([...parseKv(f.label)].map(([k, v]) => [k, v ?? '']));
      const env = process.env.SOURCE_DATE_EPOCH;
      const quota = f.cpuQuota ? Number(f.cpuQuota) : 0;
      const period = f.cpuPeriod ? Number(f.cpuPeriod) : 100000;
      let memory: number | undefined;
      if (f.memory) {
        try {
          memory = parseRamSize(f.memory);
        } catch {
          throw new CliError(`invalid argument "${f.memory}" for "-m, --memory" flag: invalid size: '${f.memory}'`, 125);
        }
      }
      // With a tar on stdout, progress goes to stderr (as BuildKit's does).
      const toStdout = f.output === '-' || /(^|,)dest=-(,|$)/.test(f.output ?? '');
      const write = (s: string) => {
        if (!f.quiet) (toStdout ? ctx.stderr : ctx.stdout).write(s);
      };
      // Ctrl-C or SIGTERM: the running step is killed and its snapshot removed, then we exit.
      const abort = new AbortController();
      const onSignal = (sig: NodeJS.Signals) => {
        if (abort.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
        abort.abort(new Error(sig));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const id = await buildImage(
          ctx.engine(),
          {
            contextPath: path,
            ...(f.file ? { file: f.file } : {}),
            stdin: process.stdin,
            tags: f.tag,
            buildArgs: parseKv(f.buildArg),
            noCache: f.cache === false,
            ...(f.target ? { target: f.target } : {}),
            labels,
            rm: f.rm,
            forceRm: !!f.forceRm,
            network: f.network === 'none' ? 'none' : 'host',
            extraHosts: f.addHost,
            pull: !!f.pull,
            ...(f.platform ? { platform: f.platform } : {}),
            ...(memory ? { memory } : {}),
            ...(f.shmSize ? { shmSize: parseRamSize(f.shmSize) } : {}),
            ulimits: f.ulimit.map(parseUlimit),
            ...(quota > 0 ? { nanoCpus: Math.round((quota / period) * 1e9) } : {}),
            ...(env && /^\d+$/.test(env) ? { sourceDateEpoch: Number(env) } : {}),
            ...(f.iidfile ? { iidfile: f.iidfile } : {}),
            signal: abort.signal,
            squash: !!f.squash,
            secrets: parseSecrets(f.secret),
            cacheFrom: f.cacheFrom,
            ...(f.output ? { output: f.output } : {}),
          },
          (m) => {
            if (m.stream !== undefined) write(m.stream);
          },
        );
        if (f.quiet) ctx.out(id);
      } catch (err) {
        const { BuildError } = await import('../../engine/build.js');
        if (abort.signal.aborted) {
          ctx.stderr.write('build canceled\n');
          throw new ExitError((abort.signal.reason as Error).message === 'SIGINT' ? 130 : 143);
        }
        if (err instanceof BuildError) {
          ctx.stderr.write(`${err.message}\n`);
          throw new ExitError(err.exitCode);
        }
        throw err;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}

export function registerBuildCommands(program: Command, image: Command, ctx: CliContext): void {
  defineBuild(program.command('build'), ctx);
  defineBuild(image.command('build'), ctx);
  const builder = program.command('builder').description('Manage builds');
  defineBuild(builder.command('build'), ctx);
  builder
    .command('prune')
    .description('Remove build cache')
    .option('-a, --all', 'Remove all unused build cache, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { all?: boolean; force?: boolean }) => {
      const warning = o.all ? 'WARNING! This will remove all build cache.' : 'WARNING! This will remove all dangling build cache.';
      if (!o.force && !(await (await import('./image-rm.js')).confirm(ctx, warning))) return;
      const { pruneBuildCache } = await import('../../engine/build-cache.js');
      const r = pruneBuildCache(ctx.engine().root);
      if (r.deleted.length) ctx.out(`Deleted build cache objects:\n${r.deleted.join('\n')}\n`);
      ctx.out(`Total reclaimed space: ${humanSize(r.reclaimed)}`);
    });
}
