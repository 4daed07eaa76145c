/**
 * `cp` against hostile containers (issue 11): symlinks in the container pointing at host
 * paths, for stopped and running containers, files and tars on stdin, both directions, and a
 * bounded dir/symlink swap race during `cp` (CVE-2018-15664's shape). A canary tree outside
 * the data root must be unchanged; what lands must land inside the container. Also docker's
 * `cp` semantics that the confined worker now decides: `cp -L` follows the link inside the
 * container, `cp - CTR:/` of `tmp/newfile` lands at /tmp/newfile.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxFixture } from '../containers/helpers/fixture.js';
import { makeCanary, snapshot, tarOf } from './hostile.js';

describe('security: cp through container symlinks', () => {
  const fx = busyboxFixture();
  let C = '';
  let before0 = '';
  const canaryOk = (what: string) => assert.equal(snapshot(C), before0, `${what}: the canary outside the root changed`);
  const host = (name: string, content = 'pwned\n') => {
    const p = join(fx.dir, name);
    writeFileSync(p, content);
    return p;
  };
  const links = () => `ln -s ${C} /etc2; ln -s ${C} /tmp/d; ln -s ${C}/f /tmp/lf; echo inside > /tmp/real; ln -s /tmp/real /tmp/lr`;

  test('stopped container: file, dir and tar into links to host paths; cp out with and without -L', async () => {
    C = makeCanary(join(fx.dir, 'canary'));
    before0 = snapshot(C);
    fx.ok(['run', '--name', 's1', '--network', 'none', fx.img, 'sh', '-c', links()]);
    for (const dst of ['/etc2', '/etc2/', '/tmp/d', '/tmp/d/f', '/tmp/lf', `${C}/f`]) {
      fx.wharf(['cp', host('f'), `s1:${dst}`]);
      canaryOk(`cp file s1:${dst}`);
    }
    const hdir = join(fx.dir, 'hd');
    mkdirSync(join(hdir, 'd'), { recursive: true });
    writeFileSync(join(hdir, 'f'), 'pwned\n');
    fx.wharf(['cp', hdir, 's1:/tmp/d']);
    canaryOk('cp dir');
    const tar = await tarOf([[{ name: 'x', type: 'symlink', linkname: C }], [{ name: 'x/f', type: 'file', mode: 0o6777 }, Buffer.from('pwned\n')], [{ name: 'd', type: 'symlink', linkname: C }], [{ name: 'd/d/', type: 'dir', mode: 0o777 }]]);
    for (const dst of ['/tmp', '/etc2', '/']) {
      fx.wharf(['cp', '-', `s1:${dst}`], { input: tar.toString('latin1') });
      canaryOk(`cp - s1:${dst}`);
    }
    // out: the link itself; with -L, what it names inside the container
    const out = join(fx.dir, 'out');
    mkdirSync(out);
    fx.ok(['cp', 's1:/tmp/lr', join(out, 'a')]);
    assert.equal(execFileSync('readlink', [join(out, 'a')], { encoding: 'utf8' }), '/tmp/real\n');
    fx.ok(['cp', '-L', 's1:/tmp/lr', join(out, 'b')]);
    assert.equal(readFileSync(join(out, 'b'), 'utf8'), 'inside\n');
    // /tmp/lf names C/f: the container's own C/f (made by a cp above through /etc2/), never the host's
    fx.ok(['cp', '-L', 's1:/tmp/lf', join(out, 'c')]);
    assert.equal(readFileSync(join(out, 'c'), 'utf8'), 'pwned\n', 'the host file a container link names is never read');
    const t = execFileSync(fx.command('cp -L s1:/tmp/lr -'), { shell: '/bin/sh' });
    assert.deepEqual(execFileSync('tar', ['-tvf', '-'], { input: t, encoding: 'utf8' }).trim().split(/\s+/).slice(-1), ['lr']);
    canaryOk('cp out');
  });

  test('cp - CTR:/ of tmp/newfile lands at /tmp/newfile (and at /tmp/tmp/newfile for CTR:/tmp)', async () => {
    const tar = await tarOf([[{ name: 'tmp/newfile', type: 'file' }, Buffer.from('n\n')]]);
    fx.ok(['cp', '-', 's1:/'], { input: tar.toString('latin1') });
    fx.ok(['cp', '-', 's1:/tmp'], { input: tar.toString('latin1') });
    const list = execFileSync(fx.command('export s1'), { shell: '/bin/sh', maxBuffer: 1 << 28 });
    const names = execFileSync('tar', ['-tf', '-'], { input: list, encoding: 'utf8' }).split('\n');
    assert.ok(names.includes('tmp/newfile') && names.includes('tmp/tmp/newfile'), names.filter((n) => n.includes('newfile')).join());
  });

  test('running container: cp in through links via /proc/PID/root, and a bounded swap race', async () => {
    fx.ok(['run', '-d', '--name', 'r1', '--network', 'none', fx.img, 'sh', '-c', `${links()}; mkdir /tmp/realdir; while :; do ln -sfn /tmp/realdir /tmp/sw; ln -sfn ${C} /tmp/sw; done`]);
    try {
      for (const dst of ['/etc2', '/tmp/d', '/tmp/lf']) {
        fx.wharf(['cp', host('f'), `r1:${dst}`]);
        canaryOk(`running cp file r1:${dst}`);
      }
      const tar = await tarOf([[{ name: 'sw/f', type: 'file', mode: 0o6777 }, Buffer.from('pwned\n')]]);
      let landed = 0;
      const deadline = Date.now() + 20000;
      for (let round = 0; round < 12 && Date.now() < deadline; round++) {
        if (fx.wharf(['cp', host('f'), 'r1:/tmp/sw/f']).code === 0) landed++;
        fx.wharf(['cp', '-', 'r1:/tmp'], { input: tar.toString('latin1') });
        fx.wharf(['cp', 'r1:/tmp/sw/', join(fx.dir, `race-out-${round}`)]);
        canaryOk(`race round ${round}`);
      }
      assert.ok(existsSync(join(fx.dir, 'canary')) && !existsSync(join(C, 'sw')));
      // writes that got through went to the container's own dir
      if (landed) assert.match(fx.ok(['exec', 'r1', 'cat', '/tmp/realdir/f']), /pwned/);
    } finally {
      fx.wharf(['rm', '-f', 'r1']);
    }
    fx.ok(['rm', 's1']);
    assert.deepEqual(fx.leaks(), []);
  });
});


