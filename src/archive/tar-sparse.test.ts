/**
 * Sparse files from GNU tar (`tar --sparse`, old GNU and PAX 0.1 / 1.0 formats) come out as
 * GNU tar itself extracts them: same bytes, same size, holes left as holes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, lstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { unpackTar } from './apply.js';
import { layerSize } from './apply.js';
import { tmpDir } from './testing.js';

const FORMATS: [string, string[]][] = [
  ['old GNU', ['--format=gnu']],
  ['PAX 0.1', ['--format=pax', '--sparse-version=0.1']],
  ['PAX 1.0', ['--format=pax', '--sparse-version=1.0']],
];

test('GNU and PAX sparse files expand as GNU tar expands them', async (t) => {
  const dir = tmpDir(t);
  const src = join(dir, 'src');
  mkdirSync(src);
  // data at the start, in the middle and at the end, holes between; many segments force
  // old GNU's extension blocks (more than 4)
  const fd = openSync(join(src, 'sparse'), 'w');
  for (let i = 0; i < 12; i++) writeSync(fd, Buffer.alloc(3000, 65 + i), 0, 3000, i * 1024 * 1024);
  writeSync(fd, Buffer.from('end'), 0, 3, 20 * 1024 * 1024 - 3);
  closeSync(fd);
  execFileSync('truncate', ['-s', String(24 * 1024 * 1024), join(src, 'sparse')]);
  const want = readFileSync(join(src, 'sparse'));
  for (const [label, flags] of FORMATS) {
    const tar = join(dir, `${label.replace(/\W/g, '')}.tar`);
    execFileSync('tar', ['--sparse', ...flags, '-C', src, '-cf', tar, 'sparse']);
    const gnu = join(dir, `gnu-${label.replace(/\W/g, '')}`);
    mkdirSync(gnu);
    execFileSync('tar', ['-C', gnu, '-xf', tar]);
    const ours = join(dir, `ours-${label.replace(/\W/g, '')}`);
    mkdirSync(ours);
    await unpackTar(createReadStream(tar), ours, { whiteouts: 'delete' });
    const got = readFileSync(join(ours, 'sparse'));
    assert.equal(got.length, want.length, label);
    assert.ok(got.equals(readFileSync(join(gnu, 'sparse'))) && got.equals(want), `${label}: content differs from GNU tar's`);
    assert.ok(lstatSync(join(ours, 'sparse')).blocks * 512 < 1024 * 1024, `${label}: holes were written out`);
    assert.equal((await layerSize(createReadStream(tar))).size, want.length, `${label}: layer size counts the real size`);
  }
});
