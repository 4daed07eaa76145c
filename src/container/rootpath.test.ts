import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInRoot } from './rootpath.js';

test('symlinks and .. never leave the root', () => {
  const root = mkdtempSync(join(tmpdir(), 'rootpath-'));
  try {
    mkdirSync(join(root, 'etc'));
    symlinkSync('/', join(root, 'abs'));
    symlinkSync('../../..', join(root, 'etc', 'up'));
    symlinkSync('/etc', join(root, 'etclink'));
    assert.equal(resolveInRoot(root, '/abs/tmp/x'), join(root, 'tmp', 'x'));
    assert.equal(resolveInRoot(root, '/etc/up/etc/passwd'), join(root, 'etc', 'passwd'));
    assert.equal(resolveInRoot(root, '../../../etc'), join(root, 'etc'));
    assert.equal(resolveInRoot(root, '/etclink/hosts'), join(root, 'etc', 'hosts'));
    assert.equal(resolveInRoot(root, '/etclink', true), join(root, 'etclink'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
