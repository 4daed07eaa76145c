/**
 * Sizes as docker counts them (file bytes, hardlinks once, directories not at all): `ps -s`
 * and `inspect -s`; and `volume inspect` in docker's field order. Expected values were
 * checked against docker 20.10 running the same commands.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture } from './helpers/fixture.js';

describe('containers: sizes and volume inspect', () => {
  const fx = new Fixture();
  let img = '';
  let imageSize = 0;
  before(() => {
    img = fx.busybox();
    imageSize = Number(fx.ok(['image', 'inspect', '-f', '{{.Size}}', img]));
  });
  after(() => fx.cleanup());

  test('ps -s and inspect -s count what the container wrote: 0B for nothing, file bytes otherwise', () => {
    fx.ok(['create', '--name', 'fresh', '--network', 'none', img, 'true']);
    const id = fx.ok(['run', '-d', '--name', 'writer', '--network', 'none', img, 'sh', '-c', 'mkdir /d && touch /d/e && echo hello > /g && ln /g /h && rm /bin/ls && sleep 60']).trim();
    for (let i = 0; i < 50 && fx.wharf(['exec', id, 'test', '-e', '/h']).code !== 0; i++) fx.ok(['exec', id, 'sleep', '0.1']);
    const sizes = fx.ok(['ps', '-a', '-s', '--format', '{{.Names}} {{.Size}}']).trim().split('\n').sort();
    const human = (n: number) => `${(n / 1e6).toPrecision(3)}MB`;
    assert.deepEqual(sizes, [`fresh 0B (virtual ${human(imageSize)})`, `writer 6B (virtual ${human(imageSize + 6)})`]);
    assert.equal(fx.ok(['inspect', '-s', '-f', '{{.SizeRw}} {{.SizeRootFs}}', 'writer']), `6 ${imageSize + 6}\n`);
    assert.equal(fx.ok(['container', 'inspect', '--size', '-f', '{{.SizeRw}}', 'fresh']), '0\n');
    assert.equal(fx.ok(['inspect', '-f', '{{.SizeRw}}', 'writer']), '<nil>\n');
    const keys = Object.keys(JSON.parse(fx.ok(['inspect', '-s', 'writer']))[0]);
    assert.deepEqual(keys.slice(keys.indexOf('GraphDriver'), keys.indexOf('GraphDriver') + 4), ['GraphDriver', 'SizeRw', 'SizeRootFs', 'Mounts']);
    fx.ok(['rm', '-f', 'fresh', 'writer']);
  });

  test("volume inspect: docker's field order, null for no labels", () => {
    fx.ok(['volume', 'create', 'plain']);
    fx.ok(['volume', 'create', '--label', 'a=b', 'labelled']);
    const [plain, labelled] = JSON.parse(fx.ok(['volume', 'inspect', 'plain', 'labelled']));
    assert.deepEqual(Object.keys(plain), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    assert.deepEqual([plain.Labels, plain.Options, labelled.Labels], [null, null, { a: 'b' }]);
    fx.ok(['volume', 'rm', 'plain', 'labelled']);
  });
});
