/**
 * `wharf registry ...`: run the registry server and operate on its storage (GC, storage use,
 * repository delete, search metadata, schema migrations, import, check, htpasswd users).
 * Maintenance commands open the same storage the server does (a directory, or S3 + PostgreSQL
 * given by the same flags), so they run with or without the server up; GC stays safe next to
 * serving replicas (grace period; with PostgreSQL, row locks and one worker at a time).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { checkOutputPath, writeOutputFile } from '../../core/output-file.js';
import { humanSize } from '../../core/units.js';
import { ExitError } from '../context.js';
import { hashPassword } from '../../registry/server/auth/htpasswd.js';
import { openStore as openBackends, postgresOf } from '../../registry/server/backends.js';
import { DEFAULT_ROOT, resolveConfig, type ServeFlags } from '../../registry/server/config.js';
import { runGc, storageUsage } from '../../registry/server/gc.js';
import { checkName } from '../../registry/server/names.js';
import { checkRegistry, importRegistry } from '../../registry/server/ops.js';
import { mergeMeta } from '../../registry/server/routes/admin.js';
import { createRegistryServer } from '../../registry/server/server.js';
import type { RegistryStore } from '../../registry/server/store.js';
import { UploadManager } from '../../registry/server/uploads.js';

/** The storage flags every command that opens the registry's storage takes. */
function backendOptions(cmd: Command): Command {
  return cmd
    .option('--root <dir>', `storage root of the filesystem storage and embedded metadata (default ${DEFAULT_ROOT})`)
    .option('--config <file>', "config file: distribution's config.yml (storage.s3.*, http, auth, notifications...) or wharf's JSON")
    .option('--storage <kind>', 'blob storage: filesystem (default) or s3')
    .option('--s3-endpoint <url>', 'S3 endpoint (regionendpoint), e.g. http://127.0.0.1:7480')
    .option('--s3-bucket <name>', 'S3 bucket (created when missing)')
    .option('--s3-region <region>', 'S3 region (default us-east-1)')
    .option('--s3-access-key <key>', 'S3 access key (or REGISTRY_STORAGE_S3_ACCESSKEY, AWS_ACCESS_KEY_ID)')
    .option('--s3-secret-key <key>', 'S3 secret key (or REGISTRY_STORAGE_S3_SECRETKEY, AWS_SECRET_ACCESS_KEY)')
    .option('--s3-root-directory <prefix>', 'key prefix inside the bucket')
    .option('--s3-chunk-size <bytes>', 'multipart part size (default 10485760, at least 5242880)')
    .option('--metadata <url>', 'metadata: embedded (default) or postgres://user:pass@host:port/db (or WHARF_REGISTRY_METADATA)');
}

async function withStore<T>(flags: ServeFlags, fn: (store: RegistryStore, uploads: UploadManager) => Promise<T>): Promise<T> {
  const config = resolveConfig({ ...flags, root: flags.root ?? process.env.WHARF_REGISTRY_ROOT });
  const store = await openBackends(config);
  try {
    return await fn(store, new UploadManager(store));
  } finally {
    await store.close();
  }
}

const out = (line: string) => process.stdout.write(line + '\n');

export function registerRegistryServerCommands(program: Command): void {
  const registry = program.commands.find((c) => c.name() === 'registry') ?? program.command('registry').description('Run and manage a private registry');

  backendOptions(registry
    .command('serve')
    .description('Run an OCI distribution / Docker registry v2 server')
    .option('--addr <host:port>', 'listen address (default 0.0.0.0:5000)'))
    .option('--s3-redirect', 'answer blob GETs with a redirect to a pre-signed S3 URL')
    .option('--gc-grace-period <seconds>', 'content younger than this is never collected (default 3600)')
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
      const where = config.storage?.s3 ? `s3 bucket ${config.storage.s3.bucket}` : `root ${config.root}`;
      process.stderr.write(`wharf registry listening on ${config.addr} (${running.url}), ${where}, metadata ${config.metadata?.postgres ? 'postgres' : 'embedded'}\n`);
      const stop = () => {
        void running.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  backendOptions(registry
    .command('gc')
    .description('Delete blobs no manifest references (safe while the registry serves)'))
    .option('--delete-untagged', 'also delete manifests no tag reaches')
    .option('--dry-run', 'only print what would be deleted')
    .option('--grace-period <seconds>', 'keep content younger than this', '3600')
    .option('--upload-purge-age <seconds>', 'abort uploads abandoned for longer than this', '86400')
    .action(async (o: ServeFlags & { deleteUntagged?: boolean; dryRun?: boolean; gracePeriod: string; uploadPurgeAge: string }) => {
      const report = await withStore(o, (store, uploads) =>
        runGc(store, uploads, {
          deleteUntagged: o.deleteUntagged,
          dryRun: o.dryRun,
          gracePeriod: Number(o.gracePeriod) * 1000,
          uploadPurgeAge: Number(o.uploadPurgeAge) * 1000,
          log: out,
        }),
      );
      if (report.skipped) {
        out('another replica is collecting garbage right now; nothing done');
        return;
      }
      out(`${o.dryRun ? 'would free' : 'freed'} ${humanSize(report.freedBytes)}: ${report.deletedBlobs.length} blobs, ${report.deletedManifests.length} manifests, ${report.purgedUploads.length} uploads`);
    });

  backendOptions(registry.command('du').description('Storage used per repository'))
    .option('--json', 'JSON output')
    .action(async (o: ServeFlags & { json?: boolean }) => {
      const rows = await withStore(o, (store) => storageUsage(store));
      if (o.json) {
        out(JSON.stringify(rows, null, 2));
        return;
      }
      out(`${'REPOSITORY'.padEnd(40)} ${'BLOBS'.padStart(6)} SIZE`);
      for (const r of rows) out(`${r.repository.padEnd(40)} ${String(r.blobs).padStart(6)} ${humanSize(r.bytes)}`);
    });

  backendOptions(registry.command('rm <repository>').description('Delete a whole repository (its blobs go at the next GC)'))
    .action(async (repo: string, o: ServeFlags) => {
      checkName(repo);
      await withStore(o, async ({ meta }) => {
        if (!(await meta.repositoryExists(repo))) throw new Error(`no such repository: ${repo}`);
        await meta.deleteRepository(repo);
      });
      out(repo);
    });

  backendOptions(registry.command('set-meta <repository>').description('Set search metadata for a repository'))
    .option('--description <text>', 'description shown by search')
    .option('--stars <n>', 'star count')
    .option('--official', 'mark as official')
    .option('--no-official', 'unmark as official')
    .action(async (repo: string, o: ServeFlags & { description?: string; stars?: string; official?: boolean }) => {
      checkName(repo);
      const meta = await withStore(o, async ({ meta: store }) => {
        if (!(await store.repositoryExists(repo))) throw new Error(`no such repository: ${repo}`);
        const meta = mergeMeta(await store.getMeta(repo), {
          description: o.description,
          stars: o.stars === undefined ? undefined : Number(o.stars),
          official: o.official,
        });
        await store.setMeta(repo, meta);
        return meta;
      });
      out(JSON.stringify(meta));
    });

  registry
    .command('migrate <direction>')
    .description("Apply the metadata database's schema migrations (direction: up, or status)")
    .option('--metadata <url>', 'postgres://user:pass@host:port/db (or WHARF_REGISTRY_METADATA)')
    .option('--config <file>', 'config file')
    .action(async (direction: string, o: ServeFlags) => {
      if (direction !== 'up' && direction !== 'status') throw new Error(`unknown migrate direction ${direction}: use up or status`);
      const config = resolveConfig(o);
      if (!config.metadata?.postgres) throw new Error('migrate needs --metadata postgres://...: embedded metadata has no schema');
      const pg = await postgresOf(config);
      try {
        if (direction === 'up') {
          const applied = await pg.migrate(out);
          if (!applied.length) out('the schema is up to date');
        } else {
          const { appliedVersions, MIGRATIONS } = await import('../../registry/server/meta/migrations.js');
          const c = await pg.pool.connect();
          try {
            const done = new Set(await appliedVersions(c));
            for (const m of MIGRATIONS) out(`${String(m.version).padStart(4)}  ${done.has(m.version) ? 'applied' : 'pending'}  ${m.name}`);
          } finally {
            c.release();
          }
        }
      } finally {
        await pg.close();
      }
    });

  backendOptions(registry.command('import').description('Copy a one-machine registry (directory + embedded metadata) into the configured storage'))
    .requiredOption('--from <dir>', 'root of the registry to copy from (it may keep serving)')
    .action(async (o: ServeFlags & { from: string }) => {
      if (!existsSync(o.from)) throw new Error(`no such directory: ${o.from}`);
      const r = await withStore(o, (store, uploads) => importRegistry(o.from, store, uploads, out));
      out(`imported ${r.repositories} repositories: ${r.blobs} blobs (${humanSize(r.bytes)}, ${r.skippedBlobs} already there), ${r.manifests} manifests, ${r.tags} tags`);
    });

  backendOptions(registry.command('check').description("Verify every manifest's blobs are stored and every stored blob's digest"))
    .option('--quick', 'check presence and sizes only (no re-hashing of every blob)')
    .action(async (o: ServeFlags & { quick?: boolean }) => {
      const r = await withStore(o, (store) => checkRegistry(store, { verifyDigests: !o.quick, log: out }));
      out(`checked ${r.manifests} manifests and ${r.blobsChecked} blobs: ${r.problems.length ? `${r.problems.length} problems` : 'no problems'}`);
      if (r.problems.length) throw new ExitError(1);
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
