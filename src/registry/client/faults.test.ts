/**
 * Faults from issue 5 point 8, injected by a misbehaving registry on 127.0.0.1: each one
 * yields Docker's one-line message and the right error code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { digestOf } from '../../core/digest.js';
import { isWharfError } from '../../core/errors.js';
import { MediaType } from '../../core/mediatypes.js';
import { RegistryClient } from './client.js';
import { RegistryConfig } from './config.js';
import { FakeRegistry } from './testing/fake-registry.js';

const config = new RegistryConfig({ certsDirs: [] });
const fast = { retries: 3, baseDelayMs: 5 };

async function withFake(fn: (r: FakeRegistry, c: RegistryClient) => Promise<void>) {
  const r = await FakeRegistry.start();
  const c = new RegistryClient(r.host, { config, credentials: async () => undefined, retry: fast });
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

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('registry down: connection refused, as docker prints it', async () => {
  const port = await freePort();
  const c = new RegistryClient(`127.0.0.1:${port}`, { config, credentials: async () => undefined, retry: fast });
  await assert.rejects(c.getManifest('x', 'latest'), (e) =>
    isWharfError(e, 'UNAVAILABLE') &&
    e.message === `Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  c.close();
});

test('connection reset mid-blob resumes with a Range request', () =>
  withFake(async (r, c) => {
    const data = randomBytes(200_000);
    const digest = r.addBlob('a', data);
    let cut = 0;
    r.fault = (req, res) => {
      if (req.method !== 'GET' || !req.url?.includes('/blobs/') || cut >= 2) return false;
      cut++;
      const start = req.headers.range ? Number(/bytes=(\d+)-/.exec(req.headers.range)![1]) : 0;
      const rest = data.subarray(start);
      res.writeHead(start ? 206 : 200, { 'Content-Length': rest.length });
      res.write(rest.subarray(0, 50_000), () => res.socket?.destroy());
      return true;
    };
    assert.deepEqual(await collect(c.getBlob('a', digest, data.length)), data);
    const ranges = r.requests.filter((q) => q.headers.range).map((q) => q.headers.range);
    assert.deepEqual(ranges, ['bytes=50000-', 'bytes=100000-']);
  }));

test('a blob whose bytes do not match its digest errors the stream', () =>
  withFake(async (r, c) => {
    const data = Buffer.from('the real bytes');
    const lie = digestOf('something else');
    r.addBlob('a', data, lie);
    await assert.rejects(collect(c.getBlob('a', lie)), (e) =>
      isWharfError(e, 'DIGEST_MISMATCH') && e.message === `filesystem layer verification failed for digest ${lie}`);
    const d = r.addBlob('b', data);
    await assert.rejects(collect(c.getBlob('b', d, data.length + 1)), (e) => isWharfError(e, 'DIGEST_MISMATCH'));
  }));

test('a manifest fetched by digest is verified', () =>
  withFake(async (r, c) => {
    const wanted = digestOf('{"a":1}');
    r.manifests.set('m', new Map([[wanted, { bytes: Buffer.from('{"a":2}'), mediaType: MediaType.ociManifest }]]));
    await assert.rejects(c.getManifest('m', wanted), (e) =>
      isWharfError(e, 'DIGEST_MISMATCH') && e.message === `manifest verification failed for digest ${wanted}`);
  }));

test('an oversized manifest is refused, with or without Content-Length', () =>
  withFake(async (r, c) => {
    const big = Buffer.alloc((4 << 20) + 1, 0x20);
    for (const withLength of [true, false]) {
      r.fault = (req, res) => {
        if (!req.url?.includes('/manifests/')) return false;
        res.writeHead(200, { 'Content-Type': MediaType.ociManifest, ...(withLength ? { 'Content-Length': big.length } : {}) });
        res.end(big);
        return true;
      };
      await assert.rejects(c.getManifest('big', 'v1'), (e) =>
        isWharfError(e, 'CORRUPT') && /^manifest for 127\.0\.0\.1:\d+\/big:v1 is too large: exceeded maximum allowed size of 4194304 bytes$/.test(e.message));
    }
  }));

test('unknown repository or tag: docker\'s manifest unknown line', () =>
  withFake(async (r, c) => {
    r.addManifest('known', 'v1', Buffer.from('{}'), MediaType.ociManifest);
    for (const [repo, ref] of [['known', 'nope'], ['nothere', 'v1']]) {
      await assert.rejects(c.getManifest(repo!, ref!), (e) =>
        isWharfError(e, 'NOT_FOUND') && e.message === `manifest for ${r.host}/${repo}:${ref} not found: manifest unknown: manifest unknown`);
    }
  }));

test('5xx responses are retried a bounded number of times', () =>
  withFake(async (r, c) => {
    r.addManifest('x', 'v1', Buffer.from('{}'), MediaType.ociManifest);
    let failures = 2;
    r.fault = (req, res) => {
      if (!req.url?.includes('/manifests/') || failures-- <= 0) return false;
      res.writeHead(503).end();
      return true;
    };
    assert.equal((await c.getManifest('x', 'v1')).bytes.toString(), '{}');
    r.fault = (req, res) => (req.url?.includes('/manifests/') ? (res.writeHead(503, 'Service Unavailable').end(), true) : false);
    const before = r.requests.length;
    await assert.rejects(c.getManifest('x', 'v1'), (e) =>
      isWharfError(e, 'UNAVAILABLE') && e.message === 'received unexpected HTTP status: 503 Service Unavailable');
    assert.equal(r.requests.length - before, fast.retries + 1);
  }));

test('an upload interrupted by a reset restarts from a fresh session', () =>
  withFake(async (r, c) => {
    const data = randomBytes(50_000);
    let resets = 1;
    r.fault = (req) => {
      if (req.method !== 'PUT' || !req.url?.includes('/uploads/') || resets-- <= 0) return false;
      req.socket.destroy();
      return true;
    };
    const { Readable } = await import('node:stream');
    const res = await c.uploadBlob('u', { mediaType: MediaType.ociLayerGzip, digest: digestOf(data), size: data.length }, () => Readable.from([data]));
    assert.equal(res, 'pushed');
    assert.equal(r.requests.filter((q) => q.method === 'POST').length, 2);
  }));
