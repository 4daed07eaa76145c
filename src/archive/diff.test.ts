import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { getAttributeSync, setAttributeSync } from '@napi-rs/xattr';
import { changes, tarDirectory, tarOverlayUpper } from './diff.js';
import { applyLayer } from './apply.js';
import { drain, entriesOf, isRoot, tmpDir } from './testing.js';

test('tarDirectory: sorted, deterministic, hardlinks by inode, xattrs kept, sockets skipped', async (t) => {
  const base = tmpDir(t);
  const src = join(base, 'src');
  mkdirSync(join(src, 'b/sub'), { recursive: true });
  writeFileSync(join(src, 'b/sub/z'), 'zz');
  writeFileSync(join(src, 'a'), 'aaa');
  linkSync(join(src, 'a'), join(src, 'b/a-again'));
  symlinkSync('../a', join(src, 'b/link'));
  writeFileSync(join(src, 'big'), Buffer.alloc(3 * 1024 * 1024, 5));
  setAttributeSync(join(src, 'a'), 'user.note', Buffer.from([0, 1, 2, 0xff]));
  execFileSync('mkfifo', [join(src, 'fifo')]);
  const server = createServer().listen(join(src, 'sock'));
  await new Promise((r) => server.once('listening', r));
  t.after(() => server.close());
  utimesSync(join(src, 'b'), 1234567, 1234567);

  const bytes = await drain(tarDirectory(src));
  assert.ok(bytes.equals(await drain(tarDirectory(src))), 'same tree, same bytes');
  const entries = await entriesOf(Readable.from([bytes]));
  const names = entries.map((e) => e.header.name);
  assert.deepEqual(names, ['a', 'b/', 'b/a-again', 'b/link', 'b/sub/', 'b/sub/z', 'big', 'fifo']);
  const byName = new Map(entries.map((e) => [e.header.name, e]));
  assert.equal(byName.get('b/a-again')!.header.type, 'hardlink');
  assert.equal(byName.get('b/a-again')!.header.linkname, 'a');
  assert.deepEqual(byName.get('a')!.header.xattrs.get('user.note'), Buffer.from([0, 1, 2, 0xff]));
  assert.equal(byName.get('b/')!.header.mtime, 1234567);
  assert.equal(byName.get('big')!.data.length, 3 * 1024 * 1024);

  // and back: applying it rebuilds the same tree
  const copy = join(base, 'copy');
  mkdirSync(copy);
  await applyLayer(Readable.from([bytes]), copy, { whiteouts: 'delete' });
  assert.equal(readFileSync(join(copy, 'b/sub/z'), 'utf8'), 'zz');
  assert.equal(lstatSync(join(copy, 'b/a-again')).ino, lstatSync(join(copy, 'a')).ino);
  assert.deepEqual(getAttributeSync(join(copy, 'a'), 'user.note'), Buffer.from([0, 1, 2, 0xff]));
  assert.equal(lstatSync(join(copy, 'b')).mtimeMs, 1234567000);
});

/** A real overlay mount, changed by a shell like a container would. */
// test:host — needs root (overlay mounts), a dockerd: not part of `npm run test:unit`.
function overlayScenario(base: string): { lower: string; upper: string } {
  const lower = join(base, 'lower');
  const upper = join(base, 'upper');
  const work = join(base, 'work');
  const merged = join(base, 'merged');
  for (const d of [lower, upper, work, merged, join(lower, 'etc'), join(lower, 'opq/sub'), join(lower, 'tmp')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(lower, 'etc/passwd'), 'root:x:0:0\n');
  writeFileSync(join(lower, 'etc/hosts.bak'), 'h\n');
  writeFileSync(join(lower, 'opq/sub/f'), '1\n');
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
  try {
    execFileSync('sh', ['-c', SCRIPT], { cwd: merged });
  } finally {
    execFileSync('umount', [merged]);
  }
  return { lower, upper };
}
const SCRIPT = 'echo test_first! >> first; rm etc/hosts.bak; echo x >> etc/passwd; mkdir -p new/d; touch new/d/f; rm -rf opq; mkdir -p opq/other; touch tmp/t';
/** What `docker diff` printed for SCRIPT on dockerd 20.10 / overlay2 here (its order is random). */
const DOCKER_SAYS = ['C /etc', 'C /etc/passwd', 'D /etc/hosts.bak', 'A /new', 'A /new/d', 'A /new/d/f', 'C /opq', 'A /opq/other', 'D /opq/sub', 'A /first', 'C /tmp', 'A /tmp/t'];

const canMount = (): boolean => isRoot && spawnSync('mount', ['--version']).status === 0;

test('changes() on a real overlay upper dir gives docker diff\'s answer', async (t) => {
  if (!canMount()) return t.skip('overlay mounts need root');
  const { lower, upper } = overlayScenario(tmpDir(t));
  const got = (await changes(upper, [lower])).map((c) => `${c.kind} ${c.path}`);
  assert.deepEqual([...got].sort(), [...DOCKER_SAYS].sort());
  // parents come before their children
  assert.ok(got.indexOf('C /etc') < got.indexOf('C /etc/passwd'));
});

test('changes() matches a live docker diff of the same script', async (t) => {
  if (!canMount()) return t.skip('overlay mounts need root');
  const env = { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///tmp/d/docker.sock' };
  if (spawnSync('docker', ['version'], { env, timeout: 10000 }).status !== 0) return t.skip('no dockerd reachable');
  const base = tmpDir(t);
  const rootfs = join(base, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  execFileSync('cp', ['/bin/busybox', join(rootfs, 'bin/busybox')]);
  for (const a of ['sh', 'echo', 'rm', 'mkdir', 'touch']) symlinkSync('busybox', join(rootfs, 'bin', a));
  for (const d of ['etc', 'opq/sub', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0\n');
  writeFileSync(join(rootfs, 'etc/hosts.bak'), 'h\n');
  writeFileSync(join(rootfs, 'opq/sub/f'), '1\n');
  const tag = `wharf-archive-difftest:${process.pid}`;
  execFileSync('sh', ['-c', `tar -C ${rootfs} -c . | docker import - ${tag}`], { env });
  const name = `wharf-archive-diff-${process.pid}`;
  t.after(() => spawnSync('sh', ['-c', `docker rm -f ${name}; docker rmi ${tag}`], { env }));
  execFileSync('docker', ['run', '--name', name, '--network', 'none', tag, 'sh', '-c', `cd / && ${SCRIPT}`], { env, timeout: 60000 });
  const dockerSays = execFileSync('docker', ['diff', name], { env }).toString().trim().split('\n');
  const { lower, upper } = overlayScenario(base);
  const got = (await changes(upper, [lower])).map((c) => `${c.kind} ${c.path}`);
  assert.deepEqual([...got].sort(), [...dockerSays].sort());
});

test('tarOverlayUpper: whiteouts and opaque dirs become OCI markers and apply back', async (t) => {
  if (!canMount()) return t.skip('overlay mounts need root');
  const base = tmpDir(t);
  const { lower, upper } = overlayScenario(base);
  assert.equal(getAttributeSync(join(upper, 'opq'), 'trusted.overlay.opaque')?.toString(), 'y');
  const entries = await entriesOf(tarOverlayUpper(upper));
  const names = entries.map((e) => e.header.name);
  assert.ok(names.includes('etc/.wh.hosts.bak'), names.join(','));
  assert.ok(names.includes('opq/.wh..wh..opq'));
  assert.ok(names.indexOf('opq/') < names.indexOf('opq/.wh..wh..opq'));
  for (const e of entries) assert.ok(![...e.header.xattrs.keys()].some((k) => k.startsWith('trusted.overlay.')));

  // applied in delete mode onto the lower, it gives what the container saw
  await applyLayer(tarOverlayUpper(upper), lower, { whiteouts: 'delete' });
  assert.deepEqual(readdirSync(join(lower, 'etc')), ['passwd']);
  assert.equal(readFileSync(join(lower, 'etc/passwd'), 'utf8'), 'root:x:0:0\nx\n');
  assert.deepEqual(readdirSync(join(lower, 'opq')), ['other']);
  assert.equal(readFileSync(join(lower, 'first'), 'utf8'), 'test_first!\n');

  // applied in overlay mode, it recreates overlay's own markers
  const snap = join(base, 'snap');
  mkdirSync(snap);
  await applyLayer(tarOverlayUpper(upper), snap, { whiteouts: 'overlay' });
  assert.ok(lstatSync(join(snap, 'etc/hosts.bak')).isCharacterDevice());
  assert.equal(getAttributeSync(join(snap, 'opq'), 'trusted.overlay.opaque')?.toString(), 'y');
});
