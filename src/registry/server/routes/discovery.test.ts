import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paginate } from './discovery.js';

test('paginate applies n and last and builds the next link', () => {
  const items = ['a', 'b', 'c'];
  const u = (q: string) => new URL(`http://x/v2/r/tags/list${q}`);
  assert.deepEqual(paginate(items, u(''), '/p'), { page: items });
  assert.deepEqual(paginate(items, u('?n=2'), '/p'), { page: ['a', 'b'], link: '</p?n=2&last=b>; rel="next"' });
  assert.deepEqual(paginate(items, u('?n=2&last=b'), '/p'), { page: ['c'] });
  assert.deepEqual(paginate(items, u('?n=0'), '/p').page, []);
  assert.throws(() => paginate(items, u('?n=x'), '/p'));
  assert.deepEqual(paginate(items, u(''), '/p', 1).page, ['a']);
});
