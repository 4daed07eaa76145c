/**
 * Real clients against the server: docker (the running dockerd), skopeo and curl, over plain
 * HTTP, TLS with a self-signed CA, basic auth and token auth. Each test skips with a reason when
 * its peer is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../src/registry/server/auth/htpasswd.js';
import { hasCommand, startRegistry, tempDir, type TestRegistry } from './helpers.js';
import { exec, run, runSync, startTlsRegistry } from './proc.js';

const DOCKER_HOST = process.env.WHARF_TEST_DOCKER_HOST ?? 'unix:///tmp/d/docker.sock';
const dockerEnv = (configDir: string) => ({ ...process.env, DOCKER_HOST, DOCKER_CONFIG: configDir });
const dockerOk = hasCommand('docker') && spawnSync('docker', ['version'], { env: { ...process.env, DOCKER_HOST } }).status === 0;
const skopeoOk = hasCommand('skopeo');
const work = tempDir('wharf-rs-clients-');
const suffix = Math.random().toString(36).slice(2, 8);
let image = '';
let archive = '';

before(() => {
  // A one-layer busybox image, made locally (nothing comes from the internet).
  mkdirSync(join(work, 'rootfs/bin'), { recursive: true });
  runSync('cp', ['/bin/busybox', join(work, 'rootfs/bin/busybox')]);
  runSync('tar', ['-C', join(work, 'rootfs'), '-cf', join(work, 'rootfs.tar'), '.']);
  if (dockerOk) {
    image = `wharf-rs-test:${suffix}`;
    runSync('docker', ['import', join(work, 'rootfs.tar'), image], dockerEnv(work));
    archive = join(work, 'image.tar');
    runSync('docker', ['save', '-o', archive, image], dockerEnv(work));
  }
});

after(() => {
  if (dockerOk && image) spawnSync('docker', ['rmi', '-f', image], { env: dockerEnv(work) });
  rmSync(work, { recursive: true, force: true });
});

/** docker push then pull back through `host`, removing the local tags after. */
async function dockerRoundTrip(host: string, repo: string, env: NodeJS.ProcessEnv): Promise<void> {
  const ref = `${host}/${repo}:${suffix}`;
  await run('docker', ['tag', image, ref], env);
  try {
    const pushed = await run('docker', ['push', ref], env);
    assert.match(pushed, /digest: sha256:[0-9a-f]{64}/);
    await run('docker', ['rmi', ref], env);
    const pulled = await run('docker', ['pull', ref], env);
    assert.match(pulled, /Downloaded newer image|Image is up to date/);
  } finally {
    await exec('docker', ['rmi', '-f', ref], env);
  }
}

describe('plain HTTP', () => {
  let reg: TestRegistry;
  let host = '';
  before(async () => {
    reg = await startRegistry();
    host = `127.0.0.1:${reg.port}`;
  });
  after(() => reg.stop());

  test('docker push and pull', async (t) => {
    if (!dockerOk) return t.skip('no dockerd at ' + DOCKER_HOST);
    await dockerRoundTrip(host, 'dock/busybox', dockerEnv(work));
  });

  test('curl sees the catalog and tags as the seeds check them', async (t) => {
    if (!dockerOk) return t.skip('needs the docker push above');
    const catalog = JSON.parse(await run('curl', ['-sf', `http://${host}/v2/_catalog`]));
    assert.ok(catalog.repositories.includes('dock/busybox'));
    const tags = JSON.parse(await run('curl', ['-sf', `http://${host}/v2/dock/busybox/tags/list`]));
    assert.deepEqual(tags.tags, [suffix]);
  });

  test('skopeo copy docker-archive -> registry -> dir, digests preserved', async (t) => {
    if (!skopeoOk || !archive) return t.skip('needs skopeo and a docker-saved archive');
    await run('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${host}/sko/bb:v1`]);
    const out = join(work, 'skopeo-dir');
    await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${host}/sko/bb:v1`, `dir:${out}`]);
    const inspect = JSON.parse(await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/sko/bb:v1`]));
    assert.equal(inspect.Layers.length, 1);
    await run('skopeo', ['copy', '--dest-tls-verify=false', `dir:${out}`, `docker://${host}/sko/again:v2`]);
    const tags = JSON.parse(await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${host}/sko/again`]));
    assert.deepEqual(tags.Tags, ['v2']);
  });

  test('docker search finds repositories by name and description', async (t) => {
    if (!dockerOk) return t.skip('no dockerd');
    const meta = await fetch(`${reg.url}/admin/meta/dock/busybox`, { method: 'PUT', body: JSON.stringify({ description: 'small shell toolbox', stars: 7, official: true }) });
    assert.equal(meta.status, 200);
    const out = await run('docker', ['search', `${host}/toolbox`], dockerEnv(work));
    assert.match(out, /dock\/busybox\s+small shell toolbox\s+7\s+\[OK\]/);
  });
});

describe('TLS with a self-signed CA', () => {
  let reg: TestRegistry;
  let host = '';
  let certDir = '';
  before(async () => {
    ({ reg, host, certDir } = await startTlsRegistry());
  });
  after(() => reg.stop());

  test('skopeo verifies the certificate through --dest-cert-dir and refuses without it', async (t) => {
    if (!skopeoOk || !archive) return t.skip('needs skopeo and an archive');
    await run('skopeo', ['copy', '--dest-cert-dir', certDir, `docker-archive:${archive}`, `docker://${host}/tls/bb:v1`]);
    const inspect = JSON.parse(await run('skopeo', ['inspect', '--cert-dir', certDir, `docker://${host}/tls/bb:v1`]));
    assert.equal(inspect.Name, `${host}/tls/bb`);
    const unverified = await exec('skopeo', ['inspect', `docker://${host}/tls/bb:v1`]);
    assert.notEqual(unverified.status, 0);
    assert.match(unverified.stderr, /certificate|x509/);
  });

  test('curl with the CA reads the catalog over https', async () => {
    const catalog = await run('curl', ['-sf', '--cacert', join(certDir, 'ca.crt'), `https://${host}/v2/_catalog`]);
    assert.ok(JSON.parse(catalog).repositories);
  });

  test('docker push and pull over TLS', async (t) => {
    if (!dockerOk) return t.skip('no dockerd');
    await dockerRoundTrip(host, 'tls/docker', dockerEnv(work));
  });
});

for (const mode of ['basic', 'token'] as const) {
  describe(`${mode} auth with real clients`, () => {
    let reg: TestRegistry;
    let host = '';
    const configDir = join(work, `docker-config-${mode}`);
    before(async () => {
      const dir = tempDir();
      const users = join(dir, 'htpasswd');
      writeFileSync(users, `carol:${hashPassword('s3cret', 4)}\n`);
      reg = await startRegistry({ auth: mode === 'basic' ? { htpasswd: { path: users } } : { token: { htpasswd: users } } }, dir);
      host = `127.0.0.1:${reg.port}`;
      mkdirSync(configDir, { recursive: true });
    });
    after(() => reg.stop());

    test('docker login, push and pull; a bad password fails', async (t) => {
      if (!dockerOk) return t.skip('no dockerd');
      const env = dockerEnv(configDir);
      const bad = await exec('docker', ['login', '-u', 'carol', '--password-stdin', host], env, 'wrong');
      assert.notEqual(bad.status, 0);
      await run('docker', ['login', '-u', 'carol', '--password-stdin', host], env, 's3cret');
      await dockerRoundTrip(host, `${mode}/busybox`, env);
      await run('docker', ['logout', host], env);
    });

    test('skopeo with --dest-creds; without credentials it is refused', async (t) => {
      if (!skopeoOk || !archive) return t.skip('needs skopeo and an archive');
      await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', 'carol:s3cret', `docker-archive:${archive}`, `docker://${host}/${mode}/sko:v1`]);
      const ok = JSON.parse(await run('skopeo', ['inspect', '--tls-verify=false', '--creds', 'carol:s3cret', `docker://${host}/${mode}/sko:v1`]));
      assert.equal(ok.Layers.length, 1);
      const anon = await exec('skopeo', ['inspect', '--tls-verify=false', '--no-creds', `docker://${host}/${mode}/sko:v1`]);
      assert.notEqual(anon.status, 0);
      assert.match(anon.stderr, /unauthorized|authentication required|denied/i);
    });
  });
}
