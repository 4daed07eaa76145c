/**
 * Usage errors and help pages as docker's CLI (cobra + pflag) prints them, not commander's
 * defaults: `wharf: 'foo' is not a wharf command.`, `"wharf run" requires at least 1 argument.`
 * with `See 'wharf run --help'.` and the usage line (exit 1), `unknown flag: --bogus` (exit 125),
 * and `--help` laid out as Usage / description / Aliases / Options / Commands. Installed on the
 * whole command tree once the commands are defined.
 */
import { Command, CommanderError, Help, type Option } from 'commander';
import { ExitError } from './context.js';

/** docker's own usage lines where the argument names differ from what commander derives. */
const USE: Record<string, string> = {
  run: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  create: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  exec: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  images: 'images [OPTIONS] [REPOSITORY[:TAG]]',
  'image ls': 'image ls [OPTIONS] [REPOSITORY[:TAG]]',
  pull: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
  push: 'push [OPTIONS] NAME[:TAG]',
  tag: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  rmi: 'rmi [OPTIONS] IMAGE [IMAGE...]',
  rm: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  commit: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  cp: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\twharf cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  import: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  save: 'save [OPTIONS] IMAGE [IMAGE...]',
  inspect: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  login: 'login [OPTIONS] [SERVER]',
  logout: 'logout [SERVER]',
  search: 'search [OPTIONS] TERM',
  port: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  top: 'top CONTAINER [ps OPTIONS]',
};

/** The command's path below the program: `run`, `image ls`. */
function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

const visibleOptions = (cmd: Command): readonly Option[] => cmd.options.filter((o) => !o.hidden && o.long !== '--help');

/** `run [OPTIONS] IMAGE [COMMAND...]`, docker's words where known. */
export function useLine(cmd: Command): string {
  const path = pathOf(cmd);
  if (USE[path]) return `wharf ${USE[path]}`;
  if (!path) return 'wharf [OPTIONS] COMMAND';
  if (cmd.commands.length) return `wharf ${path} COMMAND`;
  const args = cmd.registeredArguments.map((a) => {
    const name = a.name().toUpperCase();
    if (a.variadic) return a.required ? `${name} [${name}...]` : `[${name}...]`;
    return a.required ? name : `[${name}]`;
  });
  return ['wharf', path, ...(visibleOptions(cmd).length ? ['[OPTIONS]'] : []), ...args].join(' ');
}

/** cobra's argument-count sentence for `cmd` given `got` arguments. */
function argsSentence(cmd: Command, got: 'missing' | 'excess'): string {
  const args = cmd.registeredArguments;
  const min = args.filter((a) => a.required).length;
  const max = args.some((a) => a.variadic) ? Infinity : args.length;
  const n = (k: number) => `${k} argument${k === 1 ? '' : 's'}`;
  const name = `"wharf ${pathOf(cmd)}"`;
  if (max === 0) return `${name} accepts no arguments.`;
  if (min === max) return `${name} requires exactly ${n(min)}.`;
  return got === 'missing' ? `${name} requires at least ${n(min)}.` : `${name} requires at most ${n(max)}.`;
}

/** The option a commander message names, as pflag prints it (`--name`). */
function flagOf(message: string): string {
  const m = /'([^']+)'/.exec(message);
  const spec = m?.[1] ?? '';
  return spec.split(/[ ,]+/).find((p) => p.startsWith('--')) ?? spec.split(/[ ,]+/)[0] ?? spec;
}

/** docker's text and exit code for a commander parse error in `cmd`. */
export function usageError(cmd: Command, err: CommanderError): { text: string; code: number } {
  const path = pathOf(cmd);
  const see = `See 'wharf${path ? ' ' + path : ''} --help'.`;
  const usage = `\n\nUsage:  ${useLine(cmd)}\n\n${cmd.description()}`;
  switch (err.code) {
    case 'commander.help':
      // A command group typed alone: docker prints its help on stderr and exits 0.
      return { text: new DockerHelp().formatHelp(cmd, cmd.createHelp()).trimEnd(), code: 0 };
    case 'commander.unknownCommand': {
      const word = /'([^']+)'/.exec(err.message)?.[1] ?? '';
      if (!path) return { text: `wharf: '${word}' is not a wharf command.\nSee 'wharf --help'`, code: 1 };
      return { text: new DockerHelp().formatHelp(cmd, cmd.createHelp()).trimEnd(), code: 1 };
    }
    case 'commander.unknownOption': {
      const flag = /'([^']+)'/.exec(err.message)?.[1] ?? '';
      const text = /^-[^-]/.test(flag) ? `unknown shorthand flag: '${flag[1]}' in ${flag}` : `unknown flag: ${flag}`;
      return { text: `${text}\n${see}`, code: 125 };
    }
    case 'commander.optionMissingArgument':
      return { text: `flag needs an argument: ${flagOf(err.message)}\n${see}`, code: 125 };
    case 'commander.missingArgument':
      return { text: `${argsSentence(cmd, 'missing')}\n${see}${usage}`, code: 1 };
    case 'commander.excessArguments':
      if (!path) return { text: `wharf: '${cmd.args[0] ?? ''}' is not a wharf command.\nSee 'wharf --help'`, code: 1 };
      return { text: `${argsSentence(cmd, 'excess')}\n${see}${usage}`, code: 1 };
    default:
      return { text: `${err.message.replace(/^error: /, '')}\n${see}`, code: 125 };
  }
}

/** Wrap `text` to `width` columns, continuation lines indented by `indent`. */
function wrap(text: string, indent: number, width = 80): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && indent + line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.join('\n' + ' '.repeat(indent));
}

/** pflag's option column: `  -f, --follow`, `      --since string`. */
function flagColumn(o: Option): string {
  const type = /<([^>]+)>|\[([^\]]+)\]/.exec(o.flags);
  const value = type ? ` ${(type[1] ?? type[2] ?? '').replace(/\.\.\.$/, '')}` : '';
  return `${o.short ? `  ${o.short}, ` : '      '}${o.long ?? ''}${value}`;
}

/** `--help` as cobra lays it out. */
export class DockerHelp extends Help {
  override formatHelp(cmd: Command, _helper: Help): string {
    const out: string[] = ['', `Usage:  ${useLine(cmd)}`, '', cmd.description()];
    if (cmd.aliases().length) out.push('', 'Aliases:', `  ${[cmd.name(), ...cmd.aliases()].join(', ')}`);
    const options = [...visibleOptions(cmd)].sort((a, b) => (a.long ?? '').localeCompare(b.long ?? ''));
    if (options.length) {
      const width = Math.max(...options.map((o) => flagColumn(o).length)) + 3;
      out.push('', 'Options:');
      for (const o of options) {
        const def = o.defaultValue !== undefined && o.defaultValue !== false && !(Array.isArray(o.defaultValue) && !o.defaultValue.length) ? ` (default ${JSON.stringify(o.defaultValue)})` : '';
        out.push(flagColumn(o).padEnd(width) + wrap(o.description + def, width));
      }
    }
    const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    if (subs.length) {
      const width = Math.max(...subs.map((c) => c.name().length)) + 3;
      out.push('', 'Commands:');
      for (const c of [...subs].sort((a, b) => a.name().localeCompare(b.name()))) out.push(`  ${c.name().padEnd(width)}${c.description()}`);
      out.push('', `Run 'wharf${pathOf(cmd) ? ' ' + pathOf(cmd) : ''} COMMAND --help' for more information on a command.`);
    }
    return out.join('\n') + '\n';
  }
}

/** Put docker's usage errors and help on every command of `program`. */
export function installDockerUsage(program: Command): void {
  const visit = (cmd: Command) => {
    cmd.configureOutput({ writeErr: () => undefined, outputError: () => undefined, writeOut: (s) => process.stdout.write(s) });
    cmd.createHelp = () => new DockerHelp();
    if (!cmd.commands.length && cmd.parent && !cmd.registeredArguments.some((a) => a.variadic)) cmd.allowExcessArguments(false);
    cmd.exitOverride((err) => {
      if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version') throw err;
      const { text, code } = usageError(cmd, err);
      process.stderr.write(text + '\n');
      throw code === 0 ? new CommanderError(0, 'wharf.helpShown', '') : new ExitError(code);
    });
    for (const c of cmd.commands) visit(c);
  };
  visit(program);
}
