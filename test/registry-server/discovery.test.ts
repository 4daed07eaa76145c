/** Content discovery and content management: tags, catalog, referrers, deletes, names, restarts. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { digestOf } from '../../src/core/digest.js';
import { MediaType } from '../../src/core/mediatypes.js';
import { errorCode, imageManifest, pushBlob, pushImage, putManifest, startRegistry, type TestRegistry } from './helpers.js';

describe('content discovery', () => {
  let reg: TestRegistry;
  let url: string;
  before(async () => {
    reg = await startRegistry();
    url = reg.url;
  });
  after(() => reg.stop());

  test('tags/list paginates with n, last and a Link header', async () => {
    for (const t of ['c', 'a', 'b', 'd']) await pushImage(url, 'pages', t);
    const all = await (await fetch(`${url}/v2/pages/tags/list`)).json();
    assert.deepEqual(all, { name: 'pages', tags: ['a', 'b', 'c', 'd'] });
    const p1 = await fetch(`${url}/v2/pages/tags/list?n=2`);
    assert.deepEqual((await p1.json()).tags, ['a', 'b']);
    assert.equal(p1.headers.get('link'), '</v2/pages/tags/list?n=2&last=b>; rel="next"');
    const p2 = await fetch(`${url}/v2/pages/tags/list?n=2&last=b`);
    assert.deepEqual((await p2.json()).tags, ['c', 'd']);
    assert.equal(p2.headers.get('link'), null);
    assert.equal((await fetch(`${url}/v2/pages/tags/list?n=-1`)).status, 400);
  });

  test('_catalog lists repositories with the same pagination', async () => {
    await pushImage(url, 'cat/one', 'x');
    await pushImage(url, 'cat/two', 'x');
    const all = (await (await fetch(`${url}/v2/_catalog`)).json()).repositories as string[];
    assert.ok(all.includes('cat/one') && all.includes('cat/two'));
    const p1 = await fetch(`${url}/v2/_catalog?n=1&last=cat/one`);
    assert.deepEqual((await p1.json()).repositories, ['cat/two']);
    assert.match(p1.headers.get('link') ?? '', /^<\/v2\/_catalog\?n=1&last=cat%2Ftwo>; rel="next"$/);
  });

  test('referrers: OCI-Subject on push, listing, artifactType filter', async () => {
    const img = await pushImage(url, 'refs', 'v1');
    const empty = await pushBlob(url, 'refs', Buffer.from('{}'));
    const sbom = imageManifest({ digest: empty, size: 2 }, [], {
      artifactType: 'application/spdx+json',
      subject: { mediaType: MediaType.ociManifest, digest: img.digest, size: img.manifest.length },
      annotations: { kind: 'sbom' },
    });
    const put = await putManifest(url, 'refs', digestOf(sbom), sbom);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('oci-subject'), img.digest);
    const sig = imageManifest({ digest: empty, size: 2 }, [], {
      artifactType: 'application/vnd.example.sig',
      subject: { mediaType: MediaType.ociManifest, digest: img.digest, size: img.manifest.length },
    });
    await putManifest(url, 'refs', digestOf(sig), sig);
    const list = await fetch(`${url}/v2/refs/referrers/${img.digest}`);
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('content-type'), MediaType.ociIndex);
    const index = await list.json();
    assert.equal(index.manifests.length, 2);
    const filtered = await fetch(`${url}/v2/refs/referrers/${img.digest}?artifactType=application/spdx%2Bjson`);
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    const f = await filtered.json();
    assert.deepEqual(f.manifests.map((m: { digest: string }) => m.digest), [digestOf(sbom)]);
    assert.equal(f.manifests[0].annotations.kind, 'sbom');
    const none = await (await fetch(`${url}/v2/refs/referrers/${digestOf('unknown')}`)).json();
    assert.deepEqual(none.manifests, []);
  });
});

describe('content management', () => {
  let reg: TestRegistry;
  let url: string;
  before(async () => {
    reg = await startRegistry();
    url = reg.url;
  });
  after(() => reg.stop());

  test('deleting a tag keeps the manifest; deleting by digest removes it and its tags', async () => {
    const img = await pushImage(url, 'del', 'one');
    await putManifest(url, 'del', 'two', img.manifest);
    assert.equal((await fetch(`${url}/v2/del/manifests/one`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${url}/v2/del/manifests/one`)).status, 404);
    assert.equal((await fetch(`${url}/v2/del/manifests/${img.digest}`)).status, 200);
    assert.equal((await fetch(`${url}/v2/del/manifests/${img.digest}`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${url}/v2/del/manifests/two`)).status, 404);
    assert.equal(await errorCode(await fetch(`${url}/v2/del/manifests/${img.digest}`, { method: 'DELETE' })), 'MANIFEST_UNKNOWN');
  });

  test('deleting a blob unlinks it from the repository', async () => {
    const digest = await pushBlob(url, 'delblob', Buffer.from('to delete'));
    assert.equal((await fetch(`${url}/v2/delblob/blobs/${digest}`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${url}/v2/delblob/blobs/${digest}`)).status, 404);
  });

  test('deleting a referrer removes it from the referrers list', async () => {
    const img = await pushImage(url, 'delref', 'v1');
    const cfg = await pushBlob(url, 'delref', Buffer.from('{}'));
    const ref = imageManifest({ digest: cfg, size: 2 }, [], { artifactType: 'x/y', subject: { mediaType: MediaType.ociManifest, digest: img.digest, size: img.manifest.length } });
    await putManifest(url, 'delref', digestOf(ref), ref);
    await fetch(`${url}/v2/delref/manifests/${digestOf(ref)}`, { method: 'DELETE' });
    assert.deepEqual((await (await fetch(`${url}/v2/delref/referrers/${img.digest}`)).json()).manifests, []);
  });

  test('invalid names, tags and digests never reach the filesystem', async () => {
    for (const path of [
      '/v2/../../etc/manifests/latest',
      '/v2/%2e%2e/%2e%2e/x/manifests/latest',
      '/v2/UPPER/manifests/latest',
      '/v2/a/manifests/..%2F..%2Fx',
      '/v2/a/blobs/sha256:..%2F..%2Fetc',
      '/v2/a/blobs/uploads/..%2F..%2Fx',
      '/v2/_hidden/tags/list',
    ]) {
      const res = await fetch(`${url}${path}`);
      assert.ok(res.status >= 400 && res.status < 500, `${path} -> ${res.status}`);
    }
    assert.equal(await errorCode(await fetch(`${url}/v2/UPPER/tags/list`)), 'NAME_INVALID');
    assert.equal(existsSync(`${reg.root}/../etc`), false);
  });

  test('data persists across a restart on the same root', async () => {
    const img = await pushImage(url, 'persist', 'v1');
    const again = await startRegistry({ root: reg.root });
    try {
      const res = await fetch(`${again.url}/v2/persist/manifests/v1`);
      assert.equal(res.headers.get('docker-content-digest'), img.digest);
      assert.equal((await fetch(`${again.url}/v2/persist/blobs/${img.layer}`)).status, 200);
    } finally {
      await again.close();
    }
  });

  test('an upload started before a restart can be finished after it (digest re-checked)', async () => {
    const data = Buffer.from('resumable upload body');
    const start = await fetch(`${url}/v2/resume/blobs/uploads/`, { method: 'POST' });
    const loc = start.headers.get('location')!;
    await fetch(`${url}${loc}`, { method: 'PATCH', body: data.subarray(0, 5), headers: { 'Content-Range': '0-4' } });
    const again = await startRegistry({ root: reg.root });
    try {
      await fetch(`${again.url}${loc}`, { method: 'PATCH', body: data.subarray(5), headers: { 'Content-Range': `5-${data.length - 1}` } });
      const bad = await fetch(`${again.url}${loc}?digest=${digestOf('wrong')}`, { method: 'PUT' });
      assert.equal(bad.status, 400);
      const put = await fetch(`${again.url}${loc}?digest=${digestOf(data)}`, { method: 'PUT' });
      assert.equal(put.status, 201);
    } finally {
      await again.close();
    }
  });

  test('request logs name method, path and status', async () => {
    await fetch(`${url}/v2/`);
    assert.ok(reg.logs.some((l) => l.includes('"path":"/v2/"') && l.includes('"status":200')));
  });
});
