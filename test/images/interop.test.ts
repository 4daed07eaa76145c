/**
 * Interop with a private dockerd: the same tar imported by both gives the same SIZE and
 * inspect key order; image IDs and layers survive `wharf save | docker load` and
 * `docker save | wharf load`, also for a multi-layer docker-built image (whose history
 * shows `<missing>`); `image analyze` finds the ~100 MB a `RUN rm` wastes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir, wharfOk } from '../helpers/wharf.js';
import { startDockerd, type Dockerd } from '../helpers/dockerd.js';
import { assertStoreClean, busybox, importBusybox, inspectJson } from '../helpers/images.js';

describe('interop with dockerd', () => {
  let d: Dockerd | string;
  let root: string;
  let dir: string;
  const ok = (args: string[], input?: string | Buffer) => {
    const r = (d as Dockerd).docker(args, { input });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** Build a Dockerfile with the private dockerd from base `bb`; returns the image ID. */
  const build = (tag: string, dockerfile: string) => {
    const ctx = join(dir, tag.replace(/\W/g, '_'));
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
    const r = (d as Dockerd).docker(['build', '--network', 'none', '-q', '-t', tag, ctx]);
    if (r.code !== 0) throw new Error(`docker build: ${r.stderr}`);
    return ok(['image', 'inspect', '--format', '{{.Id}}', tag]).trim();
  };
  before(async () => {
    d = await startDockerd();
    root = tempDir();
    dir = tempDir();
    if (typeof d !== 'string') ok(['import', await busybox(), 'bb']);
  });
  after(async () => {
    if (typeof d !== 'string') await d.stop();
    removeDir(root);
    removeDir(dir);
  });

  test('same tar imported: same SIZE column, same inspect keys and Config', async (t) => {
    if (typeof d === 'string') return t.skip(d);
    await importBusybox(root, 'bb');
    const fmt = ['images', '--format', '{{.Size}}', 'bb'];
    assert.equal(wharfOk(root, fmt), ok(fmt));
    const theirs = JSON.parse(ok(['image', 'inspect', 'bb']))[0];
    const ours = inspectJson(root, 'bb');
    assert.deepEqual(Object.keys(ours), Object.keys(theirs));
    assert.deepEqual(ours.Config, theirs.Config);
    assert.deepEqual(ours.RootFS, theirs.RootFS);
    assert.equal(ours.Size, theirs.Size);
  });

  test('wharf save | docker load keeps the image ID and layers', async (t) => {
    if (typeof d === 'string') return t.skip(d);
    const id = await importBusybox(root, 'w2d/img:1', ['-c', 'CMD ["sh"]']);
    const tar = join(dir, 'w2d.tar');
    wharfOk(root, ['save', '-o', tar, 'w2d/img:1']);
    assert.equal(ok(['load', '-i', tar]).trim(), 'Loaded image: w2d/img:1');
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'w2d/img:1']).trim(), id);
  });

  test('docker save | wharf load: multi-layer built image keeps ID, layers, and <missing> history', async (t) => {
    if (typeof d === 'string') return t.skip(d);
    const id = build('d2w/multi:1', 'FROM bb\nRUN echo one > /one\nRUN echo two > /two\nENV X=1\n');
    const file = join(dir, 'd2w.tar');
    const r = (d as Dockerd).docker(['save', '-o', file, 'd2w/multi:1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(wharfOk(root, ['load', '-i', file]), 'Loaded image: d2w/multi:1\n');
    const ours = inspectJson(root, 'd2w/multi:1');
    assert.equal(ours.Id, id);
    assert.deepEqual(ours.RootFS, JSON.parse(ok(['image', 'inspect', 'd2w/multi:1']))[0].RootFS);
    const history = wharfOk(root, ['history', '--format', '{{.ID}}|{{.Size}}', 'd2w/multi:1']).trim().split('\n');
    assert.equal(history[0], `${id.slice(7, 19)}|0B`);
    assert.ok(history.slice(1).every((l) => l.startsWith('<missing>|')), history.join('\n'));
    assert.equal(history.length, ok(['history', '-q', 'd2w/multi:1']).trim().split('\n').length);
    // and back again: docker loads what wharf saves, same ID
    const back = join(dir, 'back.tar');
    wharfOk(root, ['save', '-o', back, 'd2w/multi:1']);
    ok(['rmi', 'd2w/multi:1']);
    ok(['load', '-i', back]);
    assert.equal(ok(['image', 'inspect', '--format', '{{.Id}}', 'd2w/multi:1']).trim(), id);
    assertStoreClean(root);
  });

  test('image analyze: RUN fallocate 100m then RUN rm shows ~100 MB wasted in that layer and total', async (t) => {
    if (typeof d === 'string') return t.skip(d);
    build('waste:1', 'FROM bb\nRUN fallocate -l 100m /f\nRUN rm /f\n');
    const file = join(dir, 'waste.tar');
    assert.equal((d as Dockerd).docker(['save', '-o', file, 'waste:1']).code, 0);
    wharfOk(root, ['load', '-i', file]);
    const a = JSON.parse(wharfOk(root, ['image', 'analyze', '--format', '{{json .}}', 'waste:1']));
    const mb100 = 100 * 1024 * 1024;
    assert.equal(a.wasted, mb100);
    assert.equal(a.layers.length, 3);
    assert.deepEqual(a.layers.map((l: { wasted: number }) => l.wasted), [0, mb100, 0]);
    const text = wharfOk(root, ['image', 'analyze', 'waste:1']);
    assert.match(text, /Total size: [\d.]+MB, wasted: 105MB/);
    assert.match(text, /wasted 105MB {2}\/f/);
  });
});
