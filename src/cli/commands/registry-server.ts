/**
 * `wharf registry ...`: run the registry server and operate on its storage (GC, storage use,
 * repository delete, search metadata, htpasswd users). Maintenance commands work on the storage
 * root directly, so they run with or without the server up; GC stays safe next to a serving
 * registry thanks to its grace period.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkOutputPath, writeOutputFile } from '../../core/output-file.js';
import { humanSize } from '../../core/units.js';
import { hashPassword } from '../../registry/server/auth/htpasswd.js';
import { DEFAULT_ROOT, resolveConfig, type ServeFlags } from '../../registry/server/config.js';
import { collectGarbage, storageUsage } from '../../registry/server/gc.js';
import { checkName } from '../../registry/server/names.js';
import { mergeMeta } from '../../registry/server/routes/admin.js';
import { createRegistryServer } from '../../registry/server/server.js';
import { FilesystemDriver } from '../../registry/server/storage/fs.js';
import { RegistryStore } from '../../registry/server/store.js';
import { UploadManager } from '../../registry/server/uploads.js';

function openStore(root: string | undefined): { store: RegistryStore; uploads: UploadManager } {
  const store = new RegistryStore(new FilesystemDriver(root ?? process.env.WHARF_REGISTRY_ROOT ?? DEFAULT_ROOT));
  return { store, uploads: new UploadManager(store) };
}

const out = (line: string) => process.stdout.write(line + '\n');

export function registerRegistryServerCommands(program: Command): void {
  const registry = program.commands.find((c) => c.name() === 'registry') ?? program.command('registry').description('Run and manage a private registry');

  registry
    .command('serve')
    .description('Run an OCI distribution / Docker registry v2 server')
    .option('--addr <host:port>', 'listen address (default 0.0.0.0:5000)')
    .option('--root <dir>', `storage root (default ${DEFAULT_ROOT})`)
    .option('--config <file>', "config file: distribution's config.yml, or wharf's JSON")
    .option('--tls-cert <file>', 'TLS certificate (PEM)')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--htpasswd <file>', 'enable basic auth with a bcrypt htpasswd file')
    .option('--token-htpasswd <file>', 'enable token auth; users from this htpasswd file')
    .option('--token-realm <url>', 'token endpoint URL announced to clients (default: this server /auth/token)')
    .option('--token-service <name>', 'token service name')
    .option('--token-issuer <name>', 'token issuer name')
    .option('--token-key <file>', 'EC P-256 private key (PEM) that signs tokens')
    .option('--gc-interval <seconds>', 'run online GC every N seconds (0: never)')
    .option('--quiet', 'no request log')
    .action(async (flags: ServeFlags) => {
      const config = resolveConfig(flags);
      const running = await createRegistryServer(config);
      process.stderr.write(`wharf registry listening on ${config.addr} (${running.url}), root ${config.root}\n`);
      const stop = () => {
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  registry
    .command('gc')
    .description('Delete blobs no manifest references (safe while the registry serves)')
    .option('--root <dir>', 'storage root')
    .option('--delete-untagged', 'also delete manifests no tag reaches')
    .option('--dry-run', 'only print what would be deleted')
    .option('--grace-period <seconds>', 'keep content younger than this', '3600')
    .action(async (o: { root?: string; deleteUntagged?: boolean; dryRun?: boolean; gracePeriod: string }) => {
      const { store, uploads } = openStore(o.root);
      const report = await collectGarbage(store, uploads, {
        deleteUntagged: o.deleteUntagged,
        dryRun: o.dryRun,
        gracePeriod: Number(o.gracePeriod) * 1000,
        log: out,
      });
      out(`${o.dryRun ? 'would free' : 'freed'} ${humanSize(report.freedBytes)}: ${report.deletedBlobs.length} blobs, ${report.deletedManifests.length} manifests, ${report.purgedUploads.length} uploads`);
    });

  registry
    .command('du')
    .description('Storage used per repository')
    .option('--root <dir>', 'storage root')
    .option('--json', 'JSON output')
    .action(async (o: { root?: string; json?: boolean }) => {
      const rows = await storageUsage(openStore(o.root).store);
      if (o.json) {
        out(JSON.stringify(rows, null, 2));
        return;
      }
      out(`${'REPOSITORY'.padEnd(40)} ${'BLOBS'.padStart(6)} SIZE`);
      for (const r of rows) out(`${r.repository.padEnd(40)} ${String(r.blobs).padStart(6)} ${humanSize(r.bytes)}`);
    });

  registry
    .command('rm <repository>')
    .description('Delete a whole repository (its blobs go at the next GC)')
    .option('--root <dir>', 'storage root')
    .action(async (repo: string, o: { root?: string }) => {
      const { store } = openStore(o.root);
      checkName(repo);
      if (!(await store.repositoryExists(repo))) throw new Error(`no such repository: ${repo}`);
      await store.deleteRepository(repo);
      out(repo);
    });

  registry
    .command('set-meta <repository>')
    .description('Set search metadata for a repository')
    .option('--root <dir>', 'storage root')
    .option('--description <text>', 'description shown by search')
    .option('--stars <n>', 'star count')
    .option('--official', 'mark as official')
    .option('--no-official', 'unmark as official')
    .action(async (repo: string, o: { root?: string; description?: string; stars?: string; official?: boolean }) => {
      const { store } = openStore(o.root);
      checkName(repo);
      if (!(await store.repositoryExists(repo))) throw new Error(`no such repository: ${repo}`);
      const meta = mergeMeta(await store.getMeta(repo), {
        description: o.description,
        stars: o.stars === undefined ? undefined : Number(o.stars),
        official: o.official,
      });
      await store.setMeta(repo, meta);
      out(JSON.stringify(meta));
    });

  registry
    .command('htpasswd <file> <user>')
    .description('Add or replace a user in a bcrypt htpasswd file (password from --password or stdin)')
    .option('--password <password>', 'password (default: read from stdin)')
    .action(async (file: string, user: string, o: { password?: string }) => {
      if (!user || user.includes(':')) throw new Error('invalid user name');
      const password = o.password ?? readFileSync(0, 'utf8').replace(/\r?\n$/, '');
      checkOutputPath(file); // before reading it: a FIFO there would block, a device be written
      const line = `${user}:${hashPassword(password)}`;
      const kept = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith(`${user}:`)) : [];
      // Written beside and renamed over, only ever over a regular file (never a device or FIFO).
      await writeOutputFile(file, async (out) => void out.end([...kept, line].join('\n') + '\n'));
    });
}
