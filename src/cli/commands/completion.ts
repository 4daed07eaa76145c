/**
 * `wharf completion bash|zsh|fish`: a script completing commands, subcommands and flags (read from
 * the command tree, so it never drifts from the CLI), and image and container names (asked of
 * wharf itself while completing).
 */
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context.js';

/** `word: subcommands and flags` for every command path, space-separated. */
function table(program: Command): [string, string][] {
  const rows: [string, string][] = [];
  const visit = (cmd: Command, path: string[]) => {
    const words = [...cmd.commands.map((c) => c.name()), ...cmd.options.flatMap((o) => [o.short, o.long].filter((x): x is string => !!x))];
    rows.push([path.join(' '), words.join(' ')]);
    for (const c of cmd.commands) visit(c, [...path, c.name()]);
  };
  visit(program, []);
  return rows;
}

const IMAGE_CMDS = ['run', 'create', 'rmi', 'tag', 'push', 'save', 'history', 'image inspect', 'image rm', 'image history', 'image tag', 'image push', 'image save'];
const CONTAINER_CMDS = ['start', 'stop', 'kill', 'restart', 'rm', 'logs', 'exec', 'attach', 'inspect', 'diff', 'export', 'commit', 'cp', 'port', 'top', 'wait', 'pause', 'unpause', 'rename', 'stats', 'update'];

function bash(program: Command): string {
  const cases = table(program).map(([path, words]) => `    "${path}") echo "${words}" ;;`).join('\n');
  const alt = (list: string[]) => list.map((c) => `"${c}"`).join('|');
  return `# wharf bash completion: source <(wharf completion bash)
_wharf_words() {
  case "$1" in
${cases}
    *) return 1 ;;
  esac
}
_wharf() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" w i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    [[ $w == -* ]] && continue
    _wharf_words "\${path:+$path }$w" >/dev/null && path="\${path:+$path }$w"
  done
  words=$(_wharf_words "$path")
  case "$path" in
    ${alt(IMAGE_CMDS)}) words="$words $(wharf images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep -v '<none>')" ;;
  esac
  case "$path" in
    ${alt(CONTAINER_CMDS)}) words="$words $(wharf ps -a --format '{{.Names}}' 2>/dev/null)" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _wharf wharf
`;
}

function zsh(program: Command): string {
  return `#compdef wharf
# wharf zsh completion: source <(wharf completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(program)}`;
}

function fish(program: Command): string {
  const lines = ['# wharf fish completion: wharf completion fish | source', 'complete -c wharf -f'];
  for (const c of program.commands) {
    lines.push(`complete -c wharf -n '__fish_use_subcommand' -a '${c.name()}' -d '${c.description().replace(/'/g, "\\'")}'`);
    for (const s of c.commands) lines.push(`complete -c wharf -n '__fish_seen_subcommand_from ${c.name()}' -a '${s.name()}' -d '${s.description().replace(/'/g, "\\'")}'`);
    for (const o of c.options) if (o.long) lines.push(`complete -c wharf -n '__fish_seen_subcommand_from ${c.name()}' -l '${o.long.slice(2)}'${o.short ? ` -s '${o.short.slice(1)}'` : ''}`);
  }
  lines.push(`complete -c wharf -n '__fish_seen_subcommand_from ${IMAGE_CMDS.filter((c) => !c.includes(' ')).join(' ')}' -a '(wharf images --format "{{.Repository}}:{{.Tag}}" 2>/dev/null | string match -v "*<none>*")'`);
  lines.push(`complete -c wharf -n '__fish_seen_subcommand_from ${CONTAINER_CMDS.join(' ')}' -a '(wharf ps -a --format "{{.Names}}" 2>/dev/null)'`);
  return lines.join('\n') + '\n';
}

export function registerCompletionCommand(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('Generate the autocompletion script for the specified shell')
    .argument('<SHELL>', 'bash, zsh or fish')
    .action((shell: string) => {
      const script = shell === 'bash' ? bash(program) : shell === 'zsh' ? zsh(program) : shell === 'fish' ? fish(program) : undefined;
      if (script === undefined) throw new CliError(`unsupported shell "${shell}": bash, zsh or fish`, 1);
      ctx.stdout.write(script);
    });
}
