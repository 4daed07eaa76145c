/**
 * Paths a Dockerfile, a context or an image controls must never reach the host: symlinks in
 * the image under a COPY/WORKDIR destination, context symlinks pointing out of the context,
 * ADD archives with `..`, absolute and whiteout names, `..` sources. A canary directory
 * outside every root is checked before and after each build.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir, wharfOk } from '../helpers/wharf.js';
import { build, buildRoot, context } from './helpers.js';
import { TarWriter } from '../../src/archive/tar-writer.js';

let root: string;
let canary: string;
const snapshot = () => readdirSync(canary).sort().map((n) => `${n}=${readFileSync(join(canary, n), 'utf8')}`).join(',');
let expected: string;

before(async () => {
  root = await buildRoot();
  canary = tempDir('wharf-canary-');
  writeFileSync(join(canary, 'keep'), 'untouched');
  expected = snapshot();
});
after(() => {
  assert.equal(snapshot(), expected, 'the canary outside every root is untouched');
  removeDir(canary);
});

const runIn = (ref: string, cmd: string) => wharfOk(root, ['run', '--rm', ref, 'sh', '-c', cmd]);

test('COPY and WORKDIR through an image symlink to a host path stay in the image', () => {
  const dir = context({ f: 'payload\n', Dockerfile: `FROM bb\nRUN mkdir -p ${canary} && ln -s ${canary} /evil && ln -s ../../..${canary} /rel\nCOPY f /evil/\nCOPY f /rel/g\nWORKDIR /evil/made\n` });
  const r = build(root, ['-t', 'h1', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(snapshot(), expected);
  assert.equal(runIn('h1', `cat ${canary}/f ${canary}/g; ls -d ${canary}/made`), `payload\npayload\n${canary}/made\n`);
});

test('context symlinks are followed inside the context only', () => {
  const dir = context({ Dockerfile: 'FROM bb\nCOPY link /x\n' });
  symlinkSync(join(canary, 'keep'), join(dir, 'link'));
  const r = build(root, [dir]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'COPY failed: file not found in build context or excluded by .dockerignore: stat link: file does not exist\n');
  const inside = context({ real: 'inside\n', Dockerfile: 'FROM bb\nCOPY up /x\nCOPY d /d\n' });
  symlinkSync('../../../../../real', join(inside, 'up'));
  mkdirSync(join(inside, 'd'));
  symlinkSync(join(canary, 'keep'), join(inside, 'd', 'l'));
  const ok = build(root, ['-t', 'h2', inside]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(runIn('h2', 'cat /x; readlink /d/l'), `inside\n${join(canary, 'keep')}\n`);
  const up = build(root, [context({ Dockerfile: 'FROM bb\nCOPY ../x /x\n' })]);
  assert.equal(up.stderr, 'COPY failed: forbidden path outside the build context: ../x ()\n');
});

test('ADD of a hostile archive: .. and absolute names stay under the destination, whiteouts dropped', async () => {
  const w = new TarWriter();
  const chunks: Buffer[] = [];
  w.stream.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => w.stream.on('end', r));
  await w.add({ name: `../../../..${canary}/pwned`, type: 'file', mode: 0o644 }, Buffer.from('x'));
  await w.add({ name: '/abs.txt', type: 'file', mode: 0o644 }, Buffer.from('abs'));
  await w.add({ name: '.wh.bin', type: 'file', mode: 0o644 }, Buffer.from(''));
  await w.add({ name: 'hard', type: 'hardlink', linkname: '../../abs.txt' });
  await w.finish();
  await done;
  const dir = context({ 'evil.tar': Buffer.concat(chunks), Dockerfile: 'FROM bb\nADD evil.tar /dest/\n' });
  const r = build(root, ['-t', 'h3', dir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(snapshot(), expected);
  assert.equal(runIn('h3', `cat /dest/abs.txt /dest/hard /dest${canary}/pwned; ls /bin/sh`), 'absabsx/bin/sh\n');
});

test('a .dockerignore that excludes everything still sends the Dockerfile', () => {
  const dir = context({ '.dockerignore': '*\n**\n', a: 'a', Dockerfile: 'FROM bb\nRUN true\n' });
  const r = build(root, [dir]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Sending build context to Docker daemon {2}3\.072kB/);
  execFileSync('true');
});
