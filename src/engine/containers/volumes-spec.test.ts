import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseVolumeSpec } from './volumes-spec.js';

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
