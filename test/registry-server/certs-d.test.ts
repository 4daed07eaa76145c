/**
 * docker verifying the registry's certificate through certs.d. Docker treats every 127.0.0.0/8
 * registry as insecure, so this test makes its own address: a veth pair with an unused
 * 10.251.X.1/30 (checked against every address and route first, removed after), serves the
 * registry there with a self-signed certificate for that IP, and runs a private dockerd whose
 * /etc/docker/certs.d is a temp dir (test/helpers/dockerd.ts, own mount namespace). It proves
 * the CA in certs.d/HOST:PORT/ca.crt is what makes push and pull work: without it docker fails
 * with its x509 error, with it the round trip succeeds, and removing it breaks pulls again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDockerd, type Dockerd } from '../helpers/dockerd.js';
import { createVeth, type Veth } from '../helpers/veth.js';
import { hasCommand, startRegistry, tempDir, type TestRegistry } from './helpers.js';
import { exec, run, runSync } from './proc.js';

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create a veth pair';
  if (!hasCommand('ip') || !hasCommand('docker') || !hasCommand('openssl')) return 'needs ip, docker and openssl';
  return false;
}

describe('docker verifies TLS through certs.d', { skip: skipReason() }, () => {
  const work = tempDir('wharf-rs-certsd-');
  const certsDir = join(work, 'certs.d');
  let veth: Veth | undefined;
  let ip = '';
  let host = '';
  let hostCerts = '';
  let reg: TestRegistry | undefined;
  let dockerd: Dockerd | string = 'not started';
  let env: NodeJS.ProcessEnv = {};
  const tag = Math.random().toString(36).slice(2, 8);

  before(async () => {
    veth = createVeth('wrs');
    ip = veth.ip;

    runSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', `/CN=${ip}`,
      '-addext', `subjectAltName=IP:${ip}`, '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem')]);
    reg = await startRegistry({ addr: `${ip}:0`, tls: { cert: join(work, 'cert.pem'), key: join(work, 'key.pem') } }, join(work, 'registry'));
    host = `${ip}:${reg.port}`;
    hostCerts = join(certsDir, host);
    mkdirSync(hostCerts, { recursive: true });

    dockerd = await startDockerd({ certsDir });
    if (typeof dockerd === 'string') return;
    env = { ...process.env, DOCKER_HOST: dockerd.host, DOCKER_CONFIG: join(work, 'docker-config') };
    mkdirSync(join(work, 'rootfs/bin'), { recursive: true });
    runSync('cp', ['/bin/busybox', join(work, 'rootfs/bin/busybox')]);
    runSync('tar', ['-C', join(work, 'rootfs'), '-cf', join(work, 'rootfs.tar'), '.']);
    await run('docker', ['import', join(work, 'rootfs.tar'), `${host}/secure/busybox:${tag}`], env);
  });

  after(async () => {
    if (typeof dockerd !== 'string') await dockerd.stop();
    if (reg) await reg.close();
    veth?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  const x509 = /x509: certificate signed by unknown authority/;

  test('without ca.crt docker refuses the self-signed certificate', async (t) => {
    if (typeof dockerd === 'string') return t.skip(dockerd);
    const r = await exec('docker', ['push', `${host}/secure/busybox:${tag}`], env);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr + r.stdout, x509);
    const tags = await reg!.registry.store.listTags('secure/busybox');
    assert.deepEqual(tags, []);
  });

  test('with certs.d/HOST:PORT/ca.crt docker pushes and pulls over verified TLS', async (t) => {
    if (typeof dockerd === 'string') return t.skip(dockerd);
    copyFileSync(join(work, 'cert.pem'), join(hostCerts, 'ca.crt'));
    const ref = `${host}/secure/busybox:${tag}`;
    assert.match(await run('docker', ['push', ref], env), /digest: sha256:[0-9a-f]{64}/);
    await run('docker', ['rmi', ref], env);
    assert.match(await run('docker', ['pull', ref], env), /Downloaded newer image/);
    assert.ok(reg!.logs.some((l) => l.includes('"method":"PUT"') && l.includes('/v2/secure/busybox/manifests/')));
  });

  test('removing ca.crt makes the next pull fail with the x509 error', async (t) => {
    if (typeof dockerd === 'string') return t.skip(dockerd);
    rmSync(join(hostCerts, 'ca.crt'));
    await exec('docker', ['rmi', `${host}/secure/busybox:${tag}`], env);
    const r = await exec('docker', ['pull', `${host}/secure/busybox:${tag}`], env);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, x509);
  });
});
