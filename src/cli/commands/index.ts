/**
 * Command groups, loaded on demand: only the group that owns the typed command (for
 * `image X`, the group that owns X) is initialised, and with it only the engine code it
 * needs, which keeps start-up short. `--help` or an unknown command loads every group.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';

type Register = (program: Command, image: Command, ctx: CliContext) => void;

const groups: Record<string, () => Promise<Register>> = {
  images: async () => (await import('./images.js')).registerImageCommands,
  imageRm: async () => (await import('./image-rm.js')).registerImageRemoveCommands,
  imageIo: async () => (await import('./image-io.js')).registerImageIoCommands,
  inspect: async () => {
    const m = await import('./inspect.js');
    return (p, _i, ctx) => m.registerInspectCommand(p, ctx);
  },
  system: async () => {
    const m = await import('./system.js');
    return (p, _i, ctx) => m.registerSystemCommands(p, ctx);
  },
  containers: async () => {
    const c = await import('./containers.js');
    // Adds `system boot` too, since `system` is registered before it.
    return (p, _i, ctx) => c.registerContainerCommands(p, ctx);
  },
  pullPush: async () => (await import('./pull-push.js')).registerPullPushCommands,
  registry: async () => {
    const m = await import('./registry-server.js');
    return (p) => m.registerRegistryServerCommands(p);
  },
  serve: async () => {
    const m = await import('./serve.js');
    return (p, _i, ctx) => m.registerServeCommand(p, ctx);
  },
  login: async () => {
    const m = await import('./login.js');
    return (p) => m.registerLoginCommands(p);
  },
  extras: async () => {
    const [c, k] = await Promise.all([import('./context-cmd.js'), import('./completion.js')]);
    // `completion` is never in groupsOf: it needs every group loaded to see every command.
    return (p, _i, ctx) => {
      c.registerContextCommands(p, ctx);
      k.registerCompletionCommand(p, ctx);
    };
  },
  build: async () => (await import('./build.js')).registerBuildCommands,
};

/** Which groups a top-level command needs; anything not listed loads them all. */
const groupsOf: Record<string, string[]> = {
  images: ['images'],
  history: ['images'],
  tag: ['images'],
  rmi: ['imageRm'],
  import: ['imageIo'],
  save: ['imageIo'],
  load: ['imageIo'],
  inspect: ['inspect'],
  ...Object.fromEntries(
    ['run', 'create', 'start', 'stop', 'kill', 'restart', 'pause', 'unpause', 'stats', 'rm', 'wait', 'rename', 'ps', 'logs', 'diff', 'export', 'commit', 'cp', 'port', 'top', 'exec', 'attach', 'container', 'volume'].map((c) => [c, ['containers']]),
  ),
  version: ['system'],
  info: ['system'],
  system: ['system', 'containers'],
  pull: ['pullPush'],
  push: ['pullPush'],
  registry: ['registry'],
  serve: ['serve'],
  login: ['login'],
  logout: ['login'],
  search: ['login'],
  context: ['extras'],
  build: ['build'],
  builder: ['build'],
};

/** Which groups an `image` subcommand needs (they register on the `image` command too). */
const imageGroupsOf: Record<string, string[]> = {
  ...Object.fromEntries(['ls', 'list', 'history', 'inspect', 'tag'].map((c) => [c, ['images']])),
  ...Object.fromEntries(['rm', 'rmi', 'remove', 'prune'].map((c) => [c, ['imageRm']])),
  ...Object.fromEntries(['import', 'load', 'save'].map((c) => [c, ['imageIo']])),
  analyze: ['system'],
  build: ['build'],
  pull: ['pullPush'],
  push: ['pullPush'],
};

/** A chainable stand-in for a command nobody typed: every call is accepted and ignored. */
const IGNORED: Command = new Proxy(() => undefined, { get: () => () => IGNORED }) as unknown as Command;

/** Subcommand aliases, so `container ps` still defines container's `ls`. */
const ALIASES: Record<string, string[]> = { ps: ['ls'], list: ['ls'], remove: ['rm'], rmi: ['rm'] };

/**
 * `parent`, defining only the subcommands on the typed path `words` (every one once the path
 * ends): a group defines dozens of commands with hundreds of options, and a short command
 * (`run --rm`) should not pay for the ones it does not use.
 */
function typedOnly(parent: Command, words: readonly string[]): Command {
  const [word, ...rest] = words;
  if (word === undefined) return parent;
  return new Proxy(parent, {
    get(target, prop) {
      if (prop === 'command') {
        return (nameAndArgs: string, ...more: unknown[]) => {
          const name = nameAndArgs.split(' ')[0]!;
          if (name !== word && !ALIASES[word]?.includes(name)) return IGNORED;
          return typedOnly((target.command as (...a: unknown[]) => Command).call(target, nameAndArgs, ...more), rest);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `words`: the command line's first words that are not options (command, subcommand). */
export async function registerCommands(program: Command, ctx: CliContext, words: readonly string[]): Promise<void> {
  const image = program.command('image').description('Manage images');
  const [command, sub] = words;
  const known = command === 'image' ? sub && Object.hasOwn(imageGroupsOf, sub) && imageGroupsOf[sub] : command && Object.hasOwn(groupsOf, command) && groupsOf[command];
  if (!known) {
    for (const name of Object.keys(groups)) (await groups[name]!())(program, image, ctx);
    return;
  }
  const [programView, imageView] = command === 'image' ? [typedOnly(program, ['image']), typedOnly(image, [sub!])] : [typedOnly(program, words), image];
  for (const name of known) (await groups[name]!())(programView, imageView, ctx);
}
