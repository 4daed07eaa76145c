import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detachFilter, frame, parseDetachKeys } from './streams.js';
import { Router } from './router.js';
import { compareVersions } from './server.js';

test('frames are docker\'s 8-byte multiplexed header plus the payload', () => {
  const f = frame(2, Buffer.from('err\n'));
  assert.deepEqual([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 4]);
  assert.equal(f.subarray(8).toString(), 'err\n');
  assert.equal(frame(1, Buffer.alloc(70000)).readUInt32BE(4), 70000);
});

test('detach keys: docker\'s grammar, and bad specs refused', () => {
  assert.deepEqual(parseDetachKeys(undefined), [0x10, 0x11]);
  assert.deepEqual(parseDetachKeys('ctrl-a,x'), [1, 'x'.charCodeAt(0)]);
  assert.deepEqual(parseDetachKeys('ctrl-@'), [0]);
  for (const bad of ['ctrl-', 'ctrl-ab', 'meta-x', 'xy']) assert.throws(() => parseDetachKeys(bad), /Invalid detach keys/);
});

test('the detach sequence is swallowed, what came before it passes, nothing after', () => {
  const passed: string[] = [];
  let detached = 0;
  const feed = detachFilter([0x10, 0x11], (d) => passed.push(d.toString('latin1')), () => detached++);
  feed(Buffer.from('ab'));
  feed(Buffer.from('c\x10\x11after'));
  feed(Buffer.from('more'));
  assert.deepEqual(passed, ['ab', 'c']);
  assert.equal(detached, 1);
});

test('routes: one segment per {name}, the rest for {name:.*}, percent-decoded', () => {
  const r = new Router();
  r.get('/images/json', () => undefined);
  r.get('/images/{name:.*}/json', () => undefined);
  r.post('/containers/{id}/start', () => undefined);
  assert.deepEqual(r.match('GET', '/images/reg.io:5000/a/b:1/json')?.params, { name: 'reg.io:5000/a/b:1' });
  assert.deepEqual(r.match('GET', '/images/json')?.params, {});
  assert.deepEqual(r.match('POST', '/containers/a%20b/start')?.params, { id: 'a b' });
  assert.equal(r.match('GET', '/containers/x/start'), undefined);
  assert.equal(r.match('POST', '/containers/x/y/start'), undefined);
  assert.throws(() => r.match('POST', '/containers/%E0%A4%A/start'), /invalid URL escape/);
});

test('API versions compare numerically', () => {
  assert.ok(compareVersions('1.9', '1.12') < 0);
  assert.ok(compareVersions('1.41', '1.41') === 0);
  assert.ok(compareVersions('2.0', '1.41') > 0);
});
