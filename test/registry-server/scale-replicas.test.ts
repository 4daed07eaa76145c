/**
 * Three `wharf registry serve` replicas on one S3 bucket (Ceph RGW) and one PostgreSQL
 * database, behind nginx configured as the README says: uploads continue across replicas, tags
 * are visible everywhere at once, concurrent pushes of one tag end consistent, and real clients
 * (docker, skopeo) push and pull through nginx, plain and with TLS + basic auth; then a bounded
 * run of parallel pushers and pullers with every digest verified.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf, type Digest } from '../../src/core/digest.js';
import { MediaType } from '../../src/core/mediatypes.js';
import { bytes, hasCommand, putManifest, tempDir } from './helpers.js';
import { exec, run, runSync } from './proc.js';
import { newBackend, pullVerify, pushRandomImage, scaleSkip, startNginx, startReplica, type Backend, type Nginx, type Replica } from './scale.js';

const skip = scaleSkip();
const DOCKER_HOST = process.env.WHARF_TEST_DOCKER_HOST ?? 'unix:///tmp/d/docker.sock';
const dockerOk = !skip && hasCommand('docker') && spawnSync('docker', ['version'], { env: { ...process.env, DOCKER_HOST } }).status === 0;

describe('three replicas behind nginx', { skip }, () => {
  let backend: Backend;
  let replicas: Replica[] = [];
  let nginx: Nginx;
  let lb = '';
  const work = tempDir('wharf-scale-');

  before(async () => {
    backend = newBackend();
    replicas = await Promise.all([0, 1, 2].map(() => startReplica(backend)));
    nginx = await startNginx(replicas.map((r) => r.port));
    lb = `http://127.0.0.1:${nginx.plainPort}`;
  });
  after(async () => {
    await nginx?.stop();
    await Promise.all(replicas.map((r) => r.kill()));
    spawnSync('rm', ['-rf', work]);
  });

  test('a tag pushed through one replica is visible through the others at once', async () => {
    const [a, b, c] = replicas;
    const img = await pushRandomImage(a!.url, 'vis/app', 'v1', [1000]);
    for (const r of [b!, c!]) assert.equal(await pullVerify(r.url, 'vis/app', 'v1'), img.digest);
    const tags = await (await fetch(`${c!.url}/v2/vis/app/tags/list`)).json();
    assert.deepEqual(tags, { name: 'vis/app', tags: ['v1'] });
  });

  test('an upload begun on one replica continues on the others (parts across replicas, digest re-checked)', async () => {
    const [a, b, c] = replicas;
    const data = randomBytes(13 << 20);
    const start = await fetch(`${a!.url}/v2/across/blobs/uploads/`, { method: 'POST' });
    const loc = start.headers.get('location')!;
    const cut = 7 << 20;
    const p1 = await fetch(`${b!.url}${loc}`, { method: 'PATCH', body: bytes(data.subarray(0, cut)), headers: { 'Content-Range': `0-${cut - 1}` } });
    assert.equal(p1.status, 202);
    assert.equal((await fetch(`${c!.url}${loc}`)).headers.get('range'), `0-${cut - 1}`);
    const p2 = await fetch(`${c!.url}${loc}`, { method: 'PATCH', body: bytes(data.subarray(cut)), headers: { 'Content-Range': `${cut}-${data.length - 1}` } });
    assert.equal(p2.status, 202);
    const wrong = await fetch(`${a!.url}${loc}?digest=${digestOf(Buffer.from('other'))}`, { method: 'PUT' });
    assert.equal(wrong.status, 400);
    const put = await fetch(`${a!.url}${loc}?digest=${digestOf(data)}`, { method: 'PUT' });
    assert.equal(put.status, 201, await put.text());
    const got = Buffer.from(await (await fetch(`${b!.url}/v2/across/blobs/${digestOf(data)}`)).arrayBuffer());
    assert.ok(got.equals(data));
    const ranged = await fetch(`${c!.url}/v2/across/blobs/${digestOf(data)}`, { headers: { Range: 'bytes=100-199' } });
    assert.equal(ranged.status, 206);
    assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(100, 200)));
  });

  test('concurrent pushes of one tag through all replicas end with one winner everywhere', async () => {
    const base = await pushRandomImage(replicas[0]!.url, 'race/app', 'seed', [100]);
    const m = JSON.parse(base.manifest.toString());
    const bodies = Array.from({ length: 12 }, (_, i) => Buffer.from(JSON.stringify({ ...m, annotations: { n: String(i) } })));
    const results = await Promise.all(bodies.map((b, i) => putManifest(replicas[i % 3]!.url, 'race/app', 'latest', b)));
    for (const r of results) assert.equal(r.status, 201);
    const seen = await Promise.all(replicas.map(async (r) => (await fetch(`${r.url}/v2/race/app/manifests/latest`, { method: 'HEAD', headers: { Accept: MediaType.ociManifest } })).headers.get('docker-content-digest')));
    assert.equal(new Set(seen).size, 1, `replicas disagree: ${seen}`);
    assert.ok(bodies.map((b) => digestOf(b)).includes(seen[0] as Digest));
  });

  test('docker push and pull of a multi-layer image through nginx; the upload requests spread over replicas', async (t) => {
    if (!dockerOk) return t.skip(`no dockerd at ${DOCKER_HOST}`);
    const denv = { ...process.env, DOCKER_HOST, DOCKER_CONFIG: join(work, 'docker'), DOCKER_BUILDKIT: '0' };
    const ctxDir = join(work, 'ctx');
    runSync('mkdir', ['-p', join(ctxDir, 'bin')]);
    runSync('cp', ['/bin/busybox', join(ctxDir, 'bin/busybox')]);
    for (const [f, n] of [['a', 1 << 20], ['b', 12 << 20], ['c', 3 << 20]] as const) writeFileSync(join(ctxDir, f), randomBytes(n));
    writeFileSync(join(ctxDir, 'Dockerfile'), 'FROM scratch\nCOPY bin /bin\nCOPY a /a\nCOPY b /b\nCOPY c /c\nCMD ["/bin/busybox", "true"]\n');
    const ref = `127.0.0.1:${nginx.plainPort}/scale/multi:${randomBytes(3).toString('hex')}`;
    await run('docker', ['build', '-q', '-t', ref, ctxDir], denv);
    try {
      const before = replicas.map((r) => r.log.length);
      const pushed = await run('docker', ['push', ref], denv);
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed)?.[1];
      assert.ok(digest, pushed);
      const served = replicas.map((r, i) => r.log.slice(before[i]).filter((l) => /"method":"(PATCH|PUT|POST)"/.test(l) && l.includes('/blobs/uploads/')).length);
      assert.ok(served.filter((n) => n > 0).length >= 2, `upload requests per replica: ${served}`);
      await run('docker', ['rmi', ref], denv);
      const pulled = await run('docker', ['pull', ref], denv);
      assert.match(pulled, new RegExp(`Digest: ${digest}`));
    } finally {
      await exec('docker', ['rmi', '-f', ref], denv);
    }
  });

  test('skopeo copy through nginx with TLS and basic auth', async (t) => {
    if (!hasCommand('skopeo')) return t.skip('skopeo is not installed');
    const oci = join(work, 'oci');
    const img = await pushRandomImage(lb, 'sko/src', 'v1', [5000, 70_000]);
    const tls = `127.0.0.1:${nginx.tlsPort}`;
    const creds = `${nginx.user}:${nginx.password}`;
    const denied = await exec('skopeo', ['inspect', '--cert-dir', nginx.certDir, `docker://${tls}/sko/src:v1`]);
    assert.notEqual(denied.status, 0, 'nginx asks for credentials');
    await run('skopeo', ['copy', '--preserve-digests', '--src-cert-dir', nginx.certDir, '--src-creds', creds, `docker://${tls}/sko/src:v1`, `oci:${oci}:v1`]);
    await run('skopeo', ['copy', '--preserve-digests', '--dest-cert-dir', nginx.certDir, '--dest-creds', creds, `oci:${oci}:v1`, `docker://${tls}/sko/copy:v2`]);
    assert.equal(await pullVerify(lb, 'sko/copy', 'v2'), img.digest);
  });

  test('/healthz and /metrics of each replica report S3 and PostgreSQL', async () => {
    const health = await (await fetch(`${lb}/healthz`)).json();
    assert.equal(health.storage.kind, 's3');
    assert.equal(health.database.kind, 'postgres');
    assert.equal(health.status, 'ok');
    const metrics = await (await fetch(`${replicas[0]!.url}/metrics`)).text();
    assert.match(metrics, /wharf_registry_http_requests_total\{route="\/v2\/\{name\}\/manifests\/\{reference\}",method="PUT",status="201"\} \d+/);
    assert.match(metrics, /wharf_registry_upload_duration_seconds_count \d+/);
  });

  test('20 parallel pushers and 20 pullers for a bounded time: no errors, every digest verified', async () => {
    const seed = await pushRandomImage(lb, 'load/seed', 'v1', [300_000, 20_000]);
    const deadline = Date.now() + 15_000;
    const pushed: { name: string; digest: Digest }[] = [];
    const errors: string[] = [];
    const pushers = Array.from({ length: 20 }, async (_, i) => {
      for (let n = 0; Date.now() < deadline && n < 20; n++) {
        const name = `load/p${i}`;
        try {
          const img = await pushRandomImage(lb, name, `t${n}`, [50_000 + i * 1000, 2000]);
          pushed.push({ name: `${name}:t${n}`, digest: img.digest });
        } catch (err) {
          errors.push(`push ${name}: ${(err as Error).message}`);
        }
      }
    });
    let pulls = 0;
    const pullers = Array.from({ length: 20 }, async () => {
      for (let n = 0; Date.now() < deadline && n < 200; n++) {
        try {
          assert.equal(await pullVerify(lb, 'load/seed', 'v1'), seed.digest);
          pulls++;
        } catch (err) {
          errors.push(`pull: ${(err as Error).message}`);
        }
      }
    });
    await Promise.all([...pushers, ...pullers]);
    assert.deepEqual(errors, []);
    assert.ok(pushed.length >= 20 && pulls >= 20, `${pushed.length} pushes, ${pulls} pulls`);
    for (const p of pushed) {
      const [name, tag] = p.name.split(':');
      assert.equal(await pullVerify(replicas[pushed.indexOf(p) % 3]!.url, name!, tag!), p.digest);
    }
  });
});
