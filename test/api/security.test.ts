/**
 * What `wharf serve` refuses: the socket's mode and group, plain TCP on a non-loopback
 * address, clients without a certificate under --tlsverify, malformed and oversized
 * bodies, archive paths that climb out of the container's root (canaries checked before
 * and after), and a hijacked stream dropped halfway (the server and container carry on).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'node:https';
import { call } from './reference.js';
import { docker, DOCKER_CLI, serve, type Served } from './helpers.js';
import { freePort } from '../registry/support.js';
import { WHARF_BIN } from '../helpers/wharf.js';

const skip = process.getuid?.() !== 0 ? 'wharf serve runs containers as root' : false;
let s: Served;

/** A tar with one entry named `name` (ustar header, no checksum tricks). */
function tarWith(name: string, body: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\x0000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const data = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  data.write(body);
  return Buffer.concat([h, data, Buffer.alloc(1024)]);
}

describe('wharf serve refuses what it must', { skip }, () => {
  before(async () => (s = await serve()));
  after(async () => s?.stop());

  test('the unix socket is 0660, group docker (or wharf) when that group exists', () => {
    const st = statSync(s.sock);
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.uid, 0);
    const groups = readFileSync('/etc/group', 'utf8').split('\n').map((l) => l.split(':'));
    const g = groups.find((f) => f[0] === 'docker') ?? groups.find((f) => f[0] === 'wharf');
    if (g) assert.equal(st.gid, Number(g[2]));
  });

  test('plain TCP on a non-loopback address is refused unless --tls=false says so', async () => {
    const port = await freePort();
    const r = spawnSync(WHARF_BIN, ['--root', s.root, 'serve', '-H', `tcp://0.0.0.0:${port}`], { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /DON'T BIND ON ANY IP ADDRESS WITHOUT setting --tlsverify/);
    assert.match(r.stderr, /refusing to listen on tcp:\/\/0\.0\.0\.0:\d+ without TLS/);
  });

  test('--tlsverify: a client without a certificate signed by the CA is refused', async () => {
    const d = s.dir;
    const ossl = (...a: string[]) => execFileSync('openssl', a, { cwd: d, stdio: 'ignore' });
    ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=wharf-test-ca');
    for (const who of ['server', 'client', 'rogue']) {
      ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? '127.0.0.1' : who}`);
      writeFileSync(join(d, `${who}.ext`), who === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
      if (who === 'rogue') ossl('req', '-x509', '-key', 'rogue.key', '-in', 'rogue.csr', '-out', 'rogue.pem', '-days', '1');
      else ossl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '1', '-extfile', `${who}.ext`);
    }
    const port = await freePort();
    const child = spawn(WHARF_BIN, ['--root', s.root, 'serve', '-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', join(d, 'ca.pem'), '--tlscert', join(d, 'server.pem'), '--tlskey', join(d, 'server.key')], { stdio: 'ignore' });
    try {
      const ping = (who?: string) => new Promise<string>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/_ping', ca: readFileSync(join(d, 'ca.pem')), ...(who ? { cert: readFileSync(join(d, `${who}.pem`)), key: readFileSync(join(d, `${who}.key`)) } : {}) }, (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve(`${res.statusCode} ${body}`));
        });
        req.on('error', (e) => resolve(`refused: ${e.message}`));
        req.end();
      });
      let answer = '';
      for (let i = 0; i < 100 && !answer.startsWith('200'); i++) {
        answer = await ping('client');
        if (!answer.startsWith('200')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(answer, '200 OK');
      assert.match(await ping(), /^refused/);
      assert.match(await ping('rogue'), /^refused/);
      if (DOCKER_CLI) {
        const env = { ...process.env, DOCKER_HOST: `tcp://127.0.0.1:${port}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: d };
        execFileSync('cp', [join(d, 'client.pem'), join(d, 'cert.pem')]);
        execFileSync('cp', [join(d, 'client.key'), join(d, 'key.pem')]);
        const v = spawnSync(DOCKER_CLI, ['version', '--format', '{{.Server.APIVersion}}'], { env, encoding: 'utf8' });
        assert.equal(v.stdout.trim(), '1.41', v.stderr);
      }
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('malformed requests get a 4xx with a message', async () => {
    const bad = await call(s.sock, 'POST', '/v1.41/containers/create', '{"Image": ');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body.toString()).message, /JSON|Unexpected/i);
    assert.equal((await call(s.sock, 'POST', '/v1.41/containers/create', { Image: s.image, Cmd: 'not-a-list-but-docker-takes-a-string' })).status, 201);
    assert.equal((await call(s.sock, 'POST', '/v1.41/containers/create', { Image: s.image, HostConfig: 'nope' })).status, 400);
    assert.equal((await call(s.sock, 'POST', '/v1.41/containers/create', { Image: s.image, HostConfig: { PortBindings: { 'eighty/tcp': [] } } })).status, 400);
    assert.equal((await call(s.sock, 'GET', '/v1.41/containers/json?filters=%7Bbad')).status, 400);
    assert.equal((await call(s.sock, 'GET', '/v1.41/containers/json?limit=abc')).status, 400);
    const huge = await call(s.sock, 'POST', '/v1.41/containers/create', { Image: s.image, Labels: { big: 'x'.repeat(5 * 1024 * 1024) } }).catch((e: Error) => ({ status: 413, body: Buffer.from(e.message) }));
    assert.equal(huge.status, 413);
    // Nothing half-made: only the one good create above is listed.
    const all = JSON.parse((await call(s.sock, 'GET', '/v1.41/containers/json?all=1')).body.toString()) as unknown[];
    assert.equal(all.length, 1);
  });

  test('archive paths stay inside the container root; canaries outside are untouched', async () => {
    const canary = join(s.dir, 'canary');
    writeFileSync(canary, 'host secret\n');
    assert.equal(docker(s.host, ['run', '-d', '--name', 'api-sec', s.image, 'sleep', '60']).code, 0);
    const climb = `/../../../../../../../../..${canary}`;
    const got = await call(s.sock, 'GET', `/v1.41/containers/api-sec/archive?path=${encodeURIComponent(climb)}`);
    assert.equal(got.status, 404);
    assert.doesNotMatch(got.body.toString(), /host secret/);
    const escape = tarWith('../../../../../../../..' + join(s.dir, 'planted'), 'planted\n');
    const put = await call(s.sock, 'PUT', '/v1.41/containers/api-sec/archive?path=/tmp', escape);
    assert.ok(put.status === 200 || put.status >= 400, `PUT answered ${put.status}`);
    assert.equal(existsSync(join(s.dir, 'planted')), false, 'a tar entry climbed out of the container');
    assert.equal(readFileSync(canary, 'utf8'), 'host secret\n');
  });

  test('an attach dropped halfway leaves the server and the container running', async () => {
    const half = connect(s.sock);
    await new Promise((r) => half.once('connect', r));
    half.write('POST /v1.41/containers/api-sec/attach?stream=1&stdout=1&stdin=1 HTTP/1.1\r\nHost: x\r\nUpgrade: tcp\r\nConnection: Upgrade\r\n\r\n');
    await new Promise((r) => half.once('data', r));
    half.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await call(s.sock, 'GET', '/_ping')).status, 200);
    assert.equal(docker(s.host, ['inspect', '-f', '{{.State.Running}}', 'api-sec']).stdout, 'true\n');
  });
});
