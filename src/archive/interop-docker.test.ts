/**
 * Interop with Go's archive/tar as dockerd uses it: `docker save` and `docker export` output
 * read by our reader, with a binary security.capability xattr surviving byte-for-byte.
 */
// test:host — needs a dockerd, root: not part of `npm run test:unit`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { CAP_BLOB, drain, entriesOf, isRoot, tarOf } from './testing.js';
import { readTar } from './tar.js';

const env = { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///tmp/d/docker.sock' };
const docker = (args: string[], input?: Buffer) => {
  const r = spawnSync('docker', args, { env, input, maxBuffer: 1 << 28, timeout: 60000 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr.toString().trim()}`);
  return r.stdout;
};

test('docker import of our tar, then docker save/export read back with our reader', async (t) => {
  if (spawnSync('docker', ['version'], { env, timeout: 10000 }).status !== 0) return t.skip('no dockerd reachable');
  if (!isRoot) return t.skip('security.capability needs root');
  const tag = `wharf-archive-interop:${process.pid}`;
  const layer = await tarOf([
    [{ name: 'bin', type: 'dir', mode: 0o755 }],
    [{ name: 'bin/ping', type: 'file', mode: 0o4755, uid: 0, xattrs: new Map([['security.capability', CAP_BLOB]]) }, Buffer.from('not really ping')],
    [{ name: `deep/${'x'.repeat(120)}/${'y'.repeat(90)}`, type: 'file', mtime: 1600000000 }, Buffer.from('long')],
    [{ name: 'link', type: 'symlink', linkname: 'bin/ping' }],
  ]);
  docker(['import', '-', tag], layer);
  t.after(() => spawnSync('docker', ['rmi', '-f', tag], { env }));

  // docker save: the outer archive is written by Go
  const saved = docker(['save', tag]);
  const outer = await entriesOf(Readable.from([saved]));
  const manifest = JSON.parse(outer.find((e) => e.header.name === 'manifest.json')!.data.toString()) as { Layers: string[] }[];
  const layerEntry = outer.find((e) => e.header.name === manifest[0]!.Layers[0]);
  assert.ok(layerEntry, 'the layer named in manifest.json is in the archive');
  const inner = await entriesOf(Readable.from([layerEntry.data]));
  const ping = inner.find((e) => e.header.name === 'bin/ping')!;
  assert.deepEqual(ping.header.xattrs.get('security.capability'), CAP_BLOB);
  assert.equal(ping.header.mode, 0o4755);
  assert.equal(inner.find((e) => e.header.name.startsWith('deep/x'))?.data.toString(), 'long');

  // docker export: Go's archive writer re-tars the container filesystem itself
  const id = docker(['create', '--network', 'none', tag, '/bin/ping']).toString().trim();
  t.after(() => spawnSync('docker', ['rm', '-f', id], { env }));
  const child = spawn('docker', ['export', id], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const seen = new Map<string, Buffer | undefined>();
  for await (const { header, body } of readTar(child.stdout)) {
    seen.set(header.name, header.xattrs.get('security.capability'));
    if (header.name === 'bin/ping') assert.equal((await drain(body)).toString(), 'not really ping');
  }
  assert.ok(seen.has('bin/ping'), [...seen.keys()].join(','));
  assert.deepEqual(seen.get('bin/ping'), CAP_BLOB);
  assert.ok(seen.has(`deep/${'x'.repeat(120)}/${'y'.repeat(90)}`));
});
