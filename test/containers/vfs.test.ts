/**
 * The vfs storage driver end to end: `diff` lists A/C/D against the image as overlay2 does, and
 * `commit` makes a layer with only the changes (whiteouts for deletions) that runs as expected.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxFixture } from './helpers/fixture.js';

describe('containers: vfs driver diff and commit', () => {
  const fx = busyboxFixture();
  const vfs = (args: string[]) => fx.ok(['--storage-driver', 'vfs', ...args]);

  test('diff lists added, changed and deleted paths; runtime mount points are not changes', () => {
    vfs(['run', '--name', 'v1', '--network', 'none', fx.img, 'sh', '-c', 'echo hi > /etc/new; rm /bin/vi; mkdir -p /tmp/d; echo x > /tmp/d/f; chmod 600 /etc/passwd']);
    const info = JSON.parse(fx.ok(['inspect', 'v1']))[0];
    assert.equal(info.Driver, 'vfs');
    assert.match(info.GraphDriver.Data.Dir, /containers\/[0-9a-f]{64}\/rootfs$/);
    assert.equal(fx.ok(['diff', 'v1']), ['C /bin', 'D /bin/vi', 'C /etc', 'A /etc/new', 'C /etc/passwd', 'C /tmp', 'A /tmp/d', 'A /tmp/d/f', ''].join('\n'));
    vfs(['run', '--name', 'v0', '--network', 'none', fx.img, 'true']);
    assert.equal(fx.ok(['diff', 'v0']), '');
  });

  test('commit holds only the changes and applies on top of the image', () => {
    const id = fx.ok(['commit', 'v1', 'vfs:c']).trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const layers = JSON.parse(fx.ok(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', 'vfs:c'])) as string[];
    const base = JSON.parse(fx.ok(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', fx.img])) as string[];
    assert.equal(layers.length, base.length + 1);
    const size = Number(fx.ok(['image', 'inspect', '-f', '{{.Size}}', 'vfs:c'])) - Number(fx.ok(['image', 'inspect', '-f', '{{.Size}}', fx.img]));
    assert.ok(size > 0 && size < 4096, `layer size ${size}`);
    const out = vfs(['run', '--rm', '--network', 'none', 'vfs:c', 'sh', '-c', 'cat /etc/new /tmp/d/f; test -e /bin/vi || echo no-vi; stat -c %a /etc/passwd']);
    assert.equal(out, 'hi\nx\nno-vi\n600\n');
    fx.ok(['rm', 'v0', 'v1']);
    assert.deepEqual(fx.leaks(), []);
  });
});
