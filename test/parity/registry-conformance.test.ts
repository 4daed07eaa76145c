/**
 * Registry answers the OCI distribution-spec asks for, and pull notifications as distribution
 * sends them: GET/HEAD of a manifest whose reference is neither tag nor digest is 404
 * MANIFEST_UNKNOWN (PUT keeps 400 TAG_INVALID); `PUT manifests/<digest>?tag=a&tag=b` tags what it
 * stores (sha256 and sha512) with OCI-Tag in the answer; GET and HEAD of manifests and blobs are
 * each a `pull` event (checked against Debian's docker-registry 2.8 when installed).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytes, imageManifest, putManifest, startRegistry, tempDir, type TestRegistry } from '../registry-server/helpers.js';
import { MediaType } from '../../src/core/mediatypes.js';
import type { Digest } from '../../src/core/digest.js';

interface Event {
  action: string;
  method: string;
  mediaType: string;
}

/** A notification sink on 127.0.0.1 collecting (action, method, mediaType). */
async function sink(): Promise<{ server: Server; url: string; events: Event[] }> {
  const events: Event[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      for (const e of JSON.parse(body).events) events.push({ action: e.action, method: e.request.method, mediaType: e.target.mediaType });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, events };
}

async function waitFor(events: Event[], n: number, action: string): Promise<void> {
  const deadline = Date.now() + 10000;
  while (events.filter((e) => e.action === action).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** POST then PUT: the two-step upload every registry has (distribution 2.8 has no one-step POST). */
async function pushBlob(url: string, name: string, data: Buffer): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  const started = await fetch(`${url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  assert.equal(started.status, 202);
  const location = new URL(started.headers.get('location')!, url);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes(data) });
  assert.equal(done.status, 201, await done.text());
  return digest;
}

/** Push one small image; returns its manifest and layer digests. */
async function pushOne(url: string, name: string, tag: string): Promise<{ manifest: Buffer; layer: string }> {
  const config = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const layerBody = Buffer.from(`layer ${Math.random()}`);
  const c = await pushBlob(url, name, config);
  const layer = await pushBlob(url, name, layerBody);
  const manifest = imageManifest({ digest: c as Digest, size: config.length }, [{ digest: layer as Digest, size: layerBody.length }]);
  const r = await putManifest(url, name, tag, manifest);
  assert.equal(r.status, 201, await r.text());
  return { manifest, layer };
}

/** Each kind of read, then the pull events it made. */
async function pullEvents(url: string, events: Event[]): Promise<Event[]> {
  const { layer } = await pushOne(url, 'conf/app', 'v1');
  await waitFor(events, 3, 'push');
  await new Promise((r) => setTimeout(r, 300));
  events.length = 0;
  const accept = { Accept: MediaType.ociManifest };
  for (const method of ['GET', 'HEAD']) assert.equal((await fetch(`${url}/v2/conf/app/manifests/v1`, { method, headers: accept })).status, 200);
  for (const method of ['GET', 'HEAD']) assert.equal((await fetch(`${url}/v2/conf/app/blobs/${layer}`, { method })).status, 200);
  await waitFor(events, 4, 'pull');
  await new Promise((r) => setTimeout(r, 300)); // nothing more should come
  return events.filter((e) => e.action === 'pull');
}

describe('registry: distribution-spec answers and pull notifications', () => {
  let reg: TestRegistry;
  let hook: Awaited<ReturnType<typeof sink>>;
  before(async () => {
    hook = await sink();
    reg = await startRegistry({ notifications: { endpoints: [{ name: 'sink', url: hook.url, timeout: 1000 }] } });
  });
  after(async () => {
    await reg.stop();
    hook.server.closeAllConnections();
    hook.server.close();
  });

  test('GET/HEAD with a reference that is neither tag nor digest: 404 MANIFEST_UNKNOWN; PUT: 400 TAG_INVALID', async () => {
    await pushOne(reg.url, 'conf/bad', 'v1');
    for (const ref of ['-x', '.x', 'sha256:xyz', 'a'.repeat(129)]) {
      const get = await fetch(`${reg.url}/v2/conf/bad/manifests/${ref}`);
      assert.equal(get.status, 404, ref);
      assert.equal(((await get.json()) as { errors: { code: string }[] }).errors[0]!.code, 'MANIFEST_UNKNOWN');
      assert.equal((await fetch(`${reg.url}/v2/conf/bad/manifests/${ref}`, { method: 'HEAD' })).status, 404);
    }
    const put = await putManifest(reg.url, 'conf/bad', '-x', Buffer.from('{}'));
    assert.equal(put.status, 400);
    assert.equal(((await put.json()) as { errors: { code: string }[] }).errors[0]!.code, 'TAG_INVALID');
  });

  test('PUT manifests/<digest>?tag=...: each tag set, OCI-Tag answered, sha256 and sha512; a bad tag refused', async () => {
    const { manifest } = await pushOne(reg.url, 'conf/tags', 'base');
    for (const algorithm of ['sha256', 'sha512'] as const) {
      const digest = `${algorithm}:${createHash(algorithm).update(manifest).digest('hex')}`;
      const a = `${algorithm}-a`;
      const b = `${algorithm}-b`;
      const r = await putManifest(reg.url, 'conf/tags', `${digest}?tag=${a}&tag=${b}`, manifest);
      assert.equal(r.status, 201, await r.text());
      assert.equal(r.headers.get('docker-content-digest'), digest);
      assert.equal(r.headers.get('oci-tag'), `${a}, ${b}`);
      for (const t of [a, b]) {
        const got = await fetch(`${reg.url}/v2/conf/tags/manifests/${t}`, { headers: { Accept: MediaType.ociManifest } });
        assert.equal(got.status, 200, t);
        assert.ok(Buffer.from(await got.arrayBuffer()).equals(manifest));
      }
    }
    const list = (await (await fetch(`${reg.url}/v2/conf/tags/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual([...list.tags].sort(), ['base', 'sha256-a', 'sha256-b', 'sha512-a', 'sha512-b']);
    const sha = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    const bad = await putManifest(reg.url, 'conf/tags', `${sha}?tag=-bad`, manifest);
    assert.equal(bad.status, 400);
    const tags = (await (await fetch(`${reg.url}/v2/conf/tags/tags/list`)).json()) as { tags: string[] };
    assert.ok(!tags.tags.includes('-bad'));
  });

  test('GET and HEAD of a manifest and of a blob are each a pull event', async () => {
    const pulls = await pullEvents(reg.url, hook.events);
    assert.deepEqual(
      pulls.map((e) => `${e.method} ${e.mediaType}`).sort(),
      ['GET application/octet-stream', `GET ${MediaType.ociManifest}`, 'HEAD application/octet-stream', `HEAD ${MediaType.ociManifest}`],
    );
  });

  test("Debian's docker-registry sends the same pull events", async (t) => {
    if (spawnSync('sh', ['-c', 'command -v docker-registry']).status !== 0) return t.skip('docker-registry (Debian) is not installed');
    const theirs = await sink();
    const dir = tempDir('wharf-dr-');
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const yml = join(dir, 'config.yml');
    writeFileSync(yml, `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/root\nhttp:\n  addr: 127.0.0.1:${port}\nnotifications:\n  endpoints:\n    - name: s\n      url: ${theirs.url}\n      timeout: 1s\n      threshold: 3\n      backoff: 1s\n`);
    const proc: ChildProcess = spawn('docker-registry', ['serve', yml], { stdio: 'ignore', env: { ...process.env, AWS_CA_BUNDLE: '' } });
    try {
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 10000;
      while (Date.now() < deadline && !(await fetch(`${url}/v2/`).then((r) => r.ok, () => false))) await new Promise((r) => setTimeout(r, 100));
      const pulls = await pullEvents(url, theirs.events);
      const ours = await pullEvents(reg.url, hook.events);
      const shape = (es: Event[]) => es.map((e) => `${e.method} ${e.mediaType}`).sort();
      assert.deepEqual(shape(ours), shape(pulls));
    } finally {
      proc.kill();
      theirs.server.closeAllConnections();
      theirs.server.close();
      spawnSync('rm', ['-rf', dir]);
    }
  });
});
