/**
 * `pull` unpacks each layer into the snapshotter's layer cache while it downloads (issue 17),
 * so the first run finds it ready: the cache holds every chain of the pulled image with the
 * layer's files (whiteouts in overlay form), and nothing half-made. Hostile layers: a path
 * climbing out of the root lands inside it (canary outside checked before and after); a layer
 * the unpacker refuses still pulls (the first run unpacks and reports it), leaving no staging
 * dir; a pull that fails (the config lies about a diff ID) leaves no unpacked layer; with the
 * vfs driver nothing is unpacked ahead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeRegistry } from '../../src/registry/client/testing/fake-registry.js';
import { tarOf } from '../../src/archive/testing.js';
import { chainIds } from '../../src/image/chain.js';
import { digestOf } from '../../src/core/digest.js';
import { removeDir, tempDir } from '../helpers/wharf.js';
import { layerTar, plantImage, wharfRun } from './support.js';

async function session(fn: (s: { dir: string; reg: FakeRegistry; pull: (root: string, ref: string, global?: string[]) => Promise<{ code: number; stderr: string }> }) => Promise<void>) {
  const dir = tempDir('wharf-pull-unpack-');
  const reg = await FakeRegistry.start();
  const pull = (root: string, ref: string, global: string[] = []) => wharfRun(join(dir, root), [...global, 'pull', '-q', ref], { DOCKER_CONFIG: join(dir, 'docker-config') });
  try {
    await fn({ dir, reg, pull });
  } finally {
    await reg.close();
    removeDir(dir);
  }
}

const layersOf = (root: string) => (existsSync(join(root, 'layers')) ? readdirSync(join(root, 'layers')).sort() : []);
const hex = (d: string) => d.slice('sha256:'.length);

test('pull leaves every chain of the image unpacked, with its files and overlay whiteouts', () =>
  session(async ({ dir, reg, pull }) => {
    const l0 = layerTar(dir, 'l0', { 'etc/motd': 'hello\n', 'usr/lib/x/a.so': Buffer.alloc(300_000, 7), 'gone/f': 'x' });
    const l1 = await tarOf([
      [{ name: 'gone/.wh.f', type: 'file' }, Buffer.alloc(0)],
      [{ name: 'etc/new', type: 'file', mode: 0o640 }, Buffer.from('new\n')],
    ]);
    const img = plantImage(reg, 'lib/two', 'v1', [l0, l1]);
    const r = await pull('a', `${reg.host}/lib/two:v1`);
    assert.equal(r.code, 0, r.stderr);
    const root = join(dir, 'a');
    const chains = chainIds(img.diffIds);
    assert.deepEqual(layersOf(root), chains.map(hex).sort(), 'one dir per chain, no staging dir left');
    const d0 = join(root, 'layers', hex(chains[0]!), 'diff');
    const d1 = join(root, 'layers', hex(chains[1]!), 'diff');
    assert.equal(readFileSync(join(d0, 'etc/motd'), 'utf8'), 'hello\n');
    assert.equal(readFileSync(join(d0, 'usr/lib/x/a.so')).length, 300_000);
    assert.equal(readFileSync(join(d1, 'etc/new'), 'utf8'), 'new\n');
    assert.equal(lstatSync(join(d1, 'etc/new')).mode & 0o777, 0o640);
    const wh = lstatSync(join(d1, 'gone/f'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'a whiteout becomes overlayfs\'s 0/0 char device');
  }));

test('a layer climbing out of the root unpacks inside it; a canary outside is untouched', () =>
  session(async ({ dir, reg, pull }) => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'canary'), 'canary\n');
    const tar = await tarOf([
      [{ name: '../../../../outside/canary', type: 'file' }, Buffer.from('overwritten\n')],
      [{ name: 'up', type: 'symlink', linkname: '../../../../outside' }],
      [{ name: 'up/planted', type: 'file' }, Buffer.from('planted\n')],
    ]);
    const img = plantImage(reg, 'evil/climb', 'v1', [tar]);
    const r = await pull('a', `${reg.host}/evil/climb:v1`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(outside, 'canary'), 'utf8'), 'canary\n');
    assert.deepEqual(readdirSync(outside), ['canary']);
    const diff = join(dir, 'a', 'layers', hex(img.diffIds[0]!), 'diff');
    assert.equal(readFileSync(join(diff, 'outside/canary'), 'utf8'), 'overwritten\n');
    assert.equal(readFileSync(join(diff, 'outside/planted'), 'utf8'), 'planted\n');
  }));

test('a layer the unpacker refuses still pulls, leaving no staging dir; the first unpack reports it later', () =>
  session(async ({ dir, reg, pull }) => {
    const tar = await tarOf([
      [{ name: 'a', type: 'file' }, Buffer.from('a')],
      [{ name: 'b', type: 'hardlink', linkname: 'missing' }],
    ]);
    plantImage(reg, 'odd/link', 'v1', [tar]);
    const r = await pull('a', `${reg.host}/odd/link:v1`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(layersOf(join(dir, 'a')), []);
  }));

test('a failed pull (the config lies about a diff ID) leaves nothing unpacked; vfs unpacks nothing ahead', () =>
  session(async ({ dir, reg, pull }) => {
    const good = layerTar(dir, 'g', { f: 'good\n' });
    const lie = layerTar(dir, 'l', { f: 'lie\n' });
    plantImage(reg, 'bad/diff', 'v1', [good, lie], { diffIds: [digestOf(good), digestOf(Buffer.from('other'))] });
    const r = await pull('a', `${reg.host}/bad/diff:v1`);
    assert.notEqual(r.code, 0);
    assert.deepEqual(layersOf(join(dir, 'a')), []);

    plantImage(reg, 'lib/one', 'v1', [good]);
    const v = await pull('v', `${reg.host}/lib/one:v1`, ['--storage-driver', 'vfs']);
    assert.equal(v.code, 0, v.stderr);
    assert.deepEqual(layersOf(join(dir, 'v')), []);
  }));
