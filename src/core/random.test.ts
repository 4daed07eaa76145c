import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from './random.js';

test('randomBytes gives fresh bytes of the asked length; randomInt stays in range and covers it', () => {
  const a = randomBytes(32);
  assert.equal(a.length, 32);
  assert.notDeepEqual(a, randomBytes(32));
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) {
    const v = randomInt(7);
    assert.ok(Number.isInteger(v) && v >= 0 && v < 7);
    seen.add(v);
  }
  assert.equal(seen.size, 7);
});
