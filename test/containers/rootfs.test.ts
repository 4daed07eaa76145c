/**
 * The root filesystem is mounted by the runtime inside the container's own mount namespace:
 * nothing of a running container is mounted on the host, yet `cp` (both ways, symlinks kept
 * inside the root), `export`, `exec -u` and the start-time checks (user, command, workdir)
 * see exactly what the container sees, across committed layers with whiteouts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxFixture } from './helpers/fixture.js';
import { WHARF_BIN } from '../helpers/wharf.js';

describe('containers: root filesystem without host mounts', () => {
  const fx = busyboxFixture();
  const hostMounts = () => fx.leaks().filter((l) => l.startsWith('mount '));

  test('a running container has no host mount; cp in and out reaches its files', () => {
    const id = fx.ok(['run', '-d', '--network', 'none', fx.img, 'sh', '-c', 'echo made > /made; ln -s / /esc; sleep 60']).trim();
    try {
      for (let i = 0; i < 100 && fx.wharf(['exec', id, 'test', '-L', '/esc']).code !== 0; i++) fx.ok(['exec', id, 'sleep', '0.05']);
      assert.deepEqual(hostMounts(), []);
      const src = join(fx.dir, 'in.txt');
      writeFileSync(src, 'from host\n');
      fx.ok(['cp', src, `${id}:/tmp/`]);
      assert.equal(fx.ok(['exec', id, 'cat', '/tmp/in.txt']), 'from host\n');
      // A symlink to / inside the container stays inside it.
      const escName = `wharf-escape-${process.pid}`;
      fx.ok(['cp', src, `${id}:/esc/tmp/${escName}`]);
      assert.equal(existsSync(`/tmp/${escName}`), false);
      assert.equal(fx.ok(['exec', id, 'cat', `/tmp/${escName}`]), 'from host\n');
      const out = join(fx.dir, 'out');
      mkdirSync(out);
      fx.ok(['cp', `${id}:/made`, out]);
      assert.equal(readFileSync(join(out, 'made'), 'utf8'), 'made\n');
      assert.equal(fx.ok(['exec', '-u', 'nobody', id, 'id', '-u']), '65534\n');
      // export: the root alone (no /proc contents), including the container's own files.
      const tar = join(fx.dir, 'running.tar');
      fx.ok(['export', '-o', tar, id]);
      const names = execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).split('\n');
      assert.ok(names.includes('made') || names.includes('./made'));
      assert.equal(names.filter((n) => /^(\.\/)?proc\/./.test(n)).length, 0);
      assert.deepEqual(hostMounts(), []);
    } finally {
      fx.ok(['rm', '-f', id]);
    }
    assert.deepEqual(fx.leaks(), []);
  });

  test('a stopped container: cp both ways through a short host mount', () => {
    fx.ok(['create', '--network', 'none', '--name', 'stopped', fx.img, 'true']);
    const src = join(fx.dir, 'in2.txt');
    writeFileSync(src, 'two\n');
    fx.ok(['cp', src, 'stopped:/etc/in2.txt']);
    assert.deepEqual(hostMounts(), []);
    fx.ok(['cp', 'stopped:/etc/in2.txt', join(fx.dir, 'back.txt')]);
    assert.equal(readFileSync(join(fx.dir, 'back.txt'), 'utf8'), 'two\n');
    assert.match(fx.ok(['diff', 'stopped']), /^C \/etc\nA \/etc\/in2.txt\n$/);
    fx.ok(['rm', 'stopped']);
    assert.deepEqual(fx.leaks(), []);
  });

  test("cp with '-': a tar stream out of the container and into a directory of it", () => {
    const id = fx.ok(['run', '-d', '--network', 'none', fx.img, 'sh', '-c', 'mkdir -p /d/e && echo x > /d/e/f && sleep 60']).trim();
    try {
      for (let i = 0; i < 100 && fx.wharf(['exec', id, 'test', '-e', '/d/e/f']).code !== 0; i++) fx.ok(['exec', id, 'sleep', '0.05']);
      const out = execFileSync(WHARF_BIN, ['--root', fx.root, 'cp', `${id}:/d`, '-']);
      const names = execFileSync('tar', ['-tf', '-'], { input: out, encoding: 'utf8' }).trim().split('\n');
      assert.deepEqual(names, ['d/', 'd/e/', 'd/e/f']);
      const staging = join(fx.dir, 'tar-in');
      mkdirSync(join(staging, 'g'), { recursive: true });
      writeFileSync(join(staging, 'g', 'h'), 'in\n');
      const tar = execFileSync('tar', ['-C', staging, '-cf', '-', 'g']);
      fx.ok(['cp', '-', `${id}:/d`], { input: tar.toString('latin1') });
      assert.equal(fx.ok(['exec', id, 'cat', '/d/g/h']), 'in\n');
      let r = fx.wharf(['cp', '-', `${id}:/d/e/f`], { input: tar.toString('latin1') });
      assert.deepEqual([r.code, r.stderr], [1, `destination "${id}:/d/e/f" must be a directory\n`]);
      r = fx.wharf(['cp', '-', `${id}:/d`], { input: 'not a tar\n' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^Error response from daemon: Error processing tar file\(exit status \d+\): /);
      r = fx.wharf(['cp', `${id}:/nosuch`, '-']);
      assert.deepEqual([r.code, r.stderr], [1, `Error response from daemon: Could not find the file /nosuch in container ${id}\n`]);
    } finally {
      fx.ok(['rm', '-f', id]);
    }
    assert.deepEqual(fx.leaks(), []);
  });

  test('user, command and workdir checks read committed layers, whiteouts included', () => {
    fx.ok(['run', '--network', 'none', '--name', 'layered', fx.img, 'sh', '-c',
      'rm /bin/true && echo app:x:1234:1234::/home/app:/bin/sh >> /etc/passwd && mkdir -p /srv/app']);
    fx.ok(['commit', 'layered', 'layered:1']);
    fx.ok(['rm', 'layered']);
    const r = fx.wharf(['run', '--rm', '--network', 'none', 'layered:1', 'true']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /exec: "true": executable file not found in \$PATH/);
    assert.equal(fx.ok(['run', '--rm', '--network', 'none', '-u', 'app', '-w', '/srv/app', 'layered:1', 'sh', '-c', 'echo $(id -u) $HOME $(pwd)']),
      '1234 /home/app /srv/app\n');
    // A workdir the image lacks is created (through a host mount, gone afterwards).
    assert.equal(fx.ok(['run', '--rm', '--network', 'none', '-w', '/new/dir', 'layered:1', 'pwd']), '/new/dir\n');
    assert.deepEqual(fx.leaks(), []);
  });
});
