/**
 * Unpacked layers are whole or absent (issue 11): a `rmi` killed midway must not leave a
 * partial tree that a later image with the same layer reuses as complete. Deletion renames
 * the tree aside first; a tree counts only with its completeness record, and `system check`
 * compares each tree with that record.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBusyboxRootfsTar } from '../helpers/busybox.js';
import { removeDir, tempDir, wharf, wharfOk, WHARF_BIN } from '../helpers/wharf.js';

const FILES = 1000;

describe('security: layer trees are whole or absent', () => {
  const dir = tempDir('wharf-sec-store-');
  const root = join(dir, 'root');
  after(() => removeDir(dir));
  let tar = '';
  const countInside = () => wharfOk(root, ['run', '--rm', '--network', 'none', 'many:x', 'sh', '-c', 'find / -xdev | wc -l']).trim();

  test('rmi killed at any moment, then the same layer again: the container sees every file', async () => {
    await makeBusyboxRootfsTar(dir);
    const many = join(dir, 'rootfs', 'many');
    mkdirSync(many);
    for (let i = 0; i < FILES; i++) writeFileSync(join(many, `f${i}`), `${i}\n`);
    tar = join(dir, 'many.tar');
    execFileSync('tar', ['-C', join(dir, 'rootfs'), '-cf', tar, '.']);
    wharfOk(root, ['import', tar, 'many:x']);
    const expected = countInside();
    assert.ok(Number(expected) > FILES, expected);
    for (const delay of [10, 80]) {
      const p = spawn(WHARF_BIN, ['--root', root, 'rmi', 'many:x'], { stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, delay));
      p.kill('SIGKILL');
      await new Promise((r) => p.on('close', r));
      wharf(root, ['rmi', 'many:x']); // finish it if it was cut short before the image went
      wharfOk(root, ['import', tar, 'many:x']);
      assert.equal(countInside(), expected, `after a rmi killed at ${delay} ms`);
    }
    const check = wharfOk(root, ['system', 'check']);
    assert.match(check, /: 0 errors/, check);
  });

  test('system check finds a damaged layer tree; --prune drops it and it is unpacked again', () => {
    const layers = join(root, 'layers');
    const hex = readdirSync(layers).find((n) => !n.startsWith('.'))!;
    rmSync(join(layers, hex, 'diff', 'many', 'f7'));
    const r = wharf(root, ['system', 'check']);
    assert.match(r.stdout + r.stderr, new RegExp(`layer sha256:${hex}: unpacked tree has`));
    wharf(root, ['system', 'check', '--prune']);
    assert.match(wharfOk(root, ['system', 'check']), /: 0 errors/);
    assert.equal(wharfOk(root, ['run', '--rm', '--network', 'none', 'many:x', 'cat', '/many/f7']), '7\n');
  });
});
