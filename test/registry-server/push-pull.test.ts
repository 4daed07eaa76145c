/** Conformance-style tests for the pull and push categories of the distribution spec. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { digestOf } from '../../src/core/digest.js';
import { MediaType } from '../../src/core/mediatypes.js';
import { errorCode, imageManifest, pushBlob, pushImage, putManifest, startRegistry, type TestRegistry } from './helpers.js';

describe('push and pull', () => {
  let reg: TestRegistry;
  let url: string;
  before(async () => {
    reg = await startRegistry();
    url = reg.url;
  });
  after(() => reg.stop());

  test('GET /v2/ answers 200 with the API version header', async () => {
    const res = await fetch(`${url}/v2/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('docker-distribution-api-version'), 'registry/2.0');
  });

  test('monolithic POST ?digest= creates a blob; GET and HEAD return it', async () => {
    const data = Buffer.from('hello blob');
    const digest = await pushBlob(url, 'a/b', data);
    const head = await fetch(`${url}/v2/a/b/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(data.length));
    assert.equal(head.headers.get('docker-content-digest'), digest);
    const get = await fetch(`${url}/v2/a/b/blobs/${digest}`);
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), data);
  });

  test('blob GET honours Range with 206 and rejects bad ranges with 416', async () => {
    const data = Buffer.from('0123456789');
    const digest = await pushBlob(url, 'range/test', data);
    const res = await fetch(`${url}/v2/range/test/blobs/${digest}`, { headers: { Range: 'bytes=2-5' } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get('content-range'), 'bytes 2-5/10');
    assert.equal(await res.text(), '2345');
    const bad = await fetch(`${url}/v2/range/test/blobs/${digest}`, { headers: { Range: 'bytes=20-30' } });
    assert.equal(bad.status, 416);
  });

  test('POST then PUT with the body finishes an upload', async () => {
    const data = Buffer.from('post then put');
    const start = await fetch(`${url}/v2/pp/blobs/uploads/`, { method: 'POST' });
    assert.equal(start.status, 202);
    const location = start.headers.get('location')!;
    assert.ok(start.headers.get('docker-upload-uuid'));
    const put = await fetch(`${url}${location}?digest=${digestOf(data)}`, { method: 'PUT', body: data, headers: { 'Content-Type': 'application/octet-stream' } });
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('location'), `/v2/pp/blobs/${digestOf(data)}`);
  });

  test('chunked PATCH uploads track progress, refuse out-of-order chunks with 416, and finish', async () => {
    const data = Buffer.from('abcdefghijklmnopqrstuvwxyz');
    const start = await fetch(`${url}/v2/chunky/blobs/uploads/`, { method: 'POST' });
    const loc = start.headers.get('location')!;
    const p1 = await fetch(`${url}${loc}`, { method: 'PATCH', body: data.subarray(0, 10), headers: { 'Content-Range': '0-9', 'Content-Type': 'application/octet-stream' } });
    assert.equal(p1.status, 202);
    assert.equal(p1.headers.get('range'), '0-9');
    const wrong = await fetch(`${url}${loc}`, { method: 'PATCH', body: data.subarray(15), headers: { 'Content-Range': '15-25', 'Content-Type': 'application/octet-stream' } });
    assert.equal(wrong.status, 416);
    const status = await fetch(`${url}${loc}`);
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-9');
    const p2 = await fetch(`${url}${loc}`, { method: 'PATCH', body: data.subarray(10), headers: { 'Content-Range': '10-25', 'Content-Type': 'application/octet-stream' } });
    assert.equal(p2.status, 202);
    assert.equal(p2.headers.get('range'), '0-25');
    const put = await fetch(`${url}${loc}?digest=${digestOf(data)}`, { method: 'PUT' });
    assert.equal(put.status, 201);
    const get = await fetch(`${url}/v2/chunky/blobs/${digestOf(data)}`);
    assert.equal(await get.text(), data.toString());
  });

  test('a wrong digest is refused with DIGEST_INVALID and nothing becomes visible', async () => {
    const data = Buffer.from('true content');
    const claimed = digestOf('other content');
    const res = await fetch(`${url}/v2/verify/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: data });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'DIGEST_INVALID');
    assert.equal((await fetch(`${url}/v2/verify/blobs/${claimed}`, { method: 'HEAD' })).status, 404);
    assert.equal((await fetch(`${url}/v2/verify/blobs/${digestOf(data)}`, { method: 'HEAD' })).status, 404);
  });

  test('sha512 digests are accepted for blobs and manifests', async () => {
    const data = Buffer.from('sha512 blob');
    const d512 = `sha512:${createHash('sha512').update(data).digest('hex')}`;
    const res = await fetch(`${url}/v2/five12/blobs/uploads/?digest=${d512}`, { method: 'POST', body: data });
    assert.equal(res.status, 201);
    assert.equal((await fetch(`${url}/v2/five12/blobs/${d512}`)).status, 200);
    const cfg = Buffer.from('{}');
    const cfgDigest = await pushBlob(url, 'five12', cfg);
    const manifest = imageManifest({ digest: cfgDigest, size: 2 }, []);
    const m512 = `sha512:${createHash('sha512').update(manifest).digest('hex')}`;
    const put = await putManifest(url, 'five12', m512, manifest);
    assert.equal(put.status, 201);
    assert.equal(put.headers.get('docker-content-digest'), m512);
    assert.equal((await fetch(`${url}/v2/five12/manifests/${m512}`)).status, 200);
  });

  test('cancelled uploads are gone (DELETE -> 204, then 404 BLOB_UPLOAD_UNKNOWN)', async () => {
    const start = await fetch(`${url}/v2/cancel/blobs/uploads/`, { method: 'POST' });
    const loc = start.headers.get('location')!;
    assert.equal((await fetch(`${url}${loc}`, { method: 'DELETE' })).status, 204);
    const after = await fetch(`${url}${loc}`);
    assert.equal(after.status, 404);
    assert.equal(await errorCode(after), 'BLOB_UPLOAD_UNKNOWN');
  });

  test('an upload id cannot be used from another repository', async () => {
    const start = await fetch(`${url}/v2/own/blobs/uploads/`, { method: 'POST' });
    const id = start.headers.get('docker-upload-uuid')!;
    const res = await fetch(`${url}/v2/other/blobs/uploads/${id}`);
    assert.equal(res.status, 404);
  });

  test('cross-repository mount links an existing blob with 201; unknown source falls back to 202', async () => {
    const digest = await pushBlob(url, 'mount/src', Buffer.from('mountable'));
    const res = await fetch(`${url}/v2/mount/dst/blobs/uploads/?mount=${digest}&from=mount/src`, { method: 'POST' });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('location'), `/v2/mount/dst/blobs/${digest}`);
    assert.equal((await fetch(`${url}/v2/mount/dst/blobs/${digest}`, { method: 'HEAD' })).status, 200);
    const miss = await fetch(`${url}/v2/mount/dst2/blobs/uploads/?mount=${digest}&from=mount/nothing`, { method: 'POST' });
    assert.equal(miss.status, 202);
    const anon = await fetch(`${url}/v2/mount/anon/blobs/uploads/?mount=${digest}`, { method: 'POST' });
    assert.equal(anon.status, 201);
  });

  test('blobs are per repository: a digest pushed elsewhere is BLOB_UNKNOWN here', async () => {
    const digest = await pushBlob(url, 'iso/one', Buffer.from('isolated'));
    const res = await fetch(`${url}/v2/iso/two/blobs/${digest}`);
    assert.equal(res.status, 404);
    assert.equal(await errorCode(res), 'BLOB_UNKNOWN');
  });

  test('manifests by tag and by digest, GET and HEAD, with the right headers', async () => {
    const img = await pushImage(url, 'img/app', 'v1');
    for (const ref of ['v1', img.digest]) {
      const head = await fetch(`${url}/v2/img/app/manifests/${ref}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('docker-content-digest'), img.digest);
      assert.equal(head.headers.get('content-type'), MediaType.ociManifest);
      assert.equal(head.headers.get('content-length'), String(img.manifest.length));
      const get = await fetch(`${url}/v2/img/app/manifests/${ref}`);
      assert.deepEqual(Buffer.from(await get.arrayBuffer()), img.manifest);
    }
  });

  test('manifest PUT refuses missing blobs, bad JSON, digest mismatch and oversize bodies', async () => {
    const missing = imageManifest({ digest: digestOf('nope'), size: 4 }, []);
    const r1 = await putManifest(url, 'bad/m', 'x', missing);
    assert.equal(r1.status, 400);
    assert.equal(await errorCode(r1), 'MANIFEST_BLOB_UNKNOWN');
    const r2 = await putManifest(url, 'bad/m', 'x', Buffer.from('{not json'));
    assert.equal(await errorCode(r2), 'MANIFEST_INVALID');
    const cfg = await pushBlob(url, 'bad/m', Buffer.from('{}'));
    const ok = imageManifest({ digest: cfg, size: 2 }, []);
    const r3 = await putManifest(url, 'bad/m', digestOf('different'), ok);
    assert.equal(await errorCode(r3), 'DIGEST_INVALID');
    const big = Buffer.alloc(4 * 1024 * 1024 + 1, 32);
    const r4 = await putManifest(url, 'bad/m', 'big', big);
    assert.equal(r4.status, 413);
    const r5 = await putManifest(url, 'bad/m', 'bad tag!', ok);
    assert.equal(r5.status, 400);
  });

  test('Docker schema2 manifests and manifest lists round-trip with their media types', async () => {
    const img = await pushImage(url, 'multi', 'amd64');
    const list = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.dockerManifestList,
      manifests: [{ mediaType: MediaType.ociManifest, digest: img.digest, size: img.manifest.length, platform: { os: 'linux', architecture: 'amd64' } }],
    }));
    const put = await putManifest(url, 'multi', 'latest', list, MediaType.dockerManifestList);
    assert.equal(put.status, 201);
    const get = await fetch(`${url}/v2/multi/manifests/latest`);
    assert.equal(get.headers.get('content-type'), MediaType.dockerManifestList);
    const missingChild = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [{ mediaType: MediaType.ociManifest, digest: digestOf('x'), size: 1 }] }));
    const bad = await putManifest(url, 'multi', 'broken', missingChild, MediaType.ociIndex);
    assert.equal(await errorCode(bad), 'MANIFEST_BLOB_UNKNOWN');
  });

  test('unknown things are 404 with the spec codes', async () => {
    assert.equal(await errorCode(await fetch(`${url}/v2/nothing/here/manifests/latest`)), 'NAME_UNKNOWN');
    await pushImage(url, 'known', 'v1');
    assert.equal(await errorCode(await fetch(`${url}/v2/known/manifests/v2`)), 'MANIFEST_UNKNOWN');
    assert.equal(await errorCode(await fetch(`${url}/v2/known/blobs/${digestOf('zz')}`)), 'BLOB_UNKNOWN');
    assert.equal(await errorCode(await fetch(`${url}/v2/known/blobs/sha256:short`)), 'DIGEST_INVALID');
  });
});
