/**
 * commit and export on awkward containers (issue 11): commit checks every argument before it
 * writes a blob, and takes docker's `--pause=false`; export of a running container whose
 * files come and go never fails on a vanished file, and export works when the image's lowest
 * layer holds whiteouts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxFixture } from '../containers/helpers/fixture.js';
import { tarOf } from './hostile.js';

describe('security: commit and export', () => {
  const fx = busyboxFixture();
  const blobs = () => readdirSync(join(fx.root, 'blobs', 'sha256')).sort().join();

  test('commit: a bad reference or change writes nothing; --pause=false is accepted', () => {
    fx.ok(['run', '--name', 'c1', '--network', 'none', fx.img, 'sh', '-c', 'echo x > /new']);
    const before = blobs();
    for (const args of [['c1', 'Bad:Ref:x'], ['-c', 'BOGUS x', 'c1', 'ok:1']]) {
      const r = fx.wharf(['commit', ...args]);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(blobs(), before, `commit ${args.join(' ')} left blobs behind`);
    }
    assert.match(fx.ok(['commit', '--pause=false', 'c1', 'sec:nopause']), /^sha256:/);
    assert.match(fx.ok(['commit', '-p', 'c1', 'sec:pause']), /^sha256:/);
    fx.ok(['rm', 'c1']);
  });

  test('export of a running container whose files come and go', () => {
    fx.ok(['run', '-d', '--name', 'churn', '--network', 'none', fx.img, 'sh', '-c', 'mkdir /c; while :; do for i in 1 2 3 4 5 6 7 8; do echo $i > /c/$i; done; rm -f /c/*; done']);
    try {
      for (let i = 0; i < 5; i++) {
        const out = execFileSync(fx.command('export churn'), { shell: '/bin/sh', maxBuffer: 1 << 28 });
        assert.ok(execFileSync('tar', ['-tf', '-'], { input: out, encoding: 'utf8' }).includes('bin/busybox'));
      }
    } finally {
      fx.wharf(['rm', '-f', 'churn']);
    }
  });

  test('export when the lowest layer has whiteouts', async () => {
    const file = join(fx.dir, 'wh.tar');
    writeFileSync(file, await tarOf([[{ name: 'a/', type: 'dir' }], [{ name: 'a/f', type: 'file' }, Buffer.from('1')], [{ name: 'a/.wh.gone', type: 'file' }], [{ name: '.wh.nothing', type: 'file' }], [{ name: 'a/d/.wh..wh..opq', type: 'file' }]]));
    fx.ok(['import', file, 'wh:x']);
    fx.ok(['create', '--name', 'wh', 'wh:x', 'x']);
    const out = execFileSync(fx.command('export wh'), { shell: '/bin/sh' });
    const names = execFileSync('tar', ['-tf', '-'], { input: out, encoding: 'utf8' }).split('\n');
    assert.ok(names.includes('a/f'), names.join());
    assert.ok(!names.some((n) => n.includes('.wh.') || n.endsWith('gone')), names.join());
    fx.ok(['rm', 'wh']);
  });
});
