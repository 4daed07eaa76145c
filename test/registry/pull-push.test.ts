/**
 * `wharf pull` / `wharf push` against the in-memory FakeRegistry: docker's progress lines,
 * "Already exists", "Layer already exists", "Mounted from", a push/pull round trip keeping the
 * image ID, a re-push that sends the very same blobs to an empty registry (of an image pushed
 * before, and of one pulled: its compressed bytes were kept), pull by digest,
 * `-q`, `-a`, zstd/plain OCI layers, and `--platform` on an OCI index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { FakeRegistry } from '../../src/registry/client/testing/fake-registry.js';
import { makeBusyboxRootfsTar } from '../helpers/busybox.js';
import { removeDir, tempDir, type RunResult } from '../helpers/wharf.js';
import { layerTar, plantImage, plantIndex, visibleImages, wharfRun } from './support.js';

interface Session {
  dir: string;
  reg: FakeRegistry;
  run(root: string, args: string[]): Promise<RunResult>;
  ok(root: string, args: string[]): Promise<string>;
}

async function withSession(fn: (s: Session) => Promise<void>): Promise<void> {
  const dir = tempDir('wharf-pullpush-');
  const reg = await FakeRegistry.start();
  const env = { DOCKER_CONFIG: join(dir, 'docker-config') };
  const run = (root: string, args: string[]) => wharfRun(join(dir, root), args, env);
  const ok = async (root: string, args: string[]) => {
    const r = await run(root, args);
    assert.equal(r.code, 0, `wharf ${args.join(' ')} failed: ${r.stderr}`);
    assert.equal(r.stderr, '');
    return r.stdout;
  };
  try {
    await fn({ dir, reg, run, ok });
  } finally {
    await reg.close();
    removeDir(dir);
  }
}

const layers = (dir: string, n: number) =>
  Array.from({ length: n }, (_, i) => layerTar(dir, `l${i}`, { [`d${i}/f`]: `layer ${i}\n`, [`d${i}/rand`]: randomBytes(3000) }));
const short = (d: string) => d.slice(7, 19);
const inspect = async (s: Session, root: string, ref: string, fmt: string) => (await s.ok(root, ['image', 'inspect', '--format', fmt, ref])).trim();

test('pull prints docker\'s lines, then push mounts across repositories and re-push finds every layer', () =>
  withSession(async (s) => {
    const img = plantImage(s.reg, 'lib/multi', 'v1', layers(s.dir, 4));
    const ref = `${s.reg.host}/lib/multi:v1`;
    const out = await s.ok('a', ['pull', ref]);
    const lines = out.split('\n');
    assert.equal(lines[0], 'v1: Pulling from lib/multi');
    for (const d of img.layerDigests) {
      const mine = lines.filter((l) => l.startsWith(`${short(d)}: `)).map((l) => l.slice(14));
      assert.deepEqual(mine.filter((l) => l !== 'Waiting'), ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Pull complete']);
    }
    assert.ok(lines.includes(`${short(img.layerDigests[3]!)}: Waiting`), 'the 4th layer waits for one of 3 slots');
    assert.ok(out.endsWith(`Digest: ${img.manifestDigest}\nStatus: Downloaded newer image for ${ref}\n${ref}\n`), out);
    assert.equal(await inspect(s, 'a', ref, '{{.Id}}'), img.id);
    assert.equal(await inspect(s, 'a', ref, '{{json .RepoDigests}}'), JSON.stringify([`${s.reg.host}/lib/multi@${img.manifestDigest}`]));
    assert.equal(await inspect(s, 'a', ref, '{{json .RootFS.Layers}}'), JSON.stringify(img.diffIds));

    assert.equal(await s.ok('a', ['pull', ref]), `v1: Pulling from lib/multi\nDigest: ${img.manifestDigest}\nStatus: Image is up to date for ${ref}\n${ref}\n`);

    const copy = `${s.reg.host}/copy/multi:v1`;
    await s.ok('a', ['tag', ref, copy]);
    const pushed = await s.ok('a', ['push', copy]);
    const diffs = [...img.diffIds].reverse().map(short);
    assert.match(pushed, new RegExp(`^The push refers to repository \\[${s.reg.host}/copy/multi\\]\n${diffs.map((d) => `${d}: Preparing\n`).join('')}`));
    for (const d of diffs) assert.ok(pushed.includes(`${d}: Mounted from lib/multi\n`), pushed);
    const digest = /^v1: digest: (sha256:[a-f0-9]{64}) size: (\d+)$/m.exec(pushed);
    assert.ok(digest, pushed);
    assert.equal(s.reg.requests.filter((r) => r.method === 'PATCH' || r.method === 'PUT' && r.url.includes('/uploads/')).length, 1, 'only the config is uploaded');

    const again = await s.ok('a', ['push', copy]);
    for (const d of diffs) assert.ok(again.includes(`${d}: Layer already exists\n`), again);
    assert.ok(again.endsWith(`v1: digest: ${digest[1]} size: ${digest[2]}\n`));
    assert.ok(JSON.parse(await inspect(s, 'a', copy, '{{json .RepoDigests}}')).includes(`${s.reg.host}/copy/multi@${digest[1]}`));
  }));

test('an imported image pushed and pulled into a fresh root keeps its ID; a re-push to an empty registry sends the same blobs', () =>
  withSession(async (s) => {
    const tar = await makeBusyboxRootfsTar(s.dir);
    const ref = `${s.reg.host}/w/bb:v1`;
    const id = (await s.ok('a', ['import', tar, ref])).trim();
    const pushed = await s.ok('a', ['push', ref]);
    const layerId = short(await inspect(s, 'a', ref, '{{index .RootFS.Layers 0}}'));
    assert.match(pushed, new RegExp(`^The push refers to repository \\[${s.reg.host}/w/bb\\]\n${layerId}: Preparing\n${layerId}: Pushed\nv1: digest: sha256:[a-f0-9]{64} size: \\d+\n$`));
    const manifest = JSON.parse(s.reg.manifests.get('w/bb')!.get('v1')!.bytes.toString());
    assert.equal(manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(manifest.config.mediaType, 'application/vnd.docker.container.image.v1+json');
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');

    await s.ok('b', ['pull', ref]);
    assert.equal(await inspect(s, 'b', ref, '{{.Id}}'), id);

    const fresh = await FakeRegistry.start();
    try {
      const ref2 = `${fresh.host}/w/bb:v1`;
      await s.ok('a', ['tag', ref, ref2]);
      const out = await s.ok('a', ['push', ref2]);
      assert.ok(out.includes(`${layerId}: Pushed\n`));
      const m2 = JSON.parse(fresh.manifests.get('w/bb')!.get('v1')!.bytes.toString());
      assert.equal(m2.layers[0].digest, manifest.layers[0].digest, 'the remembered compressed blob is sent again');
      assert.equal(fresh.manifests.get('w/bb')!.get('v1')!.bytes.toString(), s.reg.manifests.get('w/bb')!.get('v1')!.bytes.toString());
    } finally {
      await fresh.close();
    }
  }));

test('pull by digest, -q, -a, and zstd / uncompressed OCI layers', () =>
  withSession(async (s) => {
    const one = plantImage(s.reg, 'r', 'one', layers(s.dir, 2), { oci: true, compression: 'zstd' });
    const two = plantImage(s.reg, 'r', 'two', [layerTar(s.dir, 'plain', { 'p/x': 'plain\n' })], { oci: true, compression: 'none' });
    const byDigest = `${s.reg.host}/r@${one.manifestDigest}`;
    const out = await s.ok('a', ['pull', byDigest]);
    assert.ok(out.startsWith(`${byDigest}: Pulling from r\n`), out);
    assert.ok(out.endsWith(`Status: Downloaded newer image for ${byDigest}\n${byDigest}\n`), out);
    assert.equal(await inspect(s, 'a', byDigest, '{{.Id}}'), one.id);
    assert.equal(await inspect(s, 'a', one.id, '{{json .RepoTags}}'), '[]');

    assert.equal(await s.ok('b', ['pull', '-q', `${s.reg.host}/r:two`]), `${s.reg.host}/r:two\n`);
    assert.equal(await inspect(s, 'b', `${s.reg.host}/r:two`, '{{.Id}}'), two.id);

    const all = await s.ok('c', ['pull', '-a', `${s.reg.host}/r`]);
    assert.match(all, /^one: Pulling from r\n/);
    assert.ok(all.includes('two: Pulling from r\n'));
    assert.ok(all.endsWith(`Status: Downloaded newer image for ${s.reg.host}/r\n${s.reg.host}/r\n`), all);
    assert.deepEqual((await visibleImages(join(s.dir, 'c'))).sort(), [one.id, two.id].sort());

    const untagged = await s.run('c', ['pull', `${s.reg.host}/r`]);
    assert.equal(untagged.stdout, 'Using default tag: latest\n');
    assert.equal(untagged.stderr, `Error response from daemon: manifest for ${s.reg.host}/r:latest not found: manifest unknown: manifest unknown\n`);
    assert.equal(untagged.code, 1);
  }));

test('--platform picks from an OCI index; no match is docker\'s error', () =>
  withSession(async (s) => {
    const amd = plantImage(s.reg, 'multi', 'amd', [layerTar(s.dir, 'amd', { a: 'amd64\n' })], { oci: true, architecture: 'amd64' });
    const arm = plantImage(s.reg, 'multi', 'arm', [layerTar(s.dir, 'arm', { a: 'arm64\n' })], { oci: true, architecture: 'arm64' });
    const index = plantIndex(s.reg, 'multi', 'latest', [{ image: arm, architecture: 'arm64' }, { image: amd, architecture: 'amd64' }]);
    const ref = `${s.reg.host}/multi:latest`;
    const out = await s.ok('a', ['pull', ref]);
    assert.ok(out.includes(`Digest: ${index}\n`), 'the index digest is the one reported');
    assert.equal(await inspect(s, 'a', ref, '{{.Id}}'), amd.id);
    await s.ok('b', ['pull', '--platform', 'linux/arm64', ref]);
    assert.equal(await inspect(s, 'b', ref, '{{.Id}}'), arm.id);
    assert.equal(await inspect(s, 'b', ref, '{{json .RepoDigests}}'), JSON.stringify([`${s.reg.host}/multi@${index}`]));
    const none = await s.run('c', ['pull', '--platform', 'linux/s390x', ref]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'Error response from daemon: no matching manifest for linux/s390x in the manifest list entries\n');
    assert.deepEqual(await visibleImages(join(s.dir, 'c')), []);
  }));

test('push of a reference with no local image: docker\'s message, nothing sent', () =>
  withSession(async (s) => {
    const r = await s.run('a', ['push', `${s.reg.host}/none:v1`]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, `The push refers to repository [${s.reg.host}/none]\n`);
    assert.equal(r.stderr, `An image does not exist locally with the tag: ${s.reg.host}/none\n`);
    assert.equal(s.reg.requests.length, 0);
  }));

test('a pulled image pushed to an empty registry sends the pulled blobs: same manifest digest', () =>
  withSession(async (s) => {
    const img = plantImage(s.reg, 'src/img', 'v1', layers(s.dir, 3), { dockerdFormat: true });
    await s.ok('a', ['pull', `${s.reg.host}/src/img:v1`]);
    const empty = await FakeRegistry.start();
    try {
      const ref = `${empty.host}/dst/img:v1`;
      await s.ok('a', ['tag', `${s.reg.host}/src/img:v1`, ref]);
      const out = await s.ok('a', ['push', ref]);
      for (const d of img.diffIds) assert.ok(out.includes(`${short(d)}: Pushed\n`), out);
      assert.ok(out.endsWith(`v1: digest: ${img.manifestDigest} size: ${img.manifestSize}\n`), out);
      for (const d of img.layerDigests) assert.deepEqual(empty.blobs.get(d), s.reg.blobs.get(d), `blob ${d} sent unchanged`);
    } finally {
      await empty.close();
    }
  }));
