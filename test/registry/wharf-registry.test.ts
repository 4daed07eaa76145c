/**
 * The wharf registry (`bin/wharf registry serve` on 127.0.0.1) as a peer of the client:
 * wharf push then pull into a fresh root keeps the ID; docker pushes and wharf pulls the same
 * ID; wharf pushes and docker pulls and runs it; skopeo copies a wharf-pushed image to another
 * repository and wharf pulls that back unchanged; `login` against htpasswd (basic) and token
 * auth; `search HOST:PORT/term` reads its /v1/search after `wharf registry set-meta`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dockerd } from '../helpers/dockerd.js';
import { WHARF_BIN } from '../helpers/wharf.js';
import { interopSuite, startWharfRegistry, wharfRun, type WharfRegistry } from './support.js';

const skip = existsSync('/bin/busybox') ? undefined : 'busybox-static is not installed';
const suite = interopSuite<WharfRegistry>('wharf-wreg-', skip, (d) => startWharfRegistry(join(d, 'registry')));
const env = suite.env;

async function run(root: string, args: string[], input?: string) {
  if (input === undefined) return wharfRun(join(suite.dir, root), args, env());
  const r = spawnSync(WHARF_BIN, ['--root', join(suite.dir, root), ...args], { input, env: { ...process.env, ...env() } });
  return { code: r.status ?? -1, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

async function ok(root: string, args: string[], input?: string): Promise<string> {
  const r = await run(root, args, input);
  assert.equal(r.code, 0, `wharf ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const idOf = async (root: string, ref: string) => (await ok(root, ['image', 'inspect', '--format', '{{.Id}}', ref])).trim();
const pushedDigest = (out: string) => /: digest: (sha256:[a-f0-9]{64}) size: \d+$/m.exec(out)?.[1];

function dockerOk(d: Dockerd, args: string[]): string {
  const r = d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('wharf pushes to the wharf registry and pulls into a fresh root: same ID, same digest', { skip }, async () => {
  const ref = `${suite.reg!.host}/own/bb:v1`;
  const id = (await ok('p1', ['import', suite.tar, ref])).trim();
  const digest = pushedDigest(await ok('p1', ['push', ref]));
  assert.ok(digest);
  const out = await ok('p2', ['pull', ref]);
  assert.ok(out.includes(`Digest: ${digest}\nStatus: Downloaded newer image for ${ref}\n`), out);
  assert.equal(await idOf('p2', ref), id);
  assert.equal((await ok('p2', ['image', 'inspect', '--format', '{{json .RepoDigests}}', ref])).trim(), JSON.stringify([`${suite.reg!.host}/own/bb@${digest}`]));
});

test('docker pushes to the wharf registry, wharf pulls the same image ID', { skip }, async (t) => {
  if (typeof suite.dockerd === 'string') return t.skip(suite.dockerd);
  const ref = `${suite.reg!.host}/dk/bb:v1`;
  dockerOk(suite.dockerd, ['import', suite.tar, ref]);
  const dockerId = dockerOk(suite.dockerd, ['image', 'inspect', '--format', '{{.Id}}', ref]).trim();
  const layers = dockerOk(suite.dockerd, ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]).trim();
  const digest = pushedDigest(dockerOk(suite.dockerd, ['push', ref]));
  const out = await ok('d1', ['pull', ref]);
  assert.ok(out.includes(`Digest: ${digest}\n`), out);
  assert.equal(await idOf('d1', ref), dockerId);
  assert.equal((await ok('d1', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref])).trim(), layers);
});

test('wharf pushes to the wharf registry, docker pulls it and runs it', { skip }, async (t) => {
  if (typeof suite.dockerd === 'string') return t.skip(suite.dockerd);
  const ref = `${suite.reg!.host}/wh/bb:v1`;
  const id = (await ok('w1', ['import', suite.tar, ref])).trim();
  const digest = pushedDigest(await ok('w1', ['push', ref]));
  const pulled = dockerOk(suite.dockerd, ['pull', ref]);
  assert.ok(pulled.includes(`Digest: ${digest}\n`), pulled);
  assert.equal(dockerOk(suite.dockerd, ['image', 'inspect', '--format', '{{.Id}}', ref]).trim(), id);
  assert.equal(dockerOk(suite.dockerd, ['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'echo', 'ran']).trim(), 'ran');
});

test('skopeo copies a wharf-pushed image within the wharf registry; wharf pulls the copy unchanged', { skip }, async (t) => {
  if (!existsSync('/usr/bin/skopeo')) return t.skip('skopeo is not installed');
  const ref = `${suite.reg!.host}/sk/src:v1`;
  const copy = `${suite.reg!.host}/sk/copy:v1`;
  const id = (await ok('s1', ['import', suite.tar, ref])).trim();
  const digest = pushedDigest(await ok('s1', ['push', ref]));
  execFileSync('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${ref}`, `docker://${copy}`], { stdio: 'pipe' });
  const raw = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${copy}`]);
  assert.equal(JSON.parse(raw.toString()).mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  const out = await ok('s2', ['pull', copy]);
  assert.ok(out.includes(`Digest: ${digest}\n`), `skopeo kept the manifest bytes: ${out}`);
  assert.equal(await idOf('s2', copy), id);
});

/** Login, push and pull through a password-protected wharf registry, then logout. */
async function authRoundTrip(kind: 'basic' | 'token', flag: string): Promise<void> {
  const authDir = join(suite.dir, `auth-${kind}`);
  const users = join(authDir, 'htpasswd');
  execFileSync('mkdir', ['-p', authDir]);
  execFileSync(WHARF_BIN, ['registry', 'htpasswd', users, 'alice', '--password', 's3cret']);
  const secured = await startWharfRegistry(authDir, [flag, users]);
  const [a, b] = [`${kind}-a`, `${kind}-b`];
  try {
    const ping = await fetch(`http://${secured.host}/v2/`);
    assert.equal(ping.status, 401);
    assert.match(ping.headers.get('www-authenticate') ?? '', kind === 'basic' ? /^Basic / : /^Bearer realm="http:\/\/127\.0\.0\.1:/);
    const ref = `${secured.host}/sec/bb:v1`;
    const id = (await ok(a, ['import', suite.tar, ref])).trim();
    const denied = await run(a, ['push', ref]);
    assert.equal(denied.code, 1, denied.stdout);
    // As docker's: the push's own failure, bare (`no basic auth credentials`), after its progress lines.
    assert.match(denied.stderr, /^(no basic auth credentials|unauthorized: .*|denied: .*)\n$/);

    const bad = await run(a, ['login', '-u', 'alice', '--password-stdin', secured.host], 'wrong\n');
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /unauthorized|401/);

    assert.match(await ok(a, ['login', '-u', 'alice', '--password-stdin', secured.host], 's3cret\n'), /Login Succeeded/);
    assert.match(await ok(a, ['push', ref]), /v1: digest: sha256:/);
    await ok(b, ['pull', ref]);
    assert.equal(await idOf(b, ref), id);

    await ok(b, ['logout', secured.host]);
    const after = await run(b, ['pull', `${secured.host}/sec/bb:v1`]);
    assert.equal(after.code, 1, 'a logged-out pull is refused');
  } finally {
    secured.stop();
  }
}

test('login with htpasswd (basic auth) to the wharf registry, then push and pull', { skip }, () => authRoundTrip('basic', '--htpasswd'));

test('login with token auth to the wharf registry, then push and pull', { skip }, () => authRoundTrip('token', '--token-htpasswd'));

test('search HOST:PORT/term reads the wharf registry\'s /v1/search after set-meta', { skip }, async (t) => {
  const ref = `${suite.reg!.host}/find/needle:v1`;
  await ok('q1', ['import', suite.tar, ref]);
  await ok('q1', ['push', ref]);
  execFileSync(WHARF_BIN, ['registry', 'set-meta', '--root', suite.reg!.root, 'find/needle', '--description', 'a sharp test image', '--stars', '7', '--official']);
  const out = await ok('q1', ['search', `${suite.reg!.host}/needle`]);
  const lines = out.split('\n').filter(Boolean);
  assert.match(lines[0]!, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\s+AUTOMATED$/);
  assert.equal(lines.length, 2, out);
  assert.match(lines[1]!, /^find\/needle\s+a sharp test image\s+7\s+\[OK\]\s*$/);
  assert.equal((await ok('q1', ['search', `${suite.reg!.host}/nothing-like-it`])).split('\n').filter(Boolean).length, 1, 'only the header');
  if (typeof suite.dockerd === 'string') return t.diagnostic(`docker search not compared: ${suite.dockerd}`);
  assert.equal(out, dockerOk(suite.dockerd, ['search', `${suite.reg!.host}/needle`]), 'same table as docker search');
});
