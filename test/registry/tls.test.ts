/**
 * TLS through `bin/wharf`, end to end, against registries on a non-loopback veth address
 * (test/helpers/veth.ts; loopback registries count as insecure, so they prove nothing here):
 * - with the test CA's ca.crt in WHARF_CERTS_D/IP:PORT/, push and pull over verified HTTPS keep
 *   the image ID in a fresh root; without it push fails with docker's one-line x509 error;
 * - with IP:PORT in `insecure-registries` (WHARF_CONFIG), wharf accepts the unverified certificate
 *   as dockerd does (HTTPS first, verification off), and falls back to plain HTTP for a plain
 *   registry, which without the listing fails with Go's "HTTP response to HTTPS client";
 * - a node https fixture requiring a client certificate signed by the test CA accepts
 *   `wharf login` only when certs.d/IP:PORT/ holds client.cert + client.key.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createVeth, type Veth } from '../helpers/veth.js';
import { WHARF_BIN, removeDir, tempDir } from '../helpers/wharf.js';
import { startRegistry, type TestRegistry } from '../registry-server/helpers.js';
import { exec } from '../registry-server/proc.js';
import { wharfRun } from './support.js';

const hasCommand = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function skipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root to create a veth pair';
  if (!hasCommand('ip') || !hasCommand('openssl')) return 'needs ip and openssl';
  return false;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A certificate for `cn` signed by the CA in `dir`, with the given v3 extension line. */
function signed(dir: string, name: string, cn: string, ext: string): void {
  openssl(['req', ...ec, '-subj', `/CN=${cn}`, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.csr`)]);
  writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
  openssl(['x509', '-req', '-in', join(dir, `${name}.csr`), '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'), '-CAcreateserial',
    '-days', '1', '-extfile', join(dir, `${name}.ext`), '-out', join(dir, `${name}.crt`)]);
}

describe('wharf verifies registry TLS through certs.d and insecure-registries', { skip: skipReason() }, () => {
  let dir = '';
  let veth: Veth | undefined;
  let tlsReg: TestRegistry | undefined;
  let plainReg: TestRegistry | undefined;
  let mtls: https.Server | undefined;
  let tlsHost = '';
  let plainHost = '';
  let mtlsHost = '';
  let pki = '';
  const tag = Math.random().toString(36).slice(2, 8);

  /** Run bin/wharf with its own certs.d bases, daemon.json and docker config. */
  function wharf(root: string, args: string[], opts: { certs?: string; daemon?: object } = {}) {
    const config = join(dir, `daemon-${Math.random().toString(36).slice(2)}.json`);
    if (opts.daemon) writeFileSync(config, JSON.stringify(opts.daemon));
    const env = { WHARF_CERTS_D: opts.certs ?? join(dir, 'certs-empty'), WHARF_CONFIG: config, DOCKER_CONFIG: join(dir, 'docker-config') };
    return wharfRun(join(dir, root), args, env);
  }

  /** A certs.d base holding `HOST/` with the named files copied from the PKI dir. */
  function certsD(name: string, host: string, files: Record<string, string>): string {
    const base = join(dir, name);
    mkdirSync(join(base, host), { recursive: true });
    for (const [to, from] of Object.entries(files)) copyFileSync(join(pki, from), join(base, host, to));
    return base;
  }

  const idOf = async (root: string, ref: string) => {
    const r = await wharf(root, ['image', 'inspect', '--format', '{{.Id}}', ref]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  async function importImage(root: string, ref: string): Promise<string> {
    const r = await wharf(root, ['import', join(dir, 'small.tar'), ref]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  }

  before(async () => {
    dir = tempDir('wharf-tls-');
    pki = join(dir, 'pki');
    mkdirSync(join(dir, 'certs-empty'), { recursive: true });
    mkdirSync(join(dir, 'small/etc'), { recursive: true });
    writeFileSync(join(dir, 'small/etc/hello'), `tls ${tag}\n`);
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', join(dir, 'small'), '-cf', join(dir, 'small.tar'), '.']);

    veth = createVeth('wtls');
    const ip = veth.ip;
    mkdirSync(pki);
    openssl(['req', '-x509', ...ec, '-days', '1', '-subj', '/CN=wharf test CA', '-keyout', join(pki, 'ca.key'), '-out', join(pki, 'ca.crt')]);
    signed(pki, 'server', ip, `subjectAltName=IP:${ip}`);
    signed(pki, 'client', 'wharf test client', 'extendedKeyUsage=clientAuth');

    const tls = { cert: join(pki, 'server.crt'), key: join(pki, 'server.key') };
    tlsReg = await startRegistry({ addr: `${ip}:0`, tls }, join(dir, 'reg-tls'));
    tlsHost = `${ip}:${tlsReg.port}`;
    plainReg = await startRegistry({ addr: `${ip}:0` }, join(dir, 'reg-plain'));
    plainHost = `${ip}:${plainReg.port}`;

    const server = https.createServer({
      cert: readFileSync(tls.cert), key: readFileSync(tls.key), ca: readFileSync(join(pki, 'ca.crt')),
      requestCert: true, rejectUnauthorized: true,
    }, (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
      if (req.method === 'GET' && req.url === '/v2/') return void res.end('{}');
      res.statusCode = 404;
      res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    });
    mtls = server;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, ip, resolve));
    mtlsHost = `${ip}:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    if (mtls) {
      mtls.closeAllConnections();
      await new Promise((resolve) => mtls!.close(resolve));
    }
    if (tlsReg) await tlsReg.close();
    if (plainReg) await plainReg.close();
    veth?.remove();
    if (dir) removeDir(dir);
  });

  const x509 = /x509: certificate signed by unknown authority/;
  const oneLine = (s: string) => s.trim().split('\n').filter(Boolean);

  test('without ca.crt push fails with the x509 error on one line and nothing is stored', async () => {
    const ref = `${tlsHost}/tls/small:${tag}`;
    await importImage('a0', ref);
    const r = await wharf('a0', ['push', ref]);
    assert.notEqual(r.code, 0);
    const lines = oneLine(r.stderr).filter((l) => x509.test(l));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, new RegExp(`https://${tlsHost}/v2/`));
    assert.deepEqual(await tlsReg!.registry.store.listTags('tls/small'), []);
  });

  test('with certs.d/IP:PORT/ca.crt push and pull work over verified HTTPS', async () => {
    const certs = certsD('certs-ca', tlsHost, { 'ca.crt': 'ca.crt' });
    const ref = `${tlsHost}/tls/small:${tag}`;
    const id = await importImage('a1', ref);
    const push = await wharf('a1', ['push', ref], { certs });
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /digest: sha256:[0-9a-f]{64} size: \d+/);
    const pull = await wharf('b1', ['pull', ref], { certs });
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(await idOf('b1', ref), id);
    assert.ok(tlsReg!.logs.some((l) => l.includes('"method":"PUT"') && l.includes('/v2/tls/small/manifests/')));
  });

  test('insecure-registries accepts the unverified certificate, as dockerd does', async () => {
    const ref = `${tlsHost}/tls/insecure:${tag}`;
    const id = await importImage('a2', ref);
    const push = await wharf('a2', ['push', ref], { daemon: { 'insecure-registries': [tlsHost] } });
    assert.equal(push.code, 0, push.stderr);
    const pull = await wharf('b2', ['pull', ref], { daemon: { 'insecure-registries': [`${tlsHost.split(':')[0]}/30`] } });
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(await idOf('b2', ref), id);
  });

  test('insecure-registries falls back to plain HTTP; without it HTTPS is required', async () => {
    const ref = `${plainHost}/plain/small:${tag}`;
    const id = await importImage('a3', ref);
    const refused = await wharf('a3', ['push', ref]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /http: server gave HTTP response to HTTPS client/);
    const daemon = { 'insecure-registries': [plainHost] };
    const push = await wharf('a3', ['push', ref], { daemon });
    assert.equal(push.code, 0, push.stderr);
    const pull = await wharf('b3', ['pull', ref], { daemon });
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(await idOf('b3', ref), id);
  });

  test('a registry requiring a client certificate accepts login only with client.cert/client.key', async () => {
    const login = (certs: string) => {
      const env = { ...process.env, WHARF_CERTS_D: certs, WHARF_CONFIG: join(dir, 'none.json'), DOCKER_CONFIG: join(dir, 'docker-config-mtls') };
      return exec(WHARF_BIN, ['--root', join(dir, 'l'), 'login', '-u', 'x', '--password-stdin', mtlsHost], env, 'secret\n');
    };
    const caOnly = certsD('certs-mtls-ca', mtlsHost, { 'ca.crt': 'ca.crt' });
    const without = await login(caOnly);
    assert.notEqual(without.status, 0, without.stdout);
    assert.equal(oneLine(without.stderr).length, 1, without.stderr);
    assert.match(without.stderr, /tls: certificate required|tls: bad certificate/);

    const withPair = certsD('certs-mtls', mtlsHost, { 'ca.crt': 'ca.crt', 'client.cert': 'client.crt', 'client.key': 'client.key' });
    const ok = await login(withPair);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /Login Succeeded/);
    const pull = await wharf('m', ['pull', `${mtlsHost}/none/here:latest`], { certs: withPair });
    assert.notEqual(pull.code, 0);
    assert.match(pull.stderr, /manifest unknown/);
  });
});
