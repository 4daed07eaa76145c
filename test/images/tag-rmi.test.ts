/**
 * `tag`, `rmi` / `image rm` and `image prune` with Docker's rules and words: reference
 * normalisation and errors, untag vs delete, children and conflicts, -f, --no-prune,
 * prune's filters and its output shape. Expected text checked against docker 20.10.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, tempDir, wharf, wharfOk } from '../helpers/wharf.js';
import { addChildImage, addRepoDigest, assertStoreClean, imagesSnapshot, importBusybox, inspectJson } from '../helpers/images.js';

const DIGEST = 'sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210';
const HEX64 = '0123456789012345678901234567890123456789012345678901234567890123';

let root: string;
beforeEach(() => (root = tempDir()));
afterEach(() => removeDir(root));
const tagsOf = (ref: string) => inspectJson(root, ref).RepoTags as string[];
/** A one-layer image's chain ID is its diff ID. */
const layerChainId = (ref: string) => (inspectJson(root, ref).RootFS as { Layers: string[] }).Layers[0]!;

describe('tag', () => {
  test('keeps the ID and normalises names as docker lists them', async () => {
    const id = await importBusybox(root, 'src/img:1');
    for (const t of ['ubuntu', 'localhost:5000/x', 'host:5000/x:v2', 'docker.io/library/y', 'index.docker.io/library/z:1', 'user/app']) wharfOk(root, ['tag', 'src/img:1', t]);
    assert.equal(inspectJson(root, 'ubuntu').Id, id);
    assert.deepEqual([...tagsOf(id)].sort(), ['host:5000/x:v2', 'localhost:5000/x:latest', 'src/img:1', 'ubuntu:latest', 'user/app:latest', 'y:latest', 'z:1']);
    assert.equal(inspectJson(root, 'docker.io/library/ubuntu:latest').Id, id);
    assert.equal(inspectJson(root, 'y').Id, id);
    // tag moves off the image that had it
    const other = await importBusybox(root, 'other', ['-c', 'ENV X=1']);
    wharfOk(root, ['tag', 'other', 'ubuntu']);
    assert.equal(inspectJson(root, 'ubuntu').Id, other);
  });

  test('invalid references: docker exact text, exit 1, nothing changes', async () => {
    await importBusybox(root, 'src/img:1');
    const before = imagesSnapshot(root);
    const cases: [string, string][] = [
      ['Smk/X', 'Error parsing reference: "Smk/X" is not a valid repository/tag: invalid reference format: repository name must be lowercase\n'],
      ['smk/x:', 'Error parsing reference: "smk/x:" is not a valid repository/tag: invalid reference format\n'],
      [':x', 'Error parsing reference: ":x" is not a valid repository/tag: invalid reference format\n'],
      ['a/b@sha256:abc', 'Error parsing reference: "a/b@sha256:abc" is not a valid repository/tag: invalid reference format\n'],
      [HEX64, `Error parsing reference: "${HEX64}" is not a valid repository/tag: invalid repository name (${HEX64}), cannot specify 64-byte hexadecimal strings\n`],
      [`a/b@sha256:${HEX64}`, 'refusing to create a tag with a digest reference\n'],
    ];
    for (const [target, stderr] of cases) {
      const r = wharf(root, ['tag', 'src/img:1', target]);
      assert.equal(r.code, 1, target);
      assert.equal(r.stderr, stderr);
    }
    const missing = wharf(root, ['tag', 'nosuch', 'a/b']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error response from daemon: No such image: nosuch:latest\n');
    assert.equal(imagesSnapshot(root), before);
  });
});

describe('rmi', () => {
  test('untags while other names remain, then deletes: image ID then layer chain ID', async () => {
    const id = await importBusybox(root, 'r/a:1');
    wharfOk(root, ['tag', 'r/a:1', 'r/a:2']);
    assert.equal(wharfOk(root, ['rmi', 'r/a:2']), 'Untagged: r/a:2\n');
    const chain = layerChainId(id);
    assert.equal(wharfOk(root, ['image', 'rm', 'r/a:1']), `Untagged: r/a:1\nDeleted: ${id}\nDeleted: ${chain}\n`);
    assertStoreClean(root);
  });

  test('by short ID, full ID, sha256:ID and name@digest', async () => {
    for (const form of ['short', 'full', 'prefixed'] as const) {
      const id = await importBusybox(root, 'r/x');
      const arg = form === 'short' ? id.slice(7, 19) : form === 'full' ? id.slice(7) : id;
      const chain = layerChainId(id);
      assert.equal(wharfOk(root, ['rmi', arg]), `Untagged: r/x:latest\nDeleted: ${id}\nDeleted: ${chain}\n`, form);
      assert.equal(imagesSnapshot(root), '');
    }
    const id = await importBusybox(root, 'r/d');
    await addRepoDigest(root, 'r/d', `r/d@${DIGEST}`);
    assert.equal(wharfOk(root, ['rmi', `r/d@${DIGEST}`]), `Untagged: r/d@${DIGEST}\n`);
    assert.deepEqual(inspectJson(root, id).RepoDigests, []);
    assertStoreClean(root);
  });

  test('an ID with several repositories needs -f; -f untags every name and deletes', async () => {
    const id = await importBusybox(root, 'r/m:1');
    wharfOk(root, ['tag', 'r/m:1', 'other/m']);
    const r = wharf(root, ['rmi', id.slice(7, 19)]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error response from daemon: conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories\n`);
    const chain = layerChainId(id);
    assert.equal(wharfOk(root, ['rmi', '-f', id.slice(7, 19)]), `Untagged: other/m:latest\nUntagged: r/m:1\nDeleted: ${id}\nDeleted: ${chain}\n`);
    assert.equal(imagesSnapshot(root), '');
    assertStoreClean(root);
  });

  test('children block deletion by ID with docker wording; by name only untags; -f cannot force it', async () => {
    const parent = await importBusybox(root, 'r/parent');
    const child = await addChildImage(root, 'r/parent', { tag: 'r/child' });
    const chain = layerChainId(parent);
    const msg = `Error response from daemon: conflict: unable to delete ${parent.slice(7, 19)} (cannot be forced) - image has dependent child images\n`;
    for (const args of [['rmi', parent.slice(7, 19)], ['rmi', '-f', parent]]) {
      const r = wharf(root, args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stderr, msg);
    }
    assert.equal(wharfOk(root, ['rmi', 'r/parent']), 'Untagged: r/parent:latest\n');
    assert.equal(inspectJson(root, parent).Id, parent, 'the untagged parent stays: it has a child');
    // deleting the child prunes the now unnamed, childless parent too
    const out = wharfOk(root, ['rmi', 'r/child']);
    assert.equal(out, `Untagged: r/child:latest\nDeleted: ${child}\nDeleted: ${parent}\nDeleted: ${chain}\n`);
    assertStoreClean(root);
  });

  test('--no-prune leaves the untagged parent', async () => {
    const parent = await importBusybox(root, 'r/p2');
    const child = await addChildImage(root, 'r/p2', { tag: 'r/c2' });
    wharfOk(root, ['rmi', 'r/p2']);
    assert.equal(wharfOk(root, ['rmi', '--no-prune', 'r/c2']), `Untagged: r/c2:latest\nDeleted: ${child}\n`);
    assert.equal(wharfOk(root, ['images', '-a', '-q', '--no-trunc']), `${parent}\n`);
    assertStoreClean(root);
  });

  test('unknown image: "Error: No such image: x", exit 1; exit 0 with -f', () => {
    const r = wharf(root, ['rmi', 'x']);
    assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Error: No such image: x\n']);
    const f = wharf(root, ['rmi', '-f', 'x']);
    assert.deepEqual([f.code, f.stdout, f.stderr], [0, '', 'Error: No such image: x\n']);
  });
});

describe('image prune', () => {
  test('dangling by default, with docker output shape; nothing to do prints 0B', async () => {
    await importBusybox(root, 'keep');
    const dangling = await importBusybox(root, undefined, ['-c', 'ENV D=1']);
    const out = wharfOk(root, ['image', 'prune', '-f']);
    assert.equal(out, `Deleted Images:\ndeleted: ${dangling}\n\nTotal reclaimed space: 0B\n`);
    assert.equal(wharfOk(root, ['image', 'prune', '-f']), 'Total reclaimed space: 0B\n');
    assert.equal(wharfOk(root, ['images', '--format', '{{.Repository}}']), 'keep\n');
  });

  test('-a removes every unused image and reports the reclaimed layer bytes', async () => {
    const id = await importBusybox(root, 'all/one');
    const chain = layerChainId(id);
    const out = wharfOk(root, ['image', 'prune', '-a', '-f']);
    assert.equal(out, `Deleted Images:\nuntagged: all/one:latest\ndeleted: ${id}\ndeleted: ${chain}\n\nTotal reclaimed space: 1.984MB\n`);
    assertStoreClean(root);
  });

  test('--filter label= and until=', async () => {
    await importBusybox(root, 'lab/yes', ['-c', 'LABEL prune=me']);
    await importBusybox(root, 'lab/no', ['-c', 'LABEL keep=1']);
    wharfOk(root, ['image', 'prune', '-a', '-f', '--filter', 'label=prune=me']);
    assert.equal(wharfOk(root, ['images', '--format', '{{.Repository}}']), 'lab/no\n');
    assert.equal(wharfOk(root, ['image', 'prune', '-a', '-f', '--filter', 'until=1h']), 'Total reclaimed space: 0B\n');
    wharfOk(root, ['image', 'prune', '-a', '-f', '--filter', 'until=0s']);
    assert.equal(imagesSnapshot(root), '');
    const bad = wharf(root, ['image', 'prune', '-f', '--filter', 'colour=red']);
    assert.deepEqual([bad.code, bad.stderr], [1, "Error response from daemon: Invalid filter 'colour'\n"]);
  });

  test('without -f it asks, and "n" (or no answer) keeps everything', async () => {
    await importBusybox(root, undefined);
    const before = imagesSnapshot(root);
    const r = wharf(root, ['image', 'prune'], { input: 'n\n' });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ');
    assert.equal(imagesSnapshot(root), before);
    assert.match(wharf(root, ['image', 'prune'], { input: 'y\n' }).stdout, /Deleted Images:\ndeleted: sha256:/);
  });
});
