/**
 * `rmi` after `push` and after `pull` takes the compressed layer blobs kept for a re-push with
 * it (issue 17's leak): `system check` then reports nothing unreferenced and the blob store
 * holds nothing. A compressed form still used by another image stays, so a re-push of that
 * image sends the same digests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FakeRegistry } from '../../src/registry/client/testing/fake-registry.js';
import { makeBusyboxRootfsTar } from '../helpers/busybox.js';
import { removeDir, tempDir } from '../helpers/wharf.js';
import { wharfRun } from './support.js';

test('rmi after push and after pull leaves system check clean and no blob behind', async () => {
  const dir = tempDir('wharf-rmi-cleanup-');
  const reg = await FakeRegistry.start();
  const env = { DOCKER_CONFIG: join(dir, 'docker-config') };
  const ok = async (root: string, args: string[]) => {
    const r = await wharfRun(join(dir, root), args, env);
    assert.equal(r.code, 0, `wharf ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const blobs = (root: string) => readdirSync(join(dir, root, 'blobs', 'sha256'));
  const clean = async (root: string) => assert.equal(await ok(root, ['system', 'check']), 'Checked 0 images and 0 layers: 0 errors\n');
  try {
    const tar = await makeBusyboxRootfsTar(dir);
    const ref = `${reg.host}/w/bb:v1`;
    await ok('a', ['import', tar, ref]);
    await ok('a', ['push', ref]);
    const [layer] = JSON.parse(reg.manifests.get('w/bb')!.get('v1')!.bytes.toString()).layers as { digest: string }[];
    assert.ok(blobs('a').includes(layer!.digest.slice(7)), 'push keeps the compressed layer');
    await ok('a', ['rmi', ref]);
    await clean('a');
    assert.deepEqual(blobs('a'), []);

    // Pulled twice under two names: removing one keeps the compressed form the other needs.
    await ok('b', ['pull', ref]);
    assert.ok(blobs('b').includes(layer!.digest.slice(7)), 'pull keeps the compressed layer');
    await ok('b', ['tag', ref, `${reg.host}/w/other:v1`]);
    await ok('b', ['rmi', ref]);
    assert.ok(blobs('b').includes(layer!.digest.slice(7)), 'still used by the other name');
    await ok('b', ['rmi', `${reg.host}/w/other:v1`]);
    await clean('b');
    assert.deepEqual(blobs('b'), []);

    // image prune takes them too (a dangling image: its tag moved away).
    await ok('c', ['pull', ref]);
    await ok('c', ['import', tar, ref]);
    const id = (await ok('c', ['image', 'inspect', '--format', '{{.Id}}', ref])).trim();
    await ok('c', ['image', 'prune', '-f']);
    await ok('c', ['rmi', id]);
    await clean('c');
    assert.deepEqual(blobs('c'), []);
  } finally {
    await reg.close();
    removeDir(dir);
  }
});
