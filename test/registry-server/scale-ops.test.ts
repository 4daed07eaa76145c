/**
 * Operating the scale-out registry with bin/wharf: `registry import --from DIR` moves a
 * one-machine registry into S3 + PostgreSQL while the source keeps serving pulls, `registry
 * check` finds missing and corrupt blobs, cancelled and abandoned uploads abort their S3
 * multipart uploads, and `--s3-redirect` sends downloads to pre-signed object-store URLs.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { digestOf } from '../../src/core/digest.js';
import { S3BlobStore } from '../../src/registry/server/blobs/s3.js';
import { WHARF_BIN } from '../helpers/wharf.js';
import { bytes, pushBlob, pushImage, startRegistry, type TestRegistry } from './helpers.js';
import { exec, run } from './proc.js';
import { backendArgs, newBackend, pullVerify, pushRandomImage, scaleSkip, startReplica, type Backend, type Replica } from './scale.js';

const skip = scaleSkip();

function s3Of(b: Backend): S3BlobStore {
  return new S3BlobStore({ endpoint: b.s3.endpoint, region: b.s3.region, bucket: b.s3.bucket, accessKey: b.s3.accessKey, secretKey: b.s3.secretKey, rootDirectory: b.s3.root });
}

async function openMultipart(s3: S3BlobStore, b: Backend): Promise<number> {
  const r = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: b.s3.bucket, Prefix: `${b.s3.root}/` }));
  return r.Uploads?.length ?? 0;
}

describe('import and check', { skip }, () => {
  let source: TestRegistry;
  let backend: Backend;
  let replica: Replica;
  let s3: S3BlobStore;
  before(async () => {
    source = await startRegistry({ storage: undefined, metadata: undefined });
    backend = newBackend();
    s3 = s3Of(backend);
  });
  after(async () => {
    await replica?.kill();
    await source?.stop();
    await s3?.close();
  });

  test('import copies a one-machine registry while it serves pulls; a second run copies only what is new', async () => {
    const a = await pushImage(source.url, 'imp/app', 'v1');
    const b = await pushRandomImage(source.url, 'imp/big', 'latest', [12 << 20, 1000]);
    await fetch(`${source.url}/admin/meta/imp/app`, { method: 'PUT', body: JSON.stringify({ description: 'imported app' }) });
    let stop = false;
    let pulls = 0;
    const puller = (async () => {
      while (!stop) {
        assert.equal(await pullVerify(source.url, 'imp/big', 'latest'), b.digest);
        pulls++;
      }
    })();
    const out = await run(WHARF_BIN, ['registry', 'import', '--from', source.root, ...backendArgs(backend)]);
    stop = true;
    await puller;
    assert.ok(pulls > 0, 'the source served pulls during the import');
    assert.match(out, /imported 2 repositories: 5 blobs .*, 2 manifests, 2 tags/);
    const again = await run(WHARF_BIN, ['registry', 'import', '--from', source.root, ...backendArgs(backend)]);
    assert.match(again, /0 blobs \(0B, 5 already there\), 0 manifests, 0 tags/);
    replica = await startReplica(backend);
    assert.equal(await pullVerify(replica.url, 'imp/app', 'v1'), a.digest);
    assert.equal(await pullVerify(replica.url, 'imp/big', 'latest'), b.digest);
    const search = await (await fetch(`${replica.url}/v1/search?q=imported`)).json();
    assert.deepEqual(search.results.map((r: { name: string }) => r.name), ['imp/app']);
  });

  test('check passes on a sound registry, and names missing and corrupt blobs', async () => {
    const ok = await exec(WHARF_BIN, ['registry', 'check', ...backendArgs(backend)]);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /checked 2 manifests and 5 blobs: no problems/);
    const manifest = JSON.parse(Buffer.from(await (await fetch(`${replica.url}/v2/imp/app/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } })).arrayBuffer()).toString());
    const layer = manifest.layers[0].digest;
    const config = manifest.config.digest;
    await s3.delete(layer);
    await s3.put(config, Buffer.from('not the config'));
    const bad = await exec(WHARF_BIN, ['registry', 'check', ...backendArgs(backend)]);
    assert.equal(bad.status, 1);
    assert.match(bad.stdout, new RegExp(`blob ${layer} is missing from the object store`));
    assert.match(bad.stdout, new RegExp(`blob ${config}: stored bytes hash to something else`));
  });
});

describe('uploads and downloads on S3', { skip }, () => {
  let backend: Backend;
  let replica: Replica;
  let s3: S3BlobStore;
  before(async () => {
    backend = newBackend();
    s3 = s3Of(backend);
    replica = await startReplica(backend, ['--s3-redirect']);
  });
  after(async () => {
    await replica?.kill();
    await s3?.close();
  });

  test('a cancelled upload aborts its multipart upload; gc aborts abandoned ones and multipart uploads no session names', async () => {
    const url = replica.url;
    const open = async () => {
      const start = await fetch(`${url}/v2/up/cancel/blobs/uploads/`, { method: 'POST' });
      const loc = start.headers.get('location')!;
      assert.equal((await fetch(`${url}${loc}`, { method: 'PATCH', body: bytes(randomBytes(12 << 20)) })).status, 202);
      return loc;
    };
    const loc = await open();
    assert.equal(await openMultipart(s3, backend), 1);
    assert.equal((await fetch(`${url}${loc}`, { method: 'DELETE' })).status, 204);
    assert.equal(await openMultipart(s3, backend), 0);
    assert.equal((await fetch(`${url}${loc}`)).status, 404);
    await open();
    // And a multipart upload no session names (a replica died before recording it).
    await s3.client.send(new CreateMultipartUploadCommand({ Bucket: backend.s3.bucket, Key: `${backend.s3.root}/uploads/${randomUUID()}/data` }));
    assert.equal(await openMultipart(s3, backend), 2);
    await new Promise((r) => setTimeout(r, 1100)); // S3 dates have whole seconds: let both be older than "now"
    const gc = await run(WHARF_BIN, ['registry', 'gc', '--upload-purge-age', '0', ...backendArgs(backend)]);
    assert.match(gc, /2 uploads/);
    assert.equal(await openMultipart(s3, backend), 0);
  });

  test('--s3-redirect answers blob GETs with a pre-signed URL the client downloads from directly', async () => {
    const data = randomBytes(70_000);
    const digest = await pushBlob(replica.url, 'up/redirect', data);
    const res = await fetch(`${replica.url}/v2/up/redirect/blobs/${digest}`, { redirect: 'manual' });
    assert.equal(res.status, 307);
    const location = res.headers.get('location')!;
    assert.ok(location.startsWith(backend.s3.endpoint), location);
    assert.match(location, /X-Amz-Signature=/);
    const direct = await fetch(location);
    assert.equal(digestOf(Buffer.from(await direct.arrayBuffer())), digest);
    const head = await fetch(`${replica.url}/v2/up/redirect/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.status, 200, 'HEAD is answered by the registry itself');
    assert.equal(head.headers.get('content-length'), String(data.length));
  });
});
