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
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDockerd, type Dockerd } from '../helpers/dockerd.js';
import { hasCommand, startRegistry, tempDir, type TestRegistry } from './helpers.js';
import { exec, run, runSync } from './proc.js';

const ipv4 = (s: string) => s.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** True when `addr` falls in any address or route the host already has (default route aside). */
function addressInUse(addr: string): boolean {
  const a = ipv4(addr);
  const inside = (cidr: string) => {
    const [net, bits = '32'] = cidr.split('/');
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(ipv4(net!) / size) * size;
    return a >= start && a < start + size;
  };
  const addrs = JSON.parse(runSync('ip', ['-j', '-4', 'addr'])) as { addr_info: { local: string; prefixlen: number }[] }[];
  if (addrs.some((l) => l.addr_info.some((i) => inside(`${i.local}/${i.prefixlen}`)))) return true;
  const routes = JSON.parse(runSync('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst: string }[];
  return routes.some((r) => r.dst !== 'default' && /^\d/.test(r.dst) && inside(r.dst));
}

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create a veth pair';
  if (!hasCommand('ip') || !hasCommand('docker') || !hasCommand('openssl')) return 'needs ip, docker and openssl';
  return false;
}

describe('docker verifies TLS through certs.d', { skip: skipReason() }, () => {
  const work = tempDir('wharf-rs-certsd-');
  const link = `wrs${Math.random().toString(16).slice(2, 10)}`;
  const certsDir = join(work, 'certs.d');
  let linkMade = false;
  let ip = '';
  let host = '';
  let hostCerts = '';
  let reg: TestRegistry | undefined;
  let dockerd: Dockerd | string = 'not started';
  let env: NodeJS.ProcessEnv = {};
  const tag = Math.random().toString(36).slice(2, 8);

  before(async () => {
    for (let i = 0; i < 50 && !ip; i++) {
      const candidate = `10.251.${1 + Math.floor(Math.random() * 254)}.1`;
      if (!addressInUse(candidate)) ip = candidate;
    }
    if (!ip) throw new Error('no free 10.251.X.1/30 found');
    runSync('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`]);
    linkMade = true;
    runSync('ip', ['addr', 'add', `${ip}/30`, 'dev', link]);
    runSync('ip', ['link', 'set', link, 'up']);
    runSync('ip', ['link', 'set', `${link}p`, 'up']);

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
    if (linkMade) spawnSync('ip', ['link', 'del', link]);
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
