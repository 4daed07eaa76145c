import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAttributeSync } from '@napi-rs/xattr';
import { applyLayer, layerSize } from './apply.js';
import { CAP_BLOB, isRoot, tarOf, tmpDir } from './testing.js';
import type { TarHeaderInput } from './tar-header.js';

type Entries = [TarHeaderInput, Buffer?][];
const apply = async (entries: Entries, dir: string, whiteouts: 'delete' | 'overlay' = 'delete') =>
  applyLayer(Readable.from([await tarOf(entries)]), dir, { whiteouts });

test('keeps modes, owners, times, links, xattrs and fifos; reports the file size sum', async (t) => {
  const root = join(tmpDir(t), 'root');
  mkdirSync(root);
  const entries: Entries = [
    [{ name: 'etc', type: 'dir', mode: 0o750, mtime: 1000, uid: isRoot ? 7 : undefined }],
    [{ name: 'etc/passwd', type: 'file', mode: 0o4711, mtime: 2000, uid: isRoot ? 1234 : undefined, gid: isRoot ? 99 : undefined }, Buffer.from('root:x:0:0\n')],
    [{ name: 'etc/cap', type: 'file', xattrs: new Map([['security.capability', CAP_BLOB], ['user.k', Buffer.from([0, 0xff])]]) }, Buffer.alloc(5000, 3)],
    [{ name: 'etc/link', type: 'symlink', linkname: 'passwd', mtime: 3000 }],
    [{ name: 'etc/hard', type: 'hardlink', linkname: 'etc/passwd' }],
    [{ name: 'run/fifo', type: 'fifo', mode: 0o640 }],
    [{ name: 'big', type: 'file' }, Buffer.alloc(300000, 9)],
  ];
  const { size } = await apply(entries, root);
  assert.equal(size, 11 + 5000 + 300000);
  const passwd = lstatSync(join(root, 'etc/passwd'));
  assert.equal(passwd.mode & 0o7777, 0o4711);
  assert.equal(passwd.mtimeMs, 2000_000);
  assert.equal(passwd.nlink, 2);
  assert.equal(lstatSync(join(root, 'etc/hard')).ino, passwd.ino);
  if (isRoot) assert.deepEqual([passwd.uid, passwd.gid, lstatSync(join(root, 'etc')).uid], [1234, 99, 7]);
  const etc = lstatSync(join(root, 'etc'));
  assert.equal(etc.mode & 0o7777, 0o750);
  assert.equal(etc.mtimeMs, 1000_000, 'directory times are set after its content');
  assert.equal(readlinkSync(join(root, 'etc/link')), 'passwd');
  assert.equal(lstatSync(join(root, 'etc/link')).mtimeMs, 3000_000);
  assert.deepEqual(getAttributeSync(join(root, 'etc/cap'), 'user.k'), Buffer.from([0, 0xff]));
  if (isRoot) assert.deepEqual(getAttributeSync(join(root, 'etc/cap'), 'security.capability'), CAP_BLOB);
  assert.ok(lstatSync(join(root, 'run/fifo')).isFIFO());
  assert.equal(lstatSync(join(root, 'run/fifo')).mode & 0o777, 0o640);
  assert.equal(readFileSync(join(root, 'big')).length, 300000);
  assert.equal((await layerSize(Readable.from([await tarOf(entries)]))).size, size);
});

test('device nodes are created with their numbers', async (t) => {
  if (!isRoot) return t.skip('mknod of a char device needs root');
  const root = tmpDir(t);
  await apply([[{ name: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }]], root);
  const st = lstatSync(join(root, 'dev/null'));
  assert.ok(st.isCharacterDevice());
  assert.equal(st.rdev, (1 << 8) | 3);
});

test('delete mode: .wh. removes, opaque empties lower content but keeps this layer\'s', async (t) => {
  const root = tmpDir(t);
  await apply(
    [
      [{ name: 'a/keep', type: 'file' }, Buffer.from('1')],
      [{ name: 'a/gone', type: 'file' }, Buffer.from('2')],
      [{ name: 'b/old', type: 'file' }, Buffer.from('3')],
      [{ name: 'c/sub/deep', type: 'file' }, Buffer.from('4')],
    ],
    root,
  );
  await apply(
    [
      [{ name: 'a/.wh.gone', type: 'file' }],
      [{ name: 'b/new', type: 'file' }, Buffer.from('5')],
      [{ name: 'b/.wh..wh..opq', type: 'file' }],
      [{ name: '.wh.c', type: 'file' }],
    ],
    root,
  );
  assert.deepEqual(readdirSync(join(root, 'a')), ['keep']);
  assert.deepEqual(readdirSync(join(root, 'b')), ['new']);
  assert.equal(existsSync(join(root, 'c')), false);
});

test('overlay mode: whiteouts become char 0/0 and opaque dirs get the xattr', async (t) => {
  if (!isRoot) return t.skip('overlay whiteouts need mknod and trusted.* xattrs (root)');
  const root = tmpDir(t);
  await apply(
    [
      [{ name: 'd', type: 'dir' }],
      [{ name: 'd/.wh..wh..opq', type: 'file' }],
      [{ name: 'd/.wh.removed', type: 'file' }],
    ],
    root,
    'overlay',
  );
  const wh = lstatSync(join(root, 'd/removed'));
  assert.ok(wh.isCharacterDevice());
  assert.equal(wh.rdev, 0);
  assert.deepEqual(getAttributeSync(join(root, 'd'), 'trusted.overlay.opaque'), Buffer.from('y'));
});

test('never writes outside the target', async (t) => {
  const base = tmpDir(t);
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'secret');
  const before = () => readdirSync(outside).sort();
  const untouched = before();

  // `..` and absolute names are re-rooted
  await apply([[{ name: '../../outside/dotdot', type: 'file' }, Buffer.from('x')]], root);
  assert.equal(readFileSync(join(root, 'outside/dotdot'), 'utf8'), 'x');
  await apply([[{ name: '/abs', type: 'file' }, Buffer.from('y')]], root);
  assert.equal(readFileSync(join(root, 'abs'), 'utf8'), 'y');

  // a symlink to an absolute outside path, then an entry through it
  await apply(
    [
      [{ name: 'abslink', type: 'symlink', linkname: outside }],
      [{ name: 'abslink/through-abs', type: 'file' }, Buffer.from('z')],
    ],
    root,
  );
  assert.ok(existsSync(join(root, outside, 'through-abs')), 'landed under the root instead');

  // a relative symlink climbing out, and a chain of symlinks
  await apply(
    [
      [{ name: 'up', type: 'symlink', linkname: '../../../outside' }],
      [{ name: 'up/through-rel', type: 'file' }, Buffer.from('r')],
      [{ name: 'chain1', type: 'symlink', linkname: 'chain2' }],
      [{ name: 'chain2', type: 'symlink', linkname: '../up' }],
      [{ name: 'chain1/through-chain', type: 'file' }, Buffer.from('c')],
    ],
    root,
  );
  assert.ok(existsSync(join(root, 'outside/through-rel')));
  assert.ok(existsSync(join(root, 'outside/through-chain')));

  // an entry named like an existing symlink replaces the link instead of writing through it
  await apply(
    [
      [{ name: 'secretlink', type: 'symlink', linkname: join(outside, 'secret') }],
      [{ name: 'secretlink', type: 'file' }, Buffer.from('overwrite')],
    ],
    root,
  );
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'secret');
  assert.equal(readFileSync(join(root, 'secretlink'), 'utf8'), 'overwrite');

  // a hardlink to an outside file is refused (its target is looked up inside the root)
  await assert.rejects(
    apply([[{ name: 'hl', type: 'hardlink', linkname: '../outside/secret' }]], root),
    (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT',
  );
  await assert.rejects(apply([[{ name: 'hl2', type: 'hardlink', linkname: join(outside, 'secret') }]], root));
  assert.equal(lstatSync(join(outside, 'secret')).nlink, 1);

  // a whiteout through an escaping symlink deletes nothing outside
  await apply([[{ name: 'up/.wh.secret', type: 'file' }]], root);
  assert.deepEqual(before(), untouched);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'secret');
});

test('a corrupt layer is reported as CORRUPT', async (t) => {
  const root = tmpDir(t);
  const tar = await tarOf([[{ name: 'f', type: 'file' }, Buffer.alloc(4000, 1)]]);
  await assert.rejects(
    applyLayer(Readable.from([tar.subarray(0, 1500)]), root, { whiteouts: 'delete' }),
    (e: Error & { code?: string }) => e.code === 'CORRUPT',
  );
});
