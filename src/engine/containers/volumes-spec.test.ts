import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMountSpec, parseVolumeSpec } from './volumes-spec.js';

test('bind, named, anonymous and read-only volumes', () => {
  assert.deepEqual(parseVolumeSpec('/host:/ctr:ro'), { type: 'bind', source: '/host', destination: '/ctr', readOnly: true, mode: 'ro' });
  assert.equal(parseVolumeSpec('data:/d').type, 'volume');
  assert.equal(parseVolumeSpec('data:/d').source, 'data');
  assert.deepEqual(parseVolumeSpec('/anon'), { type: 'volume', source: '', destination: '/anon', readOnly: false, mode: '' });
});

test("Docker's messages for bad specs", () => {
  assert.throws(() => parseVolumeSpec(':/x'), /invalid spec: :\/x: empty section between colons$/);
  assert.throws(() => parseVolumeSpec('/a:b'), /invalid mount config for type "bind": invalid mount path: 'b' mount path must be absolute/);
  assert.throws(() => parseVolumeSpec('/a:ro'), /invalid volume specification: '\/a:ro'/);
  assert.throws(() => parseVolumeSpec('/a:/b:xyz'), /invalid mode: xyz/);
  assert.throws(() => parseVolumeSpec('a:b:c:d'), /invalid volume specification: 'a:b:c:d'/);
});

test("--mount: docker's keys and aliases, its defaults, and its errors", () => {
  assert.deepEqual(parseMountSpec('type=bind,src=/a,dst=/b,ro'), {
    type: 'bind', source: '/a', destination: '/b', readOnly: true, mode: '',
    mount: { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true },
  });
  assert.deepEqual(parseMountSpec('target=/v').mount, { Type: 'volume', Target: '/v' });
  assert.deepEqual(parseMountSpec('type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770').mount, { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } });
  const cases: [string, string, boolean][] = [
    ['type=bind,target=/x', 'invalid mount config for type "bind": field Source must not be empty', true],
    ['type=foo,target=/x', 'invalid mount config for type "foo": mount type unknown', true],
    ['source=/tmp,target=rel', `invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute`, true],
    ['target=/x,bogus=1', `invalid argument "target=/x,bogus=1" for "--mount" flag: unexpected key 'bogus' in 'bogus=1'`, false],
    ['type=volume', 'invalid argument "type=volume" for "--mount" flag: target is required', false],
  ];
  for (const [spec, message, daemonSide] of cases) assert.throws(() => parseMountSpec(spec), { message, daemonSide }, spec);
});
