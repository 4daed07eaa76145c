import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDigest, isRepositoryName, isTag, isUploadId, parseReference } from './names.js';

test('repository names follow the spec grammar', () => {
  for (const ok of ['a', 'library/ubuntu', 'a.b/c_d/e__f/g-h--i', 'x'.repeat(255)]) assert.ok(isRepositoryName(ok), ok);
  for (const bad of ['', 'A', '../x', 'a/../b', '/a', 'a/', 'a//b', '_a', 'a_', 'a/.b', '.', '..', 'x'.repeat(256), 'a b']) assert.ok(!isRepositoryName(bad), bad);
});

test('tags, digests and upload ids', () => {
  assert.ok(isTag('v1.0_rc-1') && !isTag('.hidden') && !isTag('a/b') && !isTag('x'.repeat(129)));
  assert.throws(() => checkDigest('sha256:../../etc'), /invalid digest/);
  assert.deepEqual(parseReference('latest'), { tag: 'latest' });
  assert.throws(() => parseReference('../x'));
  assert.ok(isUploadId('0f8fad5b-d9cb-469f-a165-70867728950e') && !isUploadId('../x'));
});
