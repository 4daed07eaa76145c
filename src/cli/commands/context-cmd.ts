/**
 * `context ls|use|inspect|show`: docker's contexts, with the one context wharf has, `default` (the
 * engine in this process). Other names are refused as docker refuses a context that does not exist.
 */
import type { Command } from 'commander';
import { CliError, type CliContext } from '../context.js';
import { renderRows } from '../format/template.js';
import { defaultDataRoot } from '../../core/paths.js';

const row = () => ({
  Name: 'default',
  Current: true,
  Description: 'The wharf engine in this process',
  DockerEndpoint: `wharf://${defaultDataRoot()}`,
  KubernetesEndpoint: '',
  StackOrchestrator: 'swarm',
});

function known(name: string): void {
  if (name !== 'default') throw new CliError(`context "${name}" does not exist`, 1, true);
}

export function registerContextCommands(program: Command, ctx: CliContext): void {
  const context = program.command('context').description('Manage contexts');
  context
    .command('ls')
    .alias('list')
    .description('List contexts')
    .option('--format <string>', 'Pretty-print contexts using a Go template')
    .option('-q, --quiet', 'Only show context names')
    .action((o: { format?: string; quiet?: boolean }) => {
      if (o.quiet) return ctx.out('default');
      const r = row();
      const table = 'table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.KubernetesEndpoint}}\t{{.StackOrchestrator}}';
      const headers = { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', KubernetesEndpoint: 'KUBERNETES ENDPOINT', StackOrchestrator: 'ORCHESTRATOR' };
      const text = renderRows(o.format === 'json' ? '{{json .}}' : (o.format ?? table), [r], headers);
      ctx.stdout.write(text.endsWith('\n') ? text : text + '\n');
    });
  context
    .command('use')
    .description('Set the current docker context')
    .argument('<CONTEXT>')
    .action((name: string) => {
      known(name);
      ctx.out(name);
      ctx.err(`Current context is now "${name}"`);
    });
  context
    .command('show')
    .description('Print the name of the current context')
    .action(() => ctx.out('default'));
  context
    .command('inspect')
    .description('Display detailed information on one or more contexts')
    .argument('[CONTEXT...]')
    .action((names: string[]) => {
      for (const n of names) known(n);
      ctx.out(JSON.stringify([{ Name: 'default', Metadata: {}, Endpoints: { docker: { Host: row().DockerEndpoint, SkipTLSVerify: false } }, TLSMaterial: {}, Storage: { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' } }], null, 4));
    });
}
