/** Operations: online GC, repository delete, storage use, health, search API and webhooks. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pushBlob, pushImage, putManifest, startRegistry, type TestRegistry } from './helpers.js';

describe('online garbage collection', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry();
  });
  after(() => reg.stop());

  const gc = async (query: string) => (await fetch(`${reg.url}/admin/gc?${query}`, { method: 'POST' })).json();

  test('dry run reports but deletes nothing; a real run frees unreferenced blobs only', async () => {
    const kept = await pushImage(reg.url, 'gc/app', 'v1');
    const orphan = await pushBlob(reg.url, 'gc/app', Buffer.from('orphan blob'));
    const dry = await gc('dryRun=true&gracePeriod=0');
    assert.deepEqual(dry.deletedBlobs, [orphan]);
    assert.equal((await fetch(`${reg.url}/v2/gc/app/blobs/${orphan}`, { method: 'HEAD' })).status, 200);
    const real = await gc('gracePeriod=0');
    assert.deepEqual(real.deletedBlobs, [orphan]);
    assert.equal((await fetch(`${reg.url}/v2/gc/app/blobs/${orphan}`, { method: 'HEAD' })).status, 404);
    for (const d of [kept.layer, kept.config]) assert.equal((await fetch(`${reg.url}/v2/gc/app/blobs/${d}`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${reg.url}/v2/gc/app/manifests/v1`)).status, 200);
  });

  test('the grace period protects a blob uploaded for a manifest not yet pushed', async () => {
    const cfg = Buffer.from('{"young":true}');
    const d = await pushBlob(reg.url, 'gc/young', cfg);
    const report = await gc('gracePeriod=3600');
    assert.ok(!report.deletedBlobs.includes(d));
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d, size: cfg.length }, layers: [] }));
    assert.equal((await putManifest(reg.url, 'gc/young', 'v1', manifest)).status, 201);
  });

  test('--delete-untagged removes untagged manifests and then their blobs; tagged ones stay', async () => {
    const old = await pushImage(reg.url, 'gc/untag', 'v1');
    const current = await pushImage(reg.url, 'gc/untag', 'v1'); // retags v1: old is untagged now
    const report = await gc('deleteUntagged=true&gracePeriod=0');
    assert.deepEqual(report.deletedManifests, [{ repository: 'gc/untag', digest: old.digest }]);
    assert.ok(report.deletedBlobs.includes(old.layer));
    assert.equal((await fetch(`${reg.url}/v2/gc/untag/manifests/${old.digest}`)).status, 404);
    assert.equal((await fetch(`${reg.url}/v2/gc/untag/manifests/v1`)).headers.get('docker-content-digest'), current.digest);
  });

  test('blobs shared with another repository survive deleting one of them', async () => {
    const img = await pushImage(reg.url, 'gc/shared-a', 'v1');
    await fetch(`${reg.url}/v2/gc/shared-b/blobs/uploads/?mount=${img.layer}&from=gc/shared-a`, { method: 'POST' });
    await fetch(`${reg.url}/v2/gc/shared-b/blobs/uploads/?mount=${img.config}&from=gc/shared-a`, { method: 'POST' });
    await putManifest(reg.url, 'gc/shared-b', 'v1', img.manifest);
    assert.equal((await fetch(`${reg.url}/admin/repositories/gc/shared-a`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${reg.url}/v2/gc/shared-a/tags/list`)).status, 404);
    const report = await gc('gracePeriod=0');
    assert.ok(!report.deletedBlobs.includes(img.layer));
    assert.equal((await fetch(`${reg.url}/v2/gc/shared-b/blobs/${img.layer}`)).status, 200);
  });

  test('storage use per repository counts linked blobs', async () => {
    const du = (await (await fetch(`${reg.url}/admin/du`)).json()) as { repository: string; blobs: number; bytes: number }[];
    const app = du.find((r) => r.repository === 'gc/app')!;
    assert.equal(app.blobs, 3);
    assert.ok(app.bytes > 0);
  });

  test('health endpoint', async () => {
    const res = await fetch(`${reg.url}/healthz`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, 'ok');
  });
});

describe('search', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry();
    await pushImage(reg.url, 'tools/busybox', 'v1');
    await pushImage(reg.url, 'tools/alpine', 'v1');
    await pushImage(reg.url, 'apps/web', 'v1');
    await fetch(`${reg.url}/admin/meta/apps/web`, { method: 'PUT', body: JSON.stringify({ description: 'a web server with busybox inside', stars: 9 }) });
    await fetch(`${reg.url}/admin/meta/tools/busybox`, { method: 'PUT', body: JSON.stringify({ official: true, stars: 1 }) });
  });
  after(() => reg.stop());

  test('v1 search matches names and descriptions in Docker Hub shape, official first', async () => {
    const res = await (await fetch(`${reg.url}/v1/search?q=busybox&n=25`)).json();
    assert.equal(res.num_results, 2);
    assert.equal(res.query, 'busybox');
    assert.deepEqual(res.results[0], { name: 'tools/busybox', description: '', star_count: 1, is_official: true, is_automated: false });
    assert.equal(res.results[1].name, 'apps/web');
  });

  test('pagination with n and page', async () => {
    const p2 = await (await fetch(`${reg.url}/v1/search?q=&n=2&page=2`)).json();
    assert.equal(p2.num_pages, 2);
    assert.equal(p2.page, 2);
    assert.equal(p2.results.length, 1);
  });
});

describe('webhooks', () => {
  let reg: TestRegistry;
  let sink: Server;
  let dead: Server;
  const received: { headers: Record<string, unknown>; body: { events: Record<string, any>[] } }[] = [];
  before(async () => {
    sink = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ headers: req.headers, body: JSON.parse(body) });
        res.end('ok');
      });
    });
    // Answers after 10 s: pushes must not wait for it.
    dead = createServer((_req, res) => setTimeout(() => res.end(), 10_000).unref());
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    reg = await startRegistry({
      notifications: {
        endpoints: [
          { name: 'sink', url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`, headers: { Authorization: 'Bearer hook-secret' }, timeout: 1000 },
          { name: 'slow', url: `http://127.0.0.1:${(dead.address() as AddressInfo).port}/hook`, timeout: 200, retries: 1, backoff: 50 },
        ],
      },
    });
  });
  after(async () => {
    await reg.stop();
    sink.closeAllConnections();
    dead.closeAllConnections();
    await new Promise((r) => sink.close(r));
    await new Promise((r) => dead.close(r));
  });

  test('push, pull and delete events arrive as envelopes; a dead endpoint does not slow pushes', async () => {
    const started = Date.now();
    const img = await pushImage(reg.url, 'hooked/app', 'v1');
    assert.ok(Date.now() - started < 1000, 'push was not delayed by the slow endpoint');
    await fetch(`${reg.url}/v2/hooked/app/manifests/v1`);
    await fetch(`${reg.url}/v2/hooked/app/manifests/v1`, { method: 'DELETE' });
    for (let i = 0; i < 50 && !received.some((r) => r.body.events[0]!.action === 'delete'); i++) await new Promise((r) => setTimeout(r, 50));
    const events = received.map((r) => r.body.events[0]!);
    const push = events.find((e) => e.action === 'push' && e.target.tag === 'v1')!;
    assert.equal(push.target.digest, img.digest);
    assert.equal(push.target.repository, 'hooked/app');
    assert.equal(push.target.length, img.manifest.length);
    assert.match(push.target.url, /\/v2\/hooked\/app\/manifests\/sha256:/);
    assert.equal(push.request.method, 'PUT');
    assert.ok(push.id && push.timestamp && push.source.instanceID);
    assert.ok(events.some((e) => e.action === 'pull' && e.target.digest === img.digest));
    assert.ok(events.some((e) => e.action === 'delete' && e.target.tag === 'v1'));
    assert.equal(received[0]!.headers.authorization, 'Bearer hook-secret');
    assert.equal(received[0]!.headers['content-type'], 'application/vnd.docker.distribution.events.v1+json');
  });

  test('deliveries are logged with retries for the failing endpoint', async () => {
    for (let i = 0; i < 40; i++) {
      const log = await (await fetch(`${reg.url}/admin/webhooks/deliveries`)).json();
      const slow = log.deliveries.filter((d: { endpoint: string }) => d.endpoint === 'slow');
      if (slow.some((d: { attempt: number }) => d.attempt === 2)) {
        assert.ok(slow.every((d: { ok: boolean; error?: string }) => !d.ok && d.error));
        assert.ok(log.deliveries.some((d: { endpoint: string; ok: boolean; status: number }) => d.endpoint === 'sink' && d.ok && d.status === 200));
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail('no retry of the slow endpoint was logged');
  });
});

