/**
 * `save` and `load` within wharf: archive contents, -o and stdout, load from a file and
 * stdin, compressed with each CLI tool, an OCI image-layout tar made by skopeo, the ID
 * surviving wharf -> wharf, and bad archives (corrupt, truncated, missing blob, wrong
 * digest) failing with one line and leaving the store as it was.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, truncateSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir, wharf, wharfOk } from '../helpers/wharf.js';
import { assertStoreClean, compressWith, hasTool, imagesSnapshot, importBusybox, inspectJson, type Compression } from '../helpers/images.js';

describe('save and load', () => {
  let src: string;
  let dir: string;
  let id: string;
  let archive: string;
  before(async () => {
    src = tempDir();
    dir = tempDir();
    id = await importBusybox(src, 'sl/bb:1', ['-c', 'CMD ["sh"]']);
    archive = join(dir, 'bb.tar');
    wharfOk(src, ['save', '-o', archive, 'sl/bb:1']);
  });
  after(() => {
    removeDir(src);
    removeDir(dir);
  });

  test('save -o writes manifest.json, repositories, index.json, oci-layout and blobs; stdout is byte-identical', () => {
    const names = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
    for (const n of ['manifest.json', 'repositories', 'index.json', 'oci-layout', `blobs/sha256/${id.slice(7)}`]) assert.ok(names.includes(n), n);
    const x = join(dir, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xf', archive, '-C', x]);
    const manifest = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8'));
    const layer = (inspectJson(src, 'sl/bb:1').RootFS as { Layers: string[] }).Layers[0]!;
    assert.deepEqual(manifest, [{ Config: `blobs/sha256/${id.slice(7)}`, RepoTags: ['sl/bb:1'], Layers: [`blobs/sha256/${layer.slice(7)}`] }]);
    assert.deepEqual(JSON.parse(readFileSync(join(x, 'repositories'), 'utf8')), { 'sl/bb': { '1': id.slice(7) } });
    assert.deepEqual(JSON.parse(readFileSync(join(x, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(x, 'index.json'), 'utf8'));
    assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'docker.io/sl/bb:1');
    assert.equal(execFileSync('sha256sum', [join(x, 'blobs/sha256', layer.slice(7))], { encoding: 'utf8' }).split(' ')[0], layer.slice(7));
    const viaStdout = execFileSync(join(import.meta.dirname, '../../bin/wharf'), ['--root', src, 'save', 'sl/bb:1'], { maxBuffer: 1 << 28 });
    assert.ok(viaStdout.equals(readFileSync(archive)));
  });

  test('load -i FILE and from stdin: "Loaded image: name:tag", same ID (wharf -> wharf)', () => {
    const a = tempDir();
    const b = tempDir();
    try {
      assert.equal(wharfOk(a, ['load', '-i', archive]), 'Loaded image: sl/bb:1\n');
      assert.equal(inspectJson(a, 'sl/bb:1').Id, id);
      assert.equal(wharfOk(b, ['image', 'load'], { input: readFileSync(archive) }), 'Loaded image: sl/bb:1\n');
      assert.equal(inspectJson(b, 'sl/bb:1').Id, id);
      assert.deepEqual(inspectJson(b, id).RootFS, inspectJson(src, id).RootFS);
      assertStoreClean(b);
    } finally {
      removeDir(a);
      removeDir(b);
    }
  });

  test('an untagged image loads as "Loaded image ID: sha256:..."', () => {
    const t = join(dir, 'byid.tar');
    wharfOk(src, ['save', '-o', t, id]);
    const r = tempDir();
    try {
      assert.equal(wharfOk(r, ['load', '-i', t]), `Loaded image ID: ${id}\n`);
      assert.equal(imagesSnapshot(r), `<none>:<none> ${id}\n`);
    } finally {
      removeDir(r);
    }
  });

  for (const tool of ['gzip', 'bzip2', 'xz', 'zstd'] as Compression[]) {
    test(`load of a ${tool}-compressed archive (file and stdin)`, () => {
      const c = compressWith(tool, archive);
      const r = tempDir();
      try {
        assert.equal(wharfOk(r, ['load', '-i', c]), 'Loaded image: sl/bb:1\n');
        wharfOk(r, ['rmi', 'sl/bb:1']);
        assert.equal(wharfOk(r, ['load'], { input: readFileSync(c) }), 'Loaded image: sl/bb:1\n');
        assert.equal(inspectJson(r, 'sl/bb:1').Id, id);
      } finally {
        removeDir(r);
      }
    });
  }

  test('an OCI image-layout tar made by skopeo loads with its name and the same ID', (t) => {
    if (!hasTool('skopeo')) return t.skip('skopeo is not installed');
    const oci = join(dir, 'oci.tar');
    execFileSync('skopeo', ['copy', '-q', `docker-archive:${archive}`, `oci-archive:${oci}:sl/oci:2`]);
    const r = tempDir();
    try {
      const out = wharfOk(r, ['load', '-i', oci]);
      assert.equal(out, 'Loaded image: sl/oci:2\n');
      // skopeo rewrites the config as an OCI config: the ID is that config's digest, the layers stay.
      const x = join(dir, 'oci-x');
      mkdirSync(x);
      execFileSync('tar', ['-xf', oci, '-C', x]);
      const desc = JSON.parse(readFileSync(join(x, 'index.json'), 'utf8')).manifests[0];
      const manifest = JSON.parse(readFileSync(join(x, 'blobs', desc.digest.replace(':', '/')), 'utf8'));
      assert.equal(inspectJson(r, 'sl/oci:2').Id, manifest.config.digest);
      assert.deepEqual(inspectJson(r, 'sl/oci:2').RootFS, inspectJson(src, id).RootFS);
      assertStoreClean(r);
    } finally {
      removeDir(r);
    }
  });

  test('bad archives: one line on stderr, non-zero exit, store unchanged and clean', async () => {
    const r = tempDir();
    const x = join(dir, 'bad');
    mkdirSync(x, { recursive: true });
    execFileSync('tar', ['-xf', archive, '-C', x]);
    const layer = (inspectJson(src, 'sl/bb:1').RootFS as { Layers: string[] }).Layers[0]!.slice(7);
    const pack = (name: string, edit: () => void, files = ['manifest.json', 'blobs']) => {
      const d = join(dir, `case-${name}`);
      execFileSync('cp', ['-a', x, d]);
      process.chdir(d);
      edit();
      execFileSync('tar', ['-cf', join(dir, `${name}.tar`), ...files], { cwd: d });
      process.chdir(dir);
      return join(dir, `${name}.tar`);
    };
    const corrupt = join(dir, 'corrupt.tar');
    writeFileSync(corrupt, Buffer.concat([Buffer.from('this is not a tar archive at all'), Buffer.alloc(2048, 7)]));
    const truncated = join(dir, 'truncated.tar');
    writeFileSync(truncated, readFileSync(archive).subarray(0, Math.floor(statSync(archive).size / 2)));
    const missingBlob = pack('missing', () => execFileSync('rm', [`blobs/sha256/${layer}`]));
    const wrongDigest = pack('wrong', () => {
      const p = `blobs/sha256/${layer}`;
      const b = readFileSync(p);
      b[600] = b[600]! ^ 0xff; // change file content inside the layer tar
      writeFileSync(p, b);
    });
    const noManifest = pack('nomanifest', () => undefined, ['blobs']);
    try {
      await importBusybox(r, 'keep/me');
      const before = imagesSnapshot(r);
      for (const bad of [corrupt, truncated, missingBlob, wrongDigest, noManifest]) {
        for (const args of [['load', '-i', bad], ['load']]) {
          const res = wharf(r, args, args.length === 1 ? { input: readFileSync(bad) } : {});
          assert.notEqual(res.code, 0, `${bad} ${args.join(' ')}`);
          assert.equal(res.stderr.trim().split('\n').length, 1, `${bad}: ${res.stderr}`);
          assert.equal(res.stdout, '', bad);
          assert.equal(imagesSnapshot(r), before, bad);
          assertStoreClean(r);
        }
      }
      truncateSync(truncated, 0);
      const empty = wharf(r, ['load', '-i', truncated]);
      assert.notEqual(empty.code, 0);
    } finally {
      removeDir(r);
    }
  });
});
