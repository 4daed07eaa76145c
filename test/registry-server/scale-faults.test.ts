/**
 * Faults on the scale-out registry, with real components: the object store (a radosgw of
 * our own on the shared Ceph cluster) stops during an upload; PostgreSQL (a private one) stops
 * and comes back during pulls; a replica is killed with SIGKILL in the middle of a docker push
 * through nginx; GC runs while pushes go on. The shared RGW and PostgreSQL are never stopped.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { digestOf, type Digest } from '../../src/core/digest.js';
import { bytes, hasCommand, pushBlob, tempDir } from './helpers.js';
import { exec, run, runSync } from './proc.js';
import { newBackend, pullVerify, pushRandomImage, scaleSkip, startNginx, startPrivatePostgres, startPrivateRgw, startReplica, type Replica } from './scale.js';

const skip = scaleSkip() ?? (process.env.WHARF_TEST_CEPH_CONF ? undefined : 'no Ceph config (WHARF_TEST_CEPH_CONF) to start a radosgw of our own');
const DOCKER_HOST = process.env.WHARF_TEST_DOCKER_HOST ?? 'unix:///tmp/d/docker.sock';
const dockerOk = !skip && hasCommand('docker') && spawnSync('docker', ['version'], { env: { ...process.env, DOCKER_HOST } }).status === 0;

/** Poll `check` until it returns true, for at most `ms`. */
async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const errorCode = async (res: Response) => ((await res.json()) as { errors?: { code: string }[] }).errors?.[0]?.code;

describe('registry faults', { skip }, () => {
  test('the object store stops during an upload: a clean 503, /healthz says so, and the upload resumes after', async () => {
    const rgw = await startPrivateRgw();
    let replica: Replica | undefined;
    try {
      replica = await startReplica(newBackend({ s3Endpoint: rgw.endpoint }));
      const url = replica.url;
      const data = randomBytes(14 << 20);
      const cut = 11 << 20;
      const start = await fetch(`${url}/v2/fault/rgw/blobs/uploads/`, { method: 'POST' });
      const loc = start.headers.get('location')!;
      assert.equal((await fetch(`${url}${loc}`, { method: 'PATCH', body: bytes(data.subarray(0, cut)), headers: { 'Content-Range': `0-${cut - 1}` } })).status, 202);
      await rgw.stop();
      const failed = await fetch(`${url}${loc}`, { method: 'PATCH', body: bytes(data.subarray(cut)), headers: { 'Content-Range': `${cut}-${data.length - 1}` } });
      assert.equal(failed.status, 503);
      assert.equal(await errorCode(failed), 'UNAVAILABLE');
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 503);
      const body = (await health.json()) as { errors: { code: string; detail: { storage: { status: string }; database: { status: string } } }[] };
      assert.equal(body.errors[0]!.code, 'UNAVAILABLE');
      assert.equal(body.errors[0]!.detail.storage.status, 'down');
      assert.equal(body.errors[0]!.detail.database.status, 'ok');
      await rgw.start();
      await waitFor('the replica to see the object store again', 20_000, async () => (await fetch(`${url}/healthz`)).status === 200);
      assert.equal((await fetch(`${url}${loc}`)).headers.get('range'), `0-${cut - 1}`, 'the bytes before the outage are kept');
      assert.equal((await fetch(`${url}${loc}`, { method: 'PATCH', body: bytes(data.subarray(cut)), headers: { 'Content-Range': `${cut}-${data.length - 1}` } })).status, 202);
      assert.equal((await fetch(`${url}${loc}?digest=${digestOf(data)}`, { method: 'PUT' })).status, 201);
      assert.ok(Buffer.from(await (await fetch(`${url}/v2/fault/rgw/blobs/${digestOf(data)}`)).arrayBuffer()).equals(data));
    } finally {
      await replica?.kill();
      await rgw.close();
    }
  });

  test('PostgreSQL stops during pulls: only 503s with a spec body meanwhile, then recovery, nothing corrupt', async () => {
    const db = startPrivatePostgres();
    let replica: Replica | undefined;
    try {
      replica = await startReplica(newBackend({ pgUrl: db.url }));
      const url = replica.url;
      const img = await pushRandomImage(url, 'fault/pg', 'v1', [100_000, 3000]);
      const statuses = new Map<number, number>();
      const bad: string[] = [];
      let stop = false;
      const pullers = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const res = await fetch(`${url}/v2/fault/pg/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res.status === 200) {
            if (digestOf(Buffer.from(await res.arrayBuffer())) !== img.digest) bad.push('wrong manifest bytes');
          } else if (res.status === 503) {
            const code = await errorCode(res);
            if (code !== 'UNAVAILABLE') bad.push(`503 with ${code}`);
          } else bad.push(`status ${res.status}: ${await res.text()}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      });
      await new Promise((r) => setTimeout(r, 500));
      db.halt();
      await waitFor('a 503 while the database is down', 10_000, async () => (statuses.get(503) ?? 0) > 0);
      assert.equal((await fetch(`${url}/healthz`)).status, 503);
      db.resume();
      await waitFor('recovery', 20_000, async () => (await fetch(`${url}/healthz`)).status === 200);
      const before200 = statuses.get(200) ?? 0;
      await waitFor('pulls to succeed again', 10_000, async () => (statuses.get(200) ?? 0) > before200 + 10);
      stop = true;
      await Promise.all(pullers);
      assert.deepEqual(bad, []);
      assert.deepEqual([...statuses.keys()].sort(), [200, 503]);
      assert.equal(await pullVerify(url, 'fault/pg', 'v1'), img.digest);
    } finally {
      await replica?.kill();
      db.stop();
    }
  });

  describe('three replicas behind nginx', () => {
    let replicas: Replica[] = [];
    let nginx: Awaited<ReturnType<typeof startNginx>>;
    let backend: ReturnType<typeof newBackend>;
    const work = tempDir('wharf-faults-');
    before(async () => {
      backend = newBackend();
      replicas = await Promise.all([0, 1, 2].map(() => startReplica(backend, ['--gc-grace-period', '4'])));
      nginx = await startNginx(replicas.map((r) => r.port));
    });
    after(async () => {
      await nginx?.stop();
      await Promise.all(replicas.map((r) => r.kill()));
      spawnSync('rm', ['-rf', work]);
    });

    test('kill -9 of the replica receiving a docker push: docker retries through nginx and the push completes', async (t) => {
      if (!dockerOk) return t.skip(`no dockerd at ${DOCKER_HOST}`);
      const denv = { ...process.env, DOCKER_HOST, DOCKER_CONFIG: join(work, 'docker'), DOCKER_BUILDKIT: '0' };
      const ctxDir = join(work, 'ctx');
      runSync('mkdir', ['-p', ctxDir]);
      writeFileSync(join(ctxDir, 'big'), randomBytes(150 << 20));
      writeFileSync(join(ctxDir, 'Dockerfile'), 'FROM scratch\nCOPY big /big\n');
      const ref = `127.0.0.1:${nginx.plainPort}/fault/kill:${randomBytes(3).toString('hex')}`;
      await run('docker', ['build', '-q', '-t', ref, ctxDir], denv);
      const rchar = (r: Replica) => Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${r.proc.pid}/io`, 'utf8'))?.[1] ?? 0);
      try {
        const push = exec('docker', ['push', ref], denv);
        // The replica reading the layer is the one whose read counter races ahead.
        let victim: Replica | undefined;
        await waitFor('a replica receiving the layer', 60_000, async () => {
          const a = replicas.map(rchar);
          await new Promise((r) => setTimeout(r, 250));
          const grew = replicas.map((r, i) => rchar(r) - a[i]!);
          const i = grew.indexOf(Math.max(...grew));
          if (grew[i]! > 4 << 20) victim = replicas[i];
          return !!victim;
        });
        await victim!.kill('SIGKILL');
        const result = await push;
        assert.equal(result.status, 0, result.stderr + result.stdout);
        // The killed replica's session never finished: proof the kill hit the push mid-upload.
        const db = new pg.Client({ connectionString: backend.pgUrl });
        await db.connect();
        const left = await db.query(`SELECT count(*)::int AS n FROM ${backend.schema}.uploads`).finally(() => db.end());
        assert.ok(left.rows[0].n >= 1, 'an upload session was cut off by the kill');
        const digest = /digest: (sha256:[0-9a-f]{64})/.exec(result.stdout)?.[1];
        assert.ok(digest, result.stdout);
        await run('docker', ['rmi', ref], denv);
        assert.match(await run('docker', ['pull', ref], denv), new RegExp(`Digest: ${digest}`));
        replicas[replicas.indexOf(victim!)] = await startReplica(backend, ['--gc-grace-period', '4'], victim!.port);
      } finally {
        await exec('docker', ['rmi', '-f', ref], denv);
      }
    });

    test('one GC worker at a time across replicas (advisory lock)', async () => {
      const client = new pg.Client({ connectionString: backend.pgUrl });
      await client.connect();
      try {
        await client.query('SELECT pg_advisory_lock(7216002)');
        const r = await (await fetch(`${replicas[1]!.url}/admin/gc`, { method: 'POST' })).json();
        assert.equal(r.skipped, true);
        await client.query('SELECT pg_advisory_unlock(7216002)');
        const again = await (await fetch(`${replicas[1]!.url}/admin/gc`, { method: 'POST' })).json();
        assert.equal(again.skipped, undefined);
      } finally {
        await client.end();
      }
    });

    test('GC while pushes go on: nothing referenced is lost, unreferenced blobs past the grace period go', async () => {
      const lb = `http://127.0.0.1:${nginx.plainPort}`;
      const orphans: Digest[] = [];
      for (let i = 0; i < 5; i++) orphans.push(await pushBlob(lb, 'gc/live', randomBytes(2000)));
      const deadline = Date.now() + 10_000;
      const pushed: { tag: string; digest: Digest }[] = [];
      const errors: string[] = [];
      const runs: { skipped?: boolean; deletedBlobs: Digest[] }[] = [];
      const pushers = Array.from({ length: 6 }, async (_, i) => {
        for (let n = 0; Date.now() < deadline; n++) {
          try {
            const tag = `w${i}-${n}`;
            pushed.push({ tag, digest: (await pushRandomImage(lb, 'gc/live', tag, [20_000, 500])).digest });
            // Retag half of them: the manifests they leave become unreferenced for GC's review.
            if (n % 2) await pushRandomImage(lb, 'gc/live', `scratch-${i}`, [700]);
          } catch (err) {
            errors.push((err as Error).message);
          }
        }
      });
      const collector = (async () => {
        for (let i = 0; Date.now() < deadline; i++) {
          const res = await fetch(`${replicas[i % 3]!.url}/admin/gc`, { method: 'POST' });
          runs.push(await res.json());
          await new Promise((r) => setTimeout(r, 300));
        }
      })();
      await Promise.all([...pushers, collector]);
      assert.deepEqual(errors, []);
      assert.ok(runs.filter((r) => !r.skipped).length > 3, `${runs.length} GC runs`);
      for (const p of pushed) assert.equal(await pullVerify(lb, 'gc/live', p.tag), p.digest);
      // Past the 4 s grace period, the orphans go and everything tagged stays.
      await new Promise((r) => setTimeout(r, 4500));
      const last = await (await fetch(`${replicas[0]!.url}/admin/gc`, { method: 'POST' })).json();
      const deleted = new Set([...runs.flatMap((r) => r.deletedBlobs ?? []), ...last.deletedBlobs]);
      for (const o of orphans) {
        assert.ok(deleted.has(o), `orphan ${o} collected`);
        assert.equal((await fetch(`${lb}/v2/gc/live/blobs/${o}`, { method: 'HEAD' })).status, 404);
      }
      for (const p of pushed) assert.equal(await pullVerify(lb, 'gc/live', p.tag), p.digest);
    });
  });
});
