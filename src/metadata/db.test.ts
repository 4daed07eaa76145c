import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, schemaVersion } from './db.js';
import { migrations } from './schema.js';

test('migrations bring a new database to the latest version, and reopening is a no-op', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-db-'));
  try {
    const db = openDatabase(join(dir, 'x.db'));
    assert.equal(schemaVersion(db), migrations.length);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.prepare("INSERT INTO layers VALUES ('sha256:a', 1)").run();
    db.close();
    const again = openDatabase(join(dir, 'x.db'));
    assert.equal(schemaVersion(again), migrations.length);
    assert.equal((again.prepare('SELECT COUNT(*) AS n FROM layers').get() as { n: number }).n, 1);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
