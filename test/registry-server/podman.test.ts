/**
 * podman against the server: push, pull and list (search --list-tags, search) over plain HTTP,
 * over TLS with a self-signed CA trusted through --cert-dir, and through token auth after
 * `podman login`. podman keeps its own store and runroot in a temp dir (vfs driver); push and
 * pull run no container, so no runtime limits are involved. Skips when podman is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword } from '../../src/registry/server/auth/htpasswd.js';
import { hasCommand, startRegistry, tempDir, type TestRegistry } from './helpers.js';
import { exec, run, runSync, startTlsRegistry } from './proc.js';

const podmanOk = hasCommand('podman');
const work = tempDir('wharf-rs-podman-');
const base = ['--root', join(work, 'store'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs', '--runtime', 'runc'];
const env = { ...process.env, REGISTRY_AUTH_FILE: join(work, 'auth.json'), XDG_RUNTIME_DIR: join(work, 'xdg') };
const podman = (...args: string[]) => run('podman', [...base, ...args], env);
const podmanTry = (...args: string[]) => exec('podman', [...base, ...args], env);
const source = 'localhost/wharf-rs-podman:src';
let imageId = '';

before(() => {
  if (!podmanOk) return;
  mkdirSync(join(work, 'rootfs/bin'), { recursive: true });
  mkdirSync(join(work, 'xdg'), { recursive: true });
  writeFileSync(env.REGISTRY_AUTH_FILE, '{}');
  runSync('cp', ['/bin/busybox', join(work, 'rootfs/bin/busybox')]);
  runSync('tar', ['-C', join(work, 'rootfs'), '-cf', join(work, 'rootfs.tar'), '.']);
  imageId = runSync('podman', [...base, 'import', '-q', join(work, 'rootfs.tar'), source], env).trim().replace(/^sha256:/, '');
});

after(() => {
  if (podmanOk) runSync('podman', [...base, 'rmi', '-a', '-f'], env);
  rmSync(work, { recursive: true, force: true });
});

/** Tags through `podman search --list-tags` (podman 4 ignores --format there: parse its table). */
async function listTags(repo: string, flags: string[]): Promise<string[]> {
  const out = await podman('search', '--list-tags', ...flags, repo);
  const rows = out.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  assert.ok(rows.every((r) => r[0] === repo), out);
  return rows.map((r) => r[1]!).sort();
}

/** Push `source` as `ref`, drop it locally, pull it back; the image ID must survive. */
async function roundTrip(ref: string, flags: string[]): Promise<void> {
  await podman('push', ...flags, source, ref);
  await podmanTry('rmi', ref);
  const pulled = await podman('pull', '-q', ...flags, ref);
  assert.equal(pulled.trim().replace(/^sha256:/, ''), imageId);
  const listed = await podman('images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}');
  assert.ok(listed.split('\n').includes(`${ref} ${imageId.slice(0, 12)}`), listed);
  await podman('rmi', ref);
}

describe('podman', { skip: podmanOk ? false : 'podman is not installed (apt-get install podman)' }, () => {
  describe('plain HTTP', () => {
    let reg: TestRegistry;
    let host = '';
    before(async () => {
      reg = await startRegistry();
      host = `127.0.0.1:${reg.port}`;
    });
    after(() => reg.stop());

    test('push, pull, list tags and search', async () => {
      await roundTrip(`${host}/pod/busybox:v1`, ['--tls-verify=false']);
      await podman('push', '--tls-verify=false', source, `${host}/pod/busybox:v2`);
      assert.deepEqual(await listTags(`${host}/pod/busybox`, ['--tls-verify=false']), ['v1', 'v2']);
      const found = await podman('search', '--tls-verify=false', '--format', '{{.Name}}', `${host}/busybox`);
      assert.equal(found.trim(), `${host}/pod/busybox`);
    });

    test('a pull of a missing tag fails with the registry error', async () => {
      const r = await podmanTry('pull', '--tls-verify=false', `${host}/pod/busybox:nope`);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /manifest unknown/i);
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

    test('verifies through --cert-dir and refuses an unknown CA', async () => {
      await roundTrip(`${host}/tls/busybox:v1`, ['--cert-dir', certDir]);
      const r = await podmanTry('pull', `${host}/tls/busybox:v1`);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /x509|certificate/);
    });
  });

  describe('token auth', () => {
    let reg: TestRegistry;
    let host = '';
    before(async () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'htpasswd'), `dave:${hashPassword('pw0rd', 4)}\n`);
      reg = await startRegistry({ auth: { token: { htpasswd: join(dir, 'htpasswd') } } }, dir);
      host = `127.0.0.1:${reg.port}`;
    });
    after(() => reg.stop());

    test('login, push, pull and list; anonymous and wrong passwords are refused', async () => {
      const bad = await podmanTry('login', '--tls-verify=false', '-u', 'dave', '-p', 'nope', host);
      assert.notEqual(bad.status, 0);
      const anon = await podmanTry('push', '--tls-verify=false', source, `${host}/auth/busybox:v1`);
      assert.notEqual(anon.status, 0);
      assert.match(anon.stderr, /unauthorized|authentication required|denied/i);
      await podman('login', '--tls-verify=false', '-u', 'dave', '-p', 'pw0rd', host);
      await roundTrip(`${host}/auth/busybox:v1`, ['--tls-verify=false']);
      assert.deepEqual(await listTags(`${host}/auth/busybox`, ['--tls-verify=false']), ['v1']);
      await podman('logout', host);
    });
  });
});
