/** daemon.json registry settings: insecure hosts and CIDRs, mirrors, certs.d TLS material. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryConfig, inCidr } from './config.js';

test('HTTPS by default; HTTP for insecure names, CIDRs, localhost and loopback', () => {
  const c = new RegistryConfig({ insecureRegistries: ['myreg:5000', '10.1.0.0/16', 'http://plain.example'], certsDirs: [] });
  assert.equal(c.isInsecure('registry.example.com'), false);
  assert.equal(c.isInsecure('myreg:5000'), true);
  assert.equal(c.isInsecure('myreg:5001'), false);
  assert.equal(c.isInsecure('10.1.2.3:5000'), true);
  assert.equal(c.isInsecure('10.2.0.1'), false);
  assert.equal(c.isInsecure('plain.example'), true);
  assert.equal(c.isInsecure('localhost:5000'), true);
  assert.equal(c.isInsecure('127.9.9.9:80'), true);
  assert.equal(c.isInsecure('[::1]:5000'), true);
  assert.equal(c.endpoints('registry.example.com')[0]!.baseUrl, 'https://registry.example.com');
  assert.ok(inCidr('192.168.1.7', '192.168.0.0/16'));
  assert.ok(!inCidr('192.169.1.7', '192.168.0.0/16'));
});

test('docker.io: mirrors first for pulls, registry-1.docker.io always, no mirrors for push', () => {
  const c = new RegistryConfig({ registryMirrors: ['https://mirror.example', 'http://127.0.0.1:5000/'], certsDirs: [] });
  assert.deepEqual(c.endpoints('docker.io').map((e) => [e.baseUrl, e.mirror]), [
    ['https://mirror.example', true],
    ['http://127.0.0.1:5000', true],
    ['https://registry-1.docker.io', false],
  ]);
  assert.deepEqual(c.endpoints('docker.io', { push: true }).map((e) => e.baseUrl), ['https://registry-1.docker.io']);
});

test('load() reads daemon.json; certs.d gives CA and client pair', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-cfg-'));
  try {
    await writeFile(join(dir, 'daemon.json'), JSON.stringify({ 'insecure-registries': ['a.example:1'], 'registry-mirrors': ['https://m.example'] }));
    const certs = join(dir, 'certs.d');
    await mkdir(join(certs, 'reg.example:5000'), { recursive: true });
    await writeFile(join(certs, 'reg.example:5000', 'ca.crt'), 'CA');
    await writeFile(join(certs, 'reg.example:5000', 'client.cert'), 'CERT');
    await writeFile(join(certs, 'reg.example:5000', 'client.key'), 'KEY');
    const c = RegistryConfig.load({ WHARF_CONFIG: join(dir, 'daemon.json'), WHARF_CERTS_D: certs });
    assert.equal(c.isInsecure('a.example:1'), true);
    assert.deepEqual(c.registryMirrors, ['https://m.example']);
    const tls = c.tlsFor('reg.example:5000');
    assert.deepEqual(tls.ca?.map(String), ['CA']);
    assert.equal(String(tls.cert), 'CERT');
    assert.equal(String(tls.key), 'KEY');
    assert.deepEqual(c.tlsFor('other:1'), {});
    assert.deepEqual(RegistryConfig.load({ WHARF_CONFIG: join(dir, 'missing.json') }).insecureRegistries, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
