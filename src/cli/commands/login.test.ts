/** login / logout / search commands driven through commander against the fake registry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Command } from 'commander';
import { FakeRegistry } from '../../registry/client/testing/fake-registry.js';
import { registerLoginCommands, renderSearch, splitSearchTerm, type LoginIO } from './login.js';

function io(dir: string, stdinText = ''): LoginIO & { out: () => string; err: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  return {
    stdin: Readable.from([Buffer.from(stdinText)]),
    stdout: out,
    stderr: err,
    env: { ...process.env, DOCKER_CONFIG: dir },
    out: () => Buffer.concat(o).toString(),
    err: () => Buffer.concat(e).toString(),
  };
}

async function run(args: string[], ioo: LoginIO): Promise<void> {
  const program = new Command().exitOverride();
  registerLoginCommands(program, ioo);
  await program.parseAsync(args, { from: 'user' });
}

test('login verifies, stores Docker-format credentials; logout removes them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-login-'));
  const r = await FakeRegistry.start({ auth: { scheme: 'basic', username: 'alice', password: 'secret' } });
  const saved = process.env.DOCKER_CONFIG;
  process.env.DOCKER_CONFIG = dir;
  try {
    const bad = io(dir);
    await assert.rejects(run(['login', '-u', 'alice', '-p', 'wrong', r.host], bad),
      (e: Error) => e.message === `login attempt to http://${r.host}/v2/ failed with status: 401 Unauthorized`);
    assert.equal(bad.err(), 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    const good = io(dir, 'secret\n');
    await run(['login', '-u', 'alice', '--password-stdin', r.host], good);
    assert.equal(good.out(), 'Login Succeeded\n');
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.auths[r.host].auth, Buffer.from('alice:secret').toString('base64'));
    const out = io(dir);
    await run(['logout', r.host], out);
    assert.equal(out.out(), `Removing login credentials for ${r.host}\n`);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')).auths, {});
    await assert.rejects(run(['login', '--password-stdin', r.host], io(dir)), /Must provide --username with --password-stdin/);
    await assert.rejects(run(['login', r.host], io(dir)), /Cannot perform an interactive login from a non TTY device/);
  } finally {
    if (saved === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = saved;
    await r.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('search: HOST:PORT/term reaches that registry; filters, limit, table', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-search-'));
  const r = await FakeRegistry.start();
  r.searchResults = [
    { name: 'busybox', description: 'Busybox base image with a rather long description here', star_count: 3, is_official: true, is_automated: false },
    { name: 'busybox-extra', description: 'extra', star_count: 40, is_official: false, is_automated: true },
  ];
  try {
    const a = io(dir);
    await run(['search', `${r.host}/busy`], a);
    assert.equal(a.out(),
      'NAME            DESCRIPTION                                     STARS     OFFICIAL   AUTOMATED\n' +
      'busybox-extra   extra                                           40                   [OK]\n' +
      'busybox         Busybox base image with a rather long descri…   3         [OK]       \n');
    const b = io(dir);
    await run(['search', '--filter', 'is-official=true', '--format', '{{.Name}}: {{.StarCount}}', `${r.host}/busy`], b);
    assert.equal(b.out(), 'busybox: 3\n');
    assert.ok(r.requests.some((q) => q.url === '/v1/search?q=busy&n=25'));
    await assert.rejects(run(['search', '--limit', '101', `${r.host}/x`], io(dir)), /Limit 101 is outside the range of \[1, 100\]/);
    await assert.rejects(run(['search', '--filter', 'stars=x', `${r.host}/x`], io(dir)), /Invalid filter 'stars=x'/);
  } finally {
    await r.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('splitSearchTerm and --no-trunc', () => {
  assert.deepEqual(splitSearchTerm('localhost:5000/app'), { registry: 'localhost:5000', term: 'app' });
  assert.deepEqual(splitSearchTerm('user/app'), { registry: 'docker.io', term: 'user/app' });
  const long = 'x'.repeat(60);
  const row = { name: 'n', description: long, star_count: 0, is_official: false, is_automated: false };
  assert.ok(renderSearch([row], { noTrunc: true }).includes(long));
  assert.ok(renderSearch([row], {}).includes('x'.repeat(44) + '…'));
});
