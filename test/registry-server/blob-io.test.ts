/**
 * The blob byte paths under load: large streamed uploads (written in coalesced batches while
 * hashed), downloads with their caching headers and conditional GETs, and many concurrent
 * downloads (which get smaller read pieces) returning exact bytes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { digestOf } from '../../src/core/digest.js';
import { pushBlob, suiteRegistry } from './helpers.js';

/** A request body that arrives in uneven pieces, with no Content-Length (chunked). */
function unevenBody(data: Buffer): ReadableStream {
  const sizes = [1, 70_000, 3 << 20, 5, 4 << 20, 65_536];
  let off = 0;
  let i = 0;
  return Readable.toWeb(
    Readable.from(
      (function* () {
        while (off < data.length) {
          const n = sizes[i++ % sizes.length]!;
          yield data.subarray(off, off + n);
          off += n;
        }
      })(),
    ),
  ) as ReadableStream;
}

describe('blob byte paths', () => {
  const suite = suiteRegistry();

  test('a 37 MiB upload (batched writes, background syncs) in uneven chunked PATCHes is stored exactly', async () => {
    const data = randomBytes(37 << 20);
    const half = 33 << 20;
    const start = await fetch(`${suite.url}/v2/big/one/blobs/uploads/`, { method: 'POST' });
    const loc = start.headers.get('location')!;
    const first = await fetch(`${suite.url}${loc}`, { method: 'PATCH', body: unevenBody(data.subarray(0, half)), duplex: 'half' } as RequestInit);
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('range'), `0-${half - 1}`);
    const status = await fetch(`${suite.url}${loc}`);
    assert.equal(status.headers.get('range'), `0-${half - 1}`);
    const second = await fetch(`${suite.url}${loc}`, { method: 'PATCH', body: unevenBody(data.subarray(half)), duplex: 'half' } as RequestInit);
    assert.equal(second.headers.get('range'), `0-${data.length - 1}`);
    const put = await fetch(`${suite.url}${loc}?digest=${digestOf(data)}`, { method: 'PUT' });
    assert.equal(put.status, 201);
    const got = Buffer.from(await (await fetch(`${suite.url}/v2/big/one/blobs/${digestOf(data)}`)).arrayBuffer());
    assert.ok(got.equals(data));
  });

  test('downloads carry Content-Length, Accept-Ranges and the digest as ETag; If-None-Match gets 304', async () => {
    const data = randomBytes(300_000);
    const digest = await pushBlob(suite.url, 'cache/me', data);
    const res = await fetch(`${suite.url}/v2/cache/me/blobs/${digest}`);
    assert.equal(res.headers.get('content-length'), String(data.length));
    assert.equal(res.headers.get('accept-ranges'), 'bytes');
    assert.equal(res.headers.get('etag'), `"${digest}"`);
    await res.arrayBuffer();
    const again = await fetch(`${suite.url}/v2/cache/me/blobs/${digest}`, { headers: { 'If-None-Match': `W/"x", "${digest}"` } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('docker-content-digest'), digest);
    assert.equal((await again.arrayBuffer()).byteLength, 0);
    const other = await fetch(`${suite.url}/v2/cache/me/blobs/${digest}`, { headers: { 'If-None-Match': '"sha256:other"' } });
    assert.equal(other.status, 200);
    assert.equal((await other.arrayBuffer()).byteLength, data.length);
  });

  test('40 concurrent downloads of a 3 MiB blob all get the exact bytes', async () => {
    const data = randomBytes(3 << 20);
    const digest = await pushBlob(suite.url, 'many/readers', data);
    const bodies = await Promise.all(
      Array.from({ length: 40 }, async () => Buffer.from(await (await fetch(`${suite.url}/v2/many/readers/blobs/${digest}`)).arrayBuffer())),
    );
    for (const b of bodies) assert.ok(b.equals(data));
  });
});
