/**
 * `system df`, `system info`, `info`, `version`, and the data root: `--root` and
 * WHARF_ROOT are honoured (each test uses its own temporary root).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { WHARF_BIN, removeDir, tempDir, wharfOk } from '../helpers/wharf.js';
import { importBusybox, tableCells } from '../helpers/images.js';

describe('system', () => {
  test('system df: docker columns; Images counts and sizes the store', async () => {
    const root = tempDir();
    try {
      await importBusybox(root, 'df/a');
      await importBusybox(root, 'df/b', ['-c', 'ENV B=1']); // same layer: counted once
      const lines = wharfOk(root, ['system', 'df']).trimEnd().split('\n').map(tableCells);
      assert.deepEqual(lines[0], ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE']);
      assert.deepEqual(lines[1], ['Images', '2', '0', '1.984MB', '1.984MB (100%)']);
      assert.deepEqual(lines.slice(2).map((l) => l[0]), ['Containers', 'Local Volumes', 'Build Cache']);
    } finally {
      removeDir(root);
    }
  });

  test('system info and info: image count and root dir; version prints client and server', async () => {
    const root = tempDir();
    try {
      await importBusybox(root, 'info/a');
      assert.equal(wharfOk(root, ['system', 'info', '--format', '{{.Images}} {{.DockerRootDir}}']), `1 ${root}\n`);
      assert.match(wharfOk(root, ['info']), /^Server:\n Containers: 0\n[\s\S]* Images: 1\n/);
      const v = wharfOk(root, ['version']);
      assert.match(v, /^Client:\n Version: +\S+\n[\s\S]*\nServer:\n Engine:\n  Version: +\S+/);
      assert.match(wharfOk(root, ['version', '--format', '{{.Server.Version}}']), /^\d+\.\d+\.\d+/);
    } finally {
      removeDir(root);
    }
  });

  test('--root and WHARF_ROOT choose the data root', async () => {
    const a = tempDir();
    const b = tempDir();
    try {
      await importBusybox(a, 'root/a');
      assert.ok(existsSync(join(a, 'wharf.db')));
      const viaEnv = spawnSync(WHARF_BIN, ['images', '--format', '{{.Repository}}'], { env: { ...process.env, WHARF_ROOT: a }, encoding: 'utf8' });
      assert.equal(viaEnv.stdout, 'root/a\n');
      const other = spawnSync(WHARF_BIN, ['images', '-q'], { env: { ...process.env, WHARF_ROOT: b }, encoding: 'utf8' });
      assert.equal(other.stdout, '');
      assert.ok(existsSync(join(b, 'wharf.db')));
      // --root wins over WHARF_ROOT
      const both = spawnSync(WHARF_BIN, ['--root', a, 'images', '--format', '{{.Repository}}'], { env: { ...process.env, WHARF_ROOT: b }, encoding: 'utf8' });
      assert.equal(both.stdout, 'root/a\n');
    } finally {
      removeDir(a);
      removeDir(b);
    }
  });
});
