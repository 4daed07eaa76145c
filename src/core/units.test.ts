import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSize, humanSize } from './units.js';

test('go-units sizes: decimal HumanSize and binary BytesSize, as docker prints them', () => {
  assert.deepEqual([0, 626, 1160, 1982298].map((n) => humanSize(n, 3)), ['0B', '626B', '1.16kB', '1.98MB']);
  assert.deepEqual([0, 444 * 1024, 64 << 20, 25276221440].map(bytesSize), ['0B', '444KiB', '64MiB', '23.54GiB']);
});
