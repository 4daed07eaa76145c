import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdirSync, symlinkSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { getAttributeSync, setAttributeSync } from '@napi-rs/xattr';
import { readTar, type TarHeaderInput } from './tar.js';
import { CAP_BLOB, entriesOf as collect, tarOf as writeAll, tmpDir as tmp } from './testing.js';
import { readNumber, writeNumber } from './tar-header.js';
import { isWharfError } from '../core/errors.js';

function chunked(buf: Buffer, size: number): AsyncIterable<Buffer> {
  return (async function* () {
    for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
  })();
}

const longName = `${'d'.repeat(60)}/${'e'.repeat(70)}/${'f'.repeat(120)}.txt`;
const sample: [TarHeaderInput, Buffer?][] = [
  [{ name: 'dir', type: 'dir', mode: 0o1755, mtime: 1700000000 }],
  [{ name: 'dir/file', type: 'file', mode: 0o4755, uid: 1000, gid: 1001, uname: 'u', gname: 'g', mtime: 1700000001 }, Buffer.from('hello\n')],
  [{ name: 'dir/cap', type: 'file', xattrs: new Map([['security.capability', CAP_BLOB], ['user.bin', Buffer.from([0xff, 0, 0xfe])]]) }, Buffer.alloc(1000, 7)],
  [{ name: 'dir/link', type: 'symlink', linkname: '../' + 'x'.repeat(150) }],
  [{ name: 'dir/hard', type: 'hardlink', linkname: 'dir/file' }],
  [{ name: 'dev/null', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 }],
  [{ name: 'dev/sda', type: 'block', devmajor: 8, devminor: 0 }],
  [{ name: 'pipe', type: 'fifo' }],
  [{ name: longName, type: 'file' }, Buffer.from('long')],
  [{ name: 'ünïcode/名前', type: 'file', uid: 0o7777777 + 5 }, Buffer.alloc(0)],
  [{ name: 'big-block', type: 'file' }, Buffer.alloc(70000, 1)],
];

test('our writer round-trips through our reader, across odd chunk boundaries', async () => {
  const tar = await writeAll(sample);
  assert.equal(tar.length % 512, 0);
  for (const size of [tar.length, 7, 512, 65536]) {
    const entries = await collect(chunked(tar, size));
    assert.equal(entries.length, sample.length);
    sample.forEach(([input, body], i) => {
      const { header, data } = entries[i]!;
      assert.equal(header.name, input.type === 'dir' ? `${input.name}/` : input.name);
      assert.equal(header.type, input.type);
      for (const k of ['mode', 'uid', 'gid', 'uname', 'gname', 'mtime', 'linkname', 'devmajor', 'devminor'] as const) {
        if (input[k] !== undefined) assert.equal(header[k], input[k], `${input.name} ${k}`);
      }
      assert.deepEqual(data, body ?? Buffer.alloc(0));
      assert.deepEqual([...header.xattrs], [...(input.xattrs ?? new Map())]);
    });
  }
});

test('writer output is byte-deterministic', async () => {
  const a = await writeAll(sample);
  const b = await writeAll(sample);
  assert.ok(a.equals(b));
});

test('an unconsumed body is drained before the next entry', async () => {
  const tar = await writeAll(sample);
  const names: string[] = [];
  for await (const { header } of readTar(chunked(tar, 1000))) names.push(header.name);
  assert.equal(names.length, sample.length);
  assert.equal(names.at(-1), 'big-block');
});

test('corrupt and truncated archives fail with CORRUPT', async () => {
  const tar = await writeAll(sample);
  const badSum = Buffer.from(tar);
  badSum[10] = badSum[10]! ^ 0x55;
  await assert.rejects(collect(chunked(badSum, 4096)), (e) => isWharfError(e, 'CORRUPT') && /checksum/.test(e.message));
  const truncated = tar.subarray(0, 512 * 8 + 100);
  await assert.rejects(collect(chunked(truncated, 4096)), (e) => isWharfError(e, 'CORRUPT') && /unexpected EOF/.test(e.message));
  // plain EOF with no end blocks is accepted
  const noEnd = tar.subarray(0, tar.length - 1024);
  assert.equal((await collect(chunked(noEnd, 4096))).length, sample.length);
});

test('base-256 numeric fields read and write', () => {
  const b = Buffer.alloc(12);
  writeNumber(b, 0, 12, 2 ** 40);
  assert.equal(b[0]! & 0x80, 0x80);
  assert.equal(readNumber(b, 0, 12), 2 ** 40);
  writeNumber(b, 0, 8, 0o644);
  assert.equal(b.toString('latin1', 0, 8), '0000644\0');
  assert.equal(readNumber(b, 0, 8), 0o644);
});

test('reads GNU tar pax output with a binary security.capability xattr', (t) => {
  if (spawnSync('tar', ['--version']).status !== 0) return t.skip('GNU tar not installed');
  const dir = tmp(t);
  const src = join(dir, 'src');
  mkdirSync(join(src, 'sub'), { recursive: true });
  writeFileSync(join(src, 'sub', 'ping'), 'binary');
  setAttributeSync(join(src, 'sub', 'ping'), 'security.capability', CAP_BLOB);
  setAttributeSync(join(src, 'sub', 'ping'), 'user.raw', Buffer.from([0, 0xff, 0x80, 0x0a]));
  symlinkSync('ping', join(src, 'sub', 'sym'));
  linkSync(join(src, 'sub', 'ping'), join(src, 'hard'));
  writeFileSync(join(src, 'n'.repeat(120)), 'long name');
  const tarFile = join(dir, 'gnu.tar');
  execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=pax', '--sort=name', '-cf', tarFile, '-C', src, '.']);
  return collect(Readable.from([readFileSync(tarFile)])).then((entries) => {
    const byName = new Map(entries.map((e) => [e.header.name, e]));
    // `hard` sorts first, so it holds the data and ./sub/ping is the hardlink entry
    const ping = byName.get('./hard')!;
    assert.equal(ping.header.type, 'file');
    assert.equal(ping.data.toString(), 'binary');
    assert.equal(byName.get('./sub/ping')!.header.type, 'hardlink');
    assert.equal(byName.get('./sub/ping')!.header.linkname, './hard');
    assert.deepEqual(ping.header.xattrs.get('security.capability'), CAP_BLOB);
    assert.deepEqual(ping.header.xattrs.get('user.raw'), Buffer.from([0, 0xff, 0x80, 0x0a]));
    assert.equal(byName.get('./sub/sym')!.header.linkname, 'ping');
    assert.equal(byName.get(`./${'n'.repeat(120)}`)!.data.toString(), 'long name');
  });
});

test('GNU tar lists and extracts what we write, xattrs byte-for-byte', async (t) => {
  if (spawnSync('tar', ['--version']).status !== 0) return t.skip('GNU tar not installed');
  const dir = tmp(t);
  const entries = sample.filter(([h]) => h.type !== 'char' && h.type !== 'block' && h.type !== 'fifo' && h.type !== 'hardlink');
  const tarFile = join(dir, 'ours.tar');
  writeFileSync(tarFile, await writeAll(entries));
  const listing = execFileSync('tar', ['-tf', tarFile]).toString().trim().split('\n');
  assert.deepEqual(listing, entries.map(([h]) => (h.type === 'dir' ? `${h.name}/` : h.name)));
  const out = join(dir, 'out');
  mkdirSync(out);
  execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-xpf', tarFile, '-C', out]);
  assert.deepEqual(getAttributeSync(join(out, 'dir/cap'), 'security.capability'), CAP_BLOB);
  assert.deepEqual(getAttributeSync(join(out, 'dir/cap'), 'user.bin'), Buffer.from([0xff, 0, 0xfe]));
  assert.equal(readFileSync(join(out, longName), 'utf8'), 'long');
  assert.equal(readFileSync(join(out, 'dir/file'), 'utf8'), 'hello\n');
});
