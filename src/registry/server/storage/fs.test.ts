import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidPathError, PathNotFoundError } from './driver.js';
import { FilesystemDriver } from './fs.js';

test('filesystem driver: put/get/stat/list/move/delete/writer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-fsd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const d = new FilesystemDriver(dir);
  await d.putContent('/a/b/c', 'hello');
  assert.equal((await d.getContent('/a/b/c')).toString(), 'hello');
  assert.equal((await d.stat('/a/b/c'))?.size, 5);
  assert.deepEqual(await d.list('/a/b'), ['c']);
  assert.deepEqual(readdirSync(join(dir, 'a/b')), ['c'], 'no temp files left behind');
  await d.move('/a/b/c', '/x/y');
  await assert.rejects(d.getContent('/a/b/c'), PathNotFoundError);
  const w = await d.writer('/x/y', true);
  await w.write(Buffer.from(' world'));
  await w.commit();
  assert.equal((await d.getContent('/x/y')).toString(), 'hello world');
  let ranged = '';
  for await (const c of d.reader('/x/y', 6, 10)) ranged += c;
  assert.equal(ranged, 'world');
  await d.delete('/x');
  assert.equal(await d.stat('/x/y'), null);
  assert.deepEqual(await d.list('/missing'), []);
});

test('filesystem driver refuses paths that could leave the root', () => {
  const d = new FilesystemDriver('/tmp/wharf-never-created');
  for (const p of ['a', '/../etc', '/a/../../etc', '/a//b', '/a/./b', '/a/b c', '/a/\0']) assert.throws(() => d.fullPath(p), InvalidPathError, p);
});
