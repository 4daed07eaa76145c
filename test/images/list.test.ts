/**
 * `images` / `image ls`: docker's default columns, -a, -q (one ID per tag), --digests,
 * --no-trunc, every --filter (dangling, reference with wildcards, label, before, since),
 * --format plain and `table`, and `<none>` rows. Expected text checked against docker 20.10.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, tempDir, wharf, wharfOk } from '../helpers/wharf.js';
import { addChildImage, addRepoDigest, importBusybox, tableCells } from '../helpers/images.js';

const DIGEST = 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('images', () => {
  let root: string;
  let idA: string; // ls/a:1, ls/a:2, other/x:latest; label tier=one
  let idB: string; // ls/b:latest, label tier=two k=v
  let idDangling: string;
  let idChild: string; // child of idB, untagged -> hides idB? no: idB is tagged
  let idMid: string; // untagged parent of a tagged child: intermediate
  const list = (...args: string[]) => wharfOk(root, ['images', ...args]);
  const names = (...args: string[]) => list(...args, '--format', '{{.Repository}}:{{.Tag}}').trim().split('\n').filter(Boolean);

  before(async () => {
    root = tempDir();
    idA = await importBusybox(root, 'ls/a:1', ['-c', 'LABEL tier=one']);
    wharfOk(root, ['tag', 'ls/a:1', 'ls/a:2']);
    wharfOk(root, ['tag', 'ls/a:1', 'other/x']);
    await new Promise((r) => setTimeout(r, 20));
    idB = await importBusybox(root, 'ls/b', ['-c', 'LABEL tier=two', '-c', 'LABEL k=v']);
    await new Promise((r) => setTimeout(r, 20));
    idDangling = await importBusybox(root, undefined, ['-c', 'ENV DANGLING=1']);
    await new Promise((r) => setTimeout(r, 20));
    idMid = await addChildImage(root, 'ls/b', { tag: 'ls/mid:tmp' });
    idChild = await addChildImage(root, 'ls/mid:tmp', { tag: 'ls/child' });
    wharfOk(root, ['rmi', 'ls/mid:tmp']); // now an untagged intermediate image
    await addRepoDigest(root, 'ls/b', `ls/b@${DIGEST}`);
  });
  after(() => removeDir(root));

  test('default table: docker header, one row per tag, newest first, 12-char IDs', () => {
    const lines = list().trimEnd().split('\n');
    assert.deepEqual(tableCells(lines[0]!), ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']);
    assert.match(lines[0]!, /^REPOSITORY {3}TAG {7}IMAGE ID {7}CREATED {16,}SIZE$/);
    const rows = lines.slice(1).map(tableCells);
    for (const r of rows) {
      assert.equal(r.length, 5, JSON.stringify(r));
      assert.match(r[2]!, /^[0-9a-f]{12}$/);
      assert.match(r[3]!, /(ago)$/);
      assert.equal(r[4], '1.98MB');
    }
    // newest first: ls/child, then the dangling import, ls/b, then ls/a's three tags
    assert.deepEqual(rows.map((r) => `${r[0]}:${r[1]}`), ['ls/child:latest', '<none>:<none>', 'ls/b:latest', 'ls/a:1', 'ls/a:2', 'other/x:latest']);
    assert.equal(rows[1]![2], idDangling.slice(7, 19));
  });

  test('`image ls` is the same listing', () => {
    assert.equal(wharfOk(root, ['image', 'ls', '--format', '{{.ID}} {{.Repository}}']), list('--format', '{{.ID}} {{.Repository}}'));
  });

  test('-a shows intermediate images as <none>; without it they are hidden', () => {
    const short = idMid.slice(7, 19);
    assert.ok(!list('-q').includes(short));
    assert.ok(list('-a', '-q').includes(short));
    assert.ok(names('-a').includes('<none>:<none>'));
  });

  test('-q prints one ID per tag, as docker does; --no-trunc prints full IDs', () => {
    const a = idA.slice(7, 19);
    assert.equal(list('-q', 'ls/a'), `${a}\n${a}\n`);
    assert.equal(list('-q', '--no-trunc', 'ls/a:1'), `${idA}\n`);
    assert.match(list('--no-trunc').split('\n')[1]!, / sha256:[0-9a-f]{64} /);
  });

  test('REPOSITORY argument lists only the matching names of an image', () => {
    assert.deepEqual(names('ls/a'), ['ls/a:1', 'ls/a:2']);
    assert.deepEqual(names('other/x'), ['other/x:latest']);
    assert.deepEqual(names('nothing/here'), []);
  });

  test('--digests adds a DIGEST column', () => {
    const lines = list('--digests', 'ls/b').trimEnd().split('\n');
    assert.deepEqual(tableCells(lines[0]!), ['REPOSITORY', 'TAG', 'DIGEST', 'IMAGE ID', 'CREATED', 'SIZE']);
    assert.deepEqual(tableCells(lines[1]!).slice(0, 4), ['ls/b', 'latest', DIGEST, idB.slice(7, 19)]);
    assert.equal(list('--format', '{{.Digest}}', 'ls/a:1').trim(), '<none>');
  });

  test('--filter dangling=true|false', () => {
    assert.deepEqual(list('-q', '--no-trunc', '--filter', 'dangling=true').trim().split('\n'), [idDangling]);
    assert.ok(!list('-q', '--no-trunc', '--filter', 'dangling=false').includes(idDangling));
    const bad = wharf(root, ['images', '--filter', 'dangling=maybe']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "Error response from daemon: Invalid filter 'dangling=[maybe]'\n");
  });

  test('--filter reference with wildcards matches name or name:tag, never across /', () => {
    assert.deepEqual(names('--filter', 'reference=ls/*'), ['ls/child:latest', 'ls/b:latest', 'ls/a:1', 'ls/a:2']);
    assert.deepEqual(names('--filter', 'reference=ls/a:2'), ['ls/a:2']);
    assert.deepEqual(names('--filter', 'reference=*/x'), ['other/x:latest']);
    assert.deepEqual(names('--filter', 'reference=*'), []);
    assert.deepEqual(names('--filter', 'reference=ls/?:*'), ['ls/b:latest', 'ls/a:1', 'ls/a:2']);
  });

  test('--filter label=k and label=k=v', () => {
    assert.deepEqual(names('--filter', 'label=tier'), ['ls/child:latest', 'ls/b:latest', 'ls/a:1', 'ls/a:2', 'other/x:latest']);
    assert.deepEqual(names('--filter', 'label=tier=one'), ['ls/a:1', 'ls/a:2', 'other/x:latest']);
    assert.deepEqual(names('--filter', 'label=tier=two', '--filter', 'label=k=v'), ['ls/child:latest', 'ls/b:latest']);
    assert.deepEqual(names('--filter', 'label=nope'), []);
  });

  test('--filter before= and since= (by name or ID)', () => {
    assert.deepEqual(names('--filter', 'before=ls/b'), ['ls/a:1', 'ls/a:2', 'other/x:latest']);
    assert.deepEqual(names('--filter', `since=${idA.slice(7, 19)}`), ['ls/child:latest', '<none>:<none>', 'ls/b:latest']);
    const r = wharf(root, ['images', '--filter', 'before=no/such']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: No such image: no/such:latest\n');
    const k = wharf(root, ['images', '--filter', 'colour=red']);
    assert.equal(k.code, 1);
    assert.equal(k.stderr, "Error response from daemon: Invalid filter 'colour'\n");
  });

  test('--format plain and `table`', () => {
    assert.equal(list('--format', '{{.Repository}}|{{.Tag}}|{{.ID}}', 'ls/b'), `ls/b|latest|${idB.slice(7, 19)}\n`);
    const t = list('--format', 'table {{.Repository}}\t{{.Size}}', 'ls/b').trimEnd().split('\n');
    assert.deepEqual(t.map(tableCells), [['REPOSITORY', 'SIZE'], ['ls/b', '1.98MB']]);
    assert.equal(list('--format', '{{json .Containers}}', 'ls/b'), '"N/A"\n');
    assert.ok(idChild);
  });
});
