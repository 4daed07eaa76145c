import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setXattr } from './fs-meta.js';
import { LayerStack, resolvePath } from './layer-stack.js';

test('LayerStack applies overlayfs rules: topmost wins, whiteouts, opaque dirs, files over dirs', () => {
  const base = mkdtempSync(join(tmpdir(), 'layer-stack-'));
  try {
    const [top, mid, bottom] = ['top', 'mid', 'bottom'].map((n) => join(base, n));
    const put = (layer: string, rel: string, body = rel) => {
      mkdirSync(join(layer, rel, '..'), { recursive: true });
      writeFileSync(join(layer, rel), body);
    };
    put(bottom!, 'etc/passwd', 'old');
    put(bottom!, 'etc/group');
    put(bottom!, 'bin/true');
    put(bottom!, 'opq/a');
    put(bottom!, 'gone/x');
    put(bottom!, 'was-dir/y');
    put(mid!, 'etc/passwd', 'new');
    put(mid!, 'opq/b');
    setXattr(join(mid!, 'opq'), 'trusted.overlay.opaque', Buffer.from('y'));
    put(mid!, 'was-dir', 'now a file');
    mkdirSync(join(mid!, 'bin'), { recursive: true });
    execFileSync('mknod', [join(mid!, 'bin/true'), 'c', '0', '0']);
    execFileSync('mknod', [join(mid!, 'gone'), 'c', '0', '0']);
    mkdirSync(join(top!, 'etc'), { recursive: true });
    symlinkSync('/etc/passwd', join(top!, 'pw'));
    symlinkSync('../../..', join(top!, 'etc/up'));

    const view = new LayerStack([top!, mid!, bottom!]);
    const read = (p: string) => execFileSync('cat', [view.hostPath(resolvePath(view, p))], { encoding: 'utf8' });
    assert.equal(read('/etc/passwd'), 'new');
    assert.equal(read('/etc/group'), 'etc/group');
    assert.equal(read('/pw'), 'new');
    assert.equal(read('/etc/up/etc/up/pw'), 'new');
    assert.equal(view.lstat('/bin/true'), null);
    assert.equal(view.lstat('/gone'), null);
    assert.equal(view.lstat('/gone/x'), null);
    assert.equal(view.lstat('/opq/a'), null);
    assert.ok(view.lstat('/opq/b')?.isFile());
    assert.ok(view.lstat('/was-dir')?.isFile());
    assert.equal(view.lstat('/was-dir/y'), null);
    assert.deepEqual(view.names('/'), ['bin', 'etc', 'opq', 'pw', 'was-dir']);
    assert.deepEqual(view.names('/opq'), ['b']);
    assert.deepEqual(view.names('/bin'), []);
    assert.throws(() => view.hostPath('/gone/x'), /no such file/);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
