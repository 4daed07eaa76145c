/**
 * Opens the metadata database: SQLite in WAL mode with a busy timeout, so several
 * wharf processes can read while one writes and writers queue instead of failing.
 * Writes that must be atomic go through `tx` (BEGIN IMMEDIATE: the write lock is taken
 * up front, so two processes never interleave a read-modify-write).
 */
import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { migrations } from './schema.js';

/**
 * The addon's path, given directly: the `bindings` lookup probes a dozen paths per start,
 * and it finds the package from its caller's file name, which is wrong once
 * better-sqlite3's JavaScript is bundled into wharf. So: the usual place first, then
 * `bindings` told where the package is.
 */
function nativeBinding(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('better-sqlite3/package.json'));
    const addon = join(root, 'build', 'Release', 'better_sqlite3.node');
    if (existsSync(addon)) return addon;
    const bindings = createRequire(join(root, 'package.json'))('bindings') as (o: object) => string;
    return bindings({ bindings: 'better_sqlite3.node', module_root: root, path: true });
  } catch {
    return undefined;
  }
}

export type DB = Database.Database;

export function openDatabase(path: string): DB {
  const db = new Database(path, { timeout: 30_000, nativeBinding: nativeBinding() });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

export function migrate(db: DB): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const current = (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
  if (current >= migrations.length) return;
  tx(db, () => {
    // Re-read under the write lock: another process may have migrated meanwhile.
    const v = (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
    for (let i = v; i < migrations.length; i++) {
      db.exec(migrations[i]!);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(i + 1);
    }
  });
}

/** Run `fn` in a BEGIN IMMEDIATE transaction. */
export function tx<T>(db: DB, fn: () => T): T {
  return db.transaction(fn).immediate();
}

export function schemaVersion(db: DB): number {
  return (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
}
