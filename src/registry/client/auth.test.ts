/** Challenge parsing and the bearer token cache's expiry, with a controllable clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authenticator, parseChallenges, repositoryScope } from './auth.js';
import { HttpTransport } from './http.js';
import { FakeRegistry } from './testing/fake-registry.js';

test('parseChallenges reads Basic and Bearer with quoted params', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth.example/token",service="reg",scope="repository:a/b:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg', scope: 'repository:a/b:pull,push' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="x, y"'), [{ scheme: 'basic', params: { realm: 'x, y' } }]);
  assert.deepEqual(parseChallenges(undefined), []);
  assert.equal(repositoryScope('a/b', true), 'repository:a/b:pull,push');
});

test('tokens are cached per scope until they expire', async () => {
  const r = await FakeRegistry.start({ auth: { scheme: 'bearer', username: 'u', password: 'p', tokenTtl: 120 } });
  const t = new HttpTransport();
  let now = Date.now();
  const a = new Authenticator(t, async () => ({ username: 'u', password: 'p' }), () => now);
  try {
    a.learn(`Bearer realm="${r.url}/token",service="fake-registry"`, []);
    const calls = () => r.requests.filter((q) => q.url.startsWith('/token')).length;
    const s1 = [repositoryScope('x')];
    const first = await a.authorization(s1, 'GET', 'http://x');
    assert.equal(await a.authorization(s1, 'GET', 'http://x'), first);
    assert.equal(calls(), 1);
    await a.authorization([repositoryScope('y')], 'GET', 'http://x');
    assert.equal(calls(), 2, 'another scope needs another token');
    now += 121_000;
    assert.notEqual(await a.authorization(s1, 'GET', 'http://x'), first);
    assert.equal(calls(), 3);
    const q = r.requests.find((x) => x.url.startsWith('/token'))!;
    assert.match(q.url, /service=fake-registry&scope=repository%3Ax%3Apull/);
    assert.match(q.headers.authorization ?? '', /^Basic /);
  } finally {
    t.close();
    await r.close();
  }
});
