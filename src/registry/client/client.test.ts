/** RegistryClient against the in-memory fake registry: manifests, blobs, uploads, auth, tags, search. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { digestOf, type Digest } from '../../core/digest.js';
import { MediaType } from '../../core/mediatypes.js';
import { isWharfError } from '../../core/errors.js';
import { RegistryClient } from './client.js';
import { RegistryConfig } from './config.js';
import { FakeRegistry, type FakeRegistryOptions } from './testing/fake-registry.js';
import type { AuthConfig } from './credentials.js';

const config = new RegistryConfig({ certsDirs: [] });
const fast = { retries: 3, baseDelayMs: 5 };

async function withRegistry(opts: FakeRegistryOptions, creds: AuthConfig | undefined, fn: (r: FakeRegistry, c: RegistryClient) => Promise<void>) {
  const r = await FakeRegistry.start(opts);
  const c = new RegistryClient(r.host, { config, credentials: async () => creds, retry: fast });
  try {
    await fn(r, c);
  } finally {
    c.close();
    await r.close();
  }
}

async function collect(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of s) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

test('manifest by tag and by digest; HEAD; PUT', () =>
  withRegistry({}, undefined, async (r, c) => {
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociManifest }));
    const digest = r.addManifest('app/web', 'v1', bytes, MediaType.ociManifest);
    const byTag = await c.getManifest('app/web', 'v1');
    assert.equal(byTag.digest, digest);
    assert.equal(byTag.mediaType, MediaType.ociManifest);
    assert.deepEqual(byTag.bytes, bytes);
    assert.equal((await c.getManifest('app/web', digest)).digest, digest);
    const head = await c.headManifest('app/web', 'v1');
    assert.equal(head?.digest, digest);
    assert.equal(head?.size, bytes.length);
    assert.equal(await c.headManifest('app/web', 'nope'), undefined);
    const put = await c.putManifest('app/other', 'latest', bytes, MediaType.ociManifest);
    assert.equal(put, digest);
    assert.deepEqual(r.manifests.get('app/other')?.get('latest')?.bytes, bytes);
    assert.ok(r.requests.some((q) => q.method === 'GET' && q.headers.accept?.includes(MediaType.dockerManifestList)));
  }));

test('blob streams verified; blobExists', () =>
  withRegistry({}, undefined, async (r, c) => {
    const data = randomBytes(300_000);
    const digest = r.addBlob('a', data);
    assert.equal(await c.blobExists('a', digest), true);
    assert.equal(await c.blobExists('b', digest), false);
    let seen = 0;
    const got = await collect(c.getBlob('a', digest, data.length, { onProgress: (n) => (seen = n) }));
    assert.deepEqual(got, data);
    assert.equal(seen, data.length);
  }));

test('uploadBlob: exists, mounted, monolithic and chunked', () =>
  withRegistry({}, undefined, async (r, c) => {
    const small = randomBytes(1000);
    const big = randomBytes(250_000);
    const desc = (b: Buffer) => ({ mediaType: MediaType.ociLayerGzip, digest: digestOf(b), size: b.length });
    assert.equal(await c.uploadBlob('x', desc(small), () => Readable.from([small])), 'pushed');
    assert.deepEqual(r.blobs.get(digestOf(small)), small);
    assert.equal(await c.uploadBlob('x', desc(small), () => Readable.from([small])), 'exists');
    assert.equal(await c.uploadBlob('y', desc(small), () => Readable.from([small]), { mountFrom: ['x'] }), 'mounted');
    let progress = 0;
    const before = r.requests.length;
    const res = await c.uploadBlob('x', desc(big), () => Readable.from([big.subarray(0, 7), big.subarray(7)]), {
      chunkSize: 100_000,
      onProgress: (n) => (progress = n),
    });
    assert.equal(res, 'pushed');
    assert.deepEqual(r.blobs.get(digestOf(big)), big);
    assert.equal(r.requests.slice(before).filter((q) => q.method === 'PATCH').length, 3);
    assert.equal(progress, big.length);
  }));

test('tags list follows pagination; search hits /v1/search', () =>
  withRegistry({ tagsPageSize: 2 }, undefined, async (r, c) => {
    for (const t of ['a', 'b', 'c', 'd', 'e']) r.addManifest('repo', t, Buffer.from(`{"t":"${t}"}`), MediaType.ociManifest);
    assert.deepEqual(await c.listTags('repo'), ['a', 'b', 'c', 'd', 'e']);
    r.searchResults = [{ name: 'busybox', description: 'tiny', star_count: 3, is_official: true, is_automated: false }];
    const found = await c.search('busy', 10);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.is_official, true);
    assert.ok(r.requests.some((q) => q.url === '/v1/search?q=busy&n=10'));
  }));

for (const scheme of ['basic', 'bearer'] as const) {
  test(`${scheme} auth: right credentials work, wrong ones give unauthorized`, async () => {
    const auth = { scheme, username: 'alice', password: 'secret' };
    await withRegistry({ auth }, { username: 'alice', password: 'secret' }, async (r, c) => {
      const d = r.addBlob('p', Buffer.from('hello'));
      assert.deepEqual(await collect(c.getBlob('p', d)), Buffer.from('hello'));
      await c.login();
      if (scheme === 'bearer') {
        const tokenCalls = () => r.requests.filter((q) => q.url.startsWith('/token')).length;
        const n = tokenCalls();
        await c.blobExists('p', d);
        assert.equal(tokenCalls(), n, 'token for the same scope is cached');
      }
    });
    await withRegistry({ auth }, { username: 'alice', password: 'wrong' }, async (r, c) => {
      r.addManifest('p', 't', Buffer.from('{}'), MediaType.ociManifest);
      await assert.rejects(c.getManifest('p', 't'), (e) => isWharfError(e, 'UNAUTHORIZED') && /^unauthorized: /.test(e.message));
      await assert.rejects(c.login(), (e) => isWharfError(e, 'UNAUTHORIZED'));
    });
  });
}

test('basic auth without credentials says so, as docker does', () =>
  withRegistry({ auth: { scheme: 'basic', username: 'u', password: 'p' } }, undefined, async (_r, c) => {
    await assert.rejects(c.getManifest('p', 't'), (e) => isWharfError(e, 'UNAUTHORIZED') && /no basic auth credentials$/.test(e.message));
  }));

test('a revoked bearer token is replaced after the 401', () =>
  withRegistry({ auth: { scheme: 'bearer', username: 'a', password: 'b' } }, { username: 'a', password: 'b' }, async (r, c) => {
    const d: Digest = r.addBlob('p', Buffer.from('x'));
    assert.equal(await c.blobExists('p', d), true);
    r.revokeTokens();
    assert.equal(await c.blobExists('p', d), true);
    assert.equal(r.requests.filter((q) => q.url.startsWith('/token')).length, 2);
  }));
