/**
 * distribution's config.yml read into wharf's registry config: Debian's shipped file, every key
 * wharf reads, keys refused by name, bad values; and a server started from a YAML file sending
 * the configured headers, refusing DELETE unless storage.delete.enabled, with htpasswd's realm.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goDurationMs, parseDistributionConfig } from './distribution-config.js';
import { resolveConfig } from './config.js';
import { createRegistryServer } from './server.js';
import { hashPassword } from './auth/htpasswd.js';

const DEBIAN = `version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/docker-registry
  delete:
    enabled: true
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
auth:
  htpasswd:
    realm: basic-realm
    path: /etc/docker/registry
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
`;

test('storage.s3 keys go to the S3 storage as distribution names them', () => {
  assert.deepEqual(parseDistributionConfig('version: 0.1\nstorage:\n  s3: { regionendpoint: "http://127.0.0.1:7480", bucket: b, region: us-east-1, forcepathstyle: true }\n  redirect: { disable: true }\n', 'c.yml').storage, {
    s3: { regionendpoint: 'http://127.0.0.1:7480', bucket: 'b', region: 'us-east-1', forcepathstyle: true },
    redirect: { disable: true },
  });
});

test("Debian's shipped config.yml", () => {
  assert.deepEqual(parseDistributionConfig(DEBIAN, 'config.yml'), {
    root: '/var/lib/docker-registry',
    delete: true,
    addr: '0.0.0.0:5000',
    headers: { 'X-Content-Type-Options': 'nosniff' },
    auth: { htpasswd: { path: '/etc/docker/registry', realm: 'basic-realm' } },
  });
});

test('tls, notifications (durations, header lists, ignored actions, disabled endpoints), upload purging, access log, token auth', () => {
  const cfg = parseDistributionConfig(
    `version: "0.1"
log: { level: debug, accesslog: { disabled: true } }
storage:
  filesystem: { rootdirectory: /srv/reg }
  maintenance: { uploadpurging: { enabled: true, age: 168h, interval: 24h, dryrun: false } }
http:
  addr: 127.0.0.1:5001
  tls: { certificate: /c.pem, key: /k.pem }
notifications:
  endpoints:
    - name: hook
      url: http://127.0.0.1:9/events
      headers: { Authorization: [Bearer x], X-Two: [a, b] }
      timeout: 500ms
      threshold: 5
      backoff: 1s
      ignore: { actions: [pull] }
    - name: off
      url: http://127.0.0.1:9/off
      disabled: true
auth:
  token: { realm: "https://auth.example/token", service: reg, issuer: me, expiration: 900 }
`,
    'c.yml',
  );
  assert.deepEqual(cfg, {
    root: '/srv/reg',
    delete: false,
    gc: { uploadPurgeAge: 604800 },
    addr: '127.0.0.1:5001',
    tls: { cert: '/c.pem', key: '/k.pem' },
    log: { requests: false },
    auth: { token: { realm: 'https://auth.example/token', service: 'reg', issuer: 'me', expiration: 900 } },
    notifications: {
      endpoints: [{ name: 'hook', url: 'http://127.0.0.1:9/events', headers: { Authorization: 'Bearer x', 'X-Two': 'a, b' }, timeout: 500, backoff: 1000, retries: 5, ignoredActions: ['pull'] }],
    },
  });
});

test('refused: unknown or unsupported keys (by name), other versions, bad YAML, bad durations, half a TLS pair, two auth schemes', () => {
  const bad: [string, RegExp][] = [
    ['version: 0.1\nstorage:\n  azure: { accountname: a }\n  s3: { bucket: b, encrypt: true }\n', /unsupported keys: storage\.azure, storage\.s3\.encrypt$/],
    ['version: 0.1\nhttp:\n  tls: { certificate: a, key: b, clientcas: [c] }\nproxy: { remoteurl: x }\n', /unsupported keys: http\.tls\.clientcas, proxy$/],
    ['version: 0.1\nauth:\n  token: { realm: r, service: s, issuer: i, rootcertbundle: /b.pem }\n', /unsupported keys: auth\.token\.rootcertbundle$/],
    ['version: 0.1\nauth: { silly: { realm: x, service: y } }\n', /unsupported keys: auth\.silly$/],
    ['version: 0.1\nnotifications:\n  endpoints: [{ name: a, url: "http://x", queuepurge: 1 }]\n', /unsupported keys: notifications\.endpoints\[0\]\.queuepurge$/],
    ['version: 0.2\n', /unsupported version "0\.2"/],
    ['log: {}\n', /version is required/],
    ['version: 0.1\nhttp: [\n', /not valid YAML/],
    ['version: 0.1\nnotifications:\n  endpoints: [{ name: a, url: "http://x", timeout: soon }]\n', /timeout: invalid duration "soon"/],
    ['version: 0.1\nhttp: { tls: { certificate: a } }\n', /needs both certificate and key/],
    ['version: 0.1\nauth: { htpasswd: { path: p, realm: r }, token: { realm: r } }\n', /only one of htpasswd and token/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseDistributionConfig(text, 'c.yml'), re, text);
  assert.equal(goDurationMs('1m30s', 'k'), 90_000);
  assert.equal(goDurationMs(2_000_000, 'k'), 2);
});

test('serve --config config.yml: headers on every answer, DELETE refused unless enabled, the htpasswd realm', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-distcfg-'));
  try {
    writeFileSync(join(dir, 'htpasswd'), `alice:${hashPassword('pw')}\n`);
    const yml = join(dir, 'config.yml');
    writeFileSync(yml, DEBIAN.replace('/var/lib/docker-registry', join(dir, 'root')).replace('path: /etc/docker/registry', `path: ${join(dir, 'htpasswd')}`).replace('addr: :5000', 'addr: 127.0.0.1:0'));
    const config = resolveConfig({ config: yml, quiet: true });
    assert.equal(config.root, join(dir, 'root'));
    const reg = await createRegistryServer(config);
    try {
      const anon = await fetch(`${reg.url}/v2/`);
      assert.equal(anon.status, 401);
      assert.equal(anon.headers.get('www-authenticate'), 'Basic realm="basic-realm"');
      assert.equal(anon.headers.get('x-content-type-options'), 'nosniff');
      const auth = { Authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` };
      assert.equal((await fetch(`${reg.url}/v2/`, { headers: auth })).status, 200);
    } finally {
      await reg.close();
    }
    writeFileSync(yml, 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ' + join(dir, 'root2') + '\nhttp:\n  addr: 127.0.0.1:0\n');
    const noDelete = await createRegistryServer(resolveConfig({ config: yml, quiet: true }));
    try {
      const r = await fetch(`${noDelete.url}/v2/a/manifests/sha256:${'0'.repeat(64)}`, { method: 'DELETE' });
      assert.equal(r.status, 405);
      assert.equal(((await r.json()) as { errors: { code: string }[] }).errors[0]!.code, 'UNSUPPORTED');
    } finally {
      await noDelete.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
