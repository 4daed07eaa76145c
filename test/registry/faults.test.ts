/**
 * Faults during `wharf pull`, injected by the FakeRegistry on 127.0.0.1: registry down, a
 * connection that keeps resetting mid-blob (then a retry that reuses the completed layers),
 * a blob that does not match its digest, a config whose diff IDs lie, an oversized manifest,
 * a wrong password and an unknown tag. Each gives one line on stderr, exit 1, no image.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { digestOf } from '../../src/core/digest.js';
import { FakeRegistry, type FakeRegistryOptions } from '../../src/registry/client/testing/fake-registry.js';
import { removeDir, tempDir } from '../helpers/wharf.js';
import { freePort, layerTar, plantImage, visibleImages, wharfRun } from './support.js';

async function withFake(opts: FakeRegistryOptions, fn: (reg: FakeRegistry, dir: string, env: NodeJS.ProcessEnv) => Promise<void>) {
  const dir = tempDir('wharf-pullfault-');
  const reg = await FakeRegistry.start(opts);
  try {
    await fn(reg, dir, { DOCKER_CONFIG: join(dir, 'docker-config') });
  } finally {
    await reg.close();
    removeDir(dir);
  }
}

/** Pull must fail with exactly one stderr line matching `expected`, exit 1, and leave no image. */
async function pullFails(root: string, ref: string, expected: string | RegExp, env: NodeJS.ProcessEnv = {}) {
  const r = await wharfRun(root, ['pull', ref], env);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  if (typeof expected === 'string') assert.equal(lines[0], expected);
  else assert.match(lines[0]!, expected);
  assert.deepEqual(await visibleImages(root), []);
}

const layers = (dir: string, n: number) => Array.from({ length: n }, (_, i) => layerTar(dir, `l${i}`, { [`f${i}`]: randomBytes(100_000) }));

test('registry down: docker\'s connection refused line', async () => {
  const dir = tempDir('wharf-pullfault-');
  try {
    const port = await freePort();
    await pullFails(join(dir, 'r'), `127.0.0.1:${port}/x:v1`,
      `Error response from daemon: Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  } finally {
    removeDir(dir);
  }
});

test('a blob that keeps resetting fails the pull; the retry downloads only that layer', () =>
  withFake({}, async (reg, dir, env) => {
    const img = plantImage(reg, 'x', 'v1', layers(dir, 4));
    const bad = img.layerDigests[2]!;
    reg.fault = (req, res) => {
      if (req.method !== 'GET' || !req.url?.endsWith(`/blobs/${bad}`)) return false;
      res.writeHead(200, { 'Content-Length': 100_000 });
      res.write(randomBytes(1000), () => res.socket?.destroy());
      return true;
    };
    const root = join(dir, 'r');
    await pullFails(root, `${reg.host}/x:v1`, /^Error response from daemon: Get "http:\/\/127\.0\.0\.1:\d+\/v2\/x\/blobs\/sha256:[a-f0-9]{64}": /, env);
    reg.fault = undefined;
    const before = reg.requests.length;
    const r = await wharfRun(root, ['pull', `${reg.host}/x:v1`], env);
    assert.equal(r.code, 0, r.stderr);
    const gets = reg.requests.slice(before).filter((q) => q.method === 'GET' && q.url.includes('/blobs/')).map((q) => q.url.split('/').pop());
    assert.deepEqual(gets.sort(), [bad, img.id].sort(), 'only the failed layer (and the config) is fetched again');
    for (const d of img.layerDigests.filter((d) => d !== bad)) assert.ok(r.stdout.includes(`${d.slice(7, 19)}: Already exists\n`), r.stdout);
    assert.deepEqual(await visibleImages(root), [img.id]);
  }));

test('a blob whose bytes do not match its digest', () =>
  withFake({}, async (reg, dir, env) => {
    const img = plantImage(reg, 'x', 'v1', layers(dir, 1));
    const real = reg.blobs.get(img.layerDigests[0]!)!;
    // Near the end, and early (where gunzip fails before the digest can be known).
    for (const at of [real.length - 100, 40]) {
      const tampered = Buffer.from(real);
      tampered[at] ^= 0xff;
      reg.blobs.set(img.layerDigests[0]!, tampered);
      await pullFails(join(dir, `r${at}`), `${reg.host}/x:v1`, `Error response from daemon: filesystem layer verification failed for digest ${img.layerDigests[0]}`, env);
    }
  }));

test('a config whose diff IDs do not match the layers', () =>
  withFake({}, async (reg, dir, env) => {
    plantImage(reg, 'x', 'v1', layers(dir, 1), { diffIds: [digestOf('not this layer')] });
    await pullFails(join(dir, 'r'), `${reg.host}/x:v1`, "Error response from daemon: layers from manifest don't match image configuration", env);
  }));

test('an oversized manifest and an unknown tag', () =>
  withFake({}, async (reg, dir, env) => {
    plantImage(reg, 'x', 'v1', layers(dir, 1));
    await pullFails(join(dir, 'r'), `${reg.host}/x:nope`, `Error response from daemon: manifest for ${reg.host}/x:nope not found: manifest unknown: manifest unknown`, env);
    reg.fault = (req, res) => {
      if (!req.url?.includes('/manifests/')) return false;
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(Buffer.alloc((4 << 20) + 10, 0x20));
      return true;
    };
    await pullFails(join(dir, 'r'), `${reg.host}/x:v1`,
      `Error response from daemon: manifest for ${reg.host}/x:v1 is too large: exceeded maximum allowed size of 4194304 bytes`, env);
  }));

test('a wrong password: unauthorized, then the right one works', () =>
  withFake({ auth: { scheme: 'bearer', username: 'alice', password: 's3cret' } }, async (reg, dir, env) => {
    const img = plantImage(reg, 'x', 'v1', layers(dir, 1));
    const cfgDir = env.DOCKER_CONFIG!;
    mkdirSync(cfgDir, { recursive: true });
    const save = (pw: string) =>
      writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`alice:${pw}`).toString('base64') } } }));
    save('wrong');
    await pullFails(join(dir, 'r'), `${reg.host}/x:v1`, /^Error response from daemon: .*unauthorized: incorrect username or password$/, env);
    save('s3cret');
    const ok = await wharfRun(join(dir, 'r'), ['pull', `${reg.host}/x:v1`], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(await visibleImages(join(dir, 'r')), [img.id]);
  }));
