/**
 * Interop through Debian's distribution registry on 127.0.0.1 with a private dockerd and
 * skopeo: docker pushes, wharf pulls (same image ID, layers intact: `wharf save | docker load`
 * gives the same ID and runs); wharf pushes, docker pulls (same ID) and runs, skopeo copies;
 * `wharf login` to an htpasswd-protected registry, then push and pull through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Dockerd } from '../helpers/dockerd.js';
import { WHARF_BIN } from '../helpers/wharf.js';
import { distributionMissing, interopSuite, startDistribution, wharfRun, type Distribution } from './support.js';

const skip = distributionMissing ?? (existsSync('/bin/busybox') ? undefined : 'busybox-static is not installed');
const suite = interopSuite<Distribution>('wharf-reginterop-', skip, (d) => startDistribution(join(d, 'registry')));
const env = suite.env;

async function ok(root: string, args: string[], input?: string): Promise<string> {
  if (input !== undefined) {
    const r = spawnSync(WHARF_BIN, ['--root', join(suite.dir, root), ...args], { input, env: { ...process.env, ...env() } });
    assert.equal(r.status, 0, `wharf ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.toString();
  }
  const r = await wharfRun(join(suite.dir, root), args, env());
  assert.equal(r.code, 0, `wharf ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function dockerOk(d: Dockerd, args: string[]): string {
  const r = d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('docker pushes, wharf pulls the same image and its layers load back into docker', { skip }, async (t) => {
  if (typeof suite.dockerd === 'string') return t.skip(suite.dockerd);
  const d = suite.dockerd;
  const ref = `${suite.reg!.host}/dk/bb:v1`;
  dockerOk(d, ['import', suite.tar, ref]);
  const dockerId = dockerOk(d, ['image', 'inspect', '--format', '{{.Id}}', ref]).trim();
  const layers = dockerOk(d, ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref]).trim();
  const pushed = dockerOk(d, ['push', ref]);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)![1];

  const out = await ok('a', ['pull', ref]);
  assert.ok(out.includes(`Digest: ${digest}\n`), out);
  assert.equal((await ok('a', ['image', 'inspect', '--format', '{{.Id}}', ref])).trim(), dockerId);
  assert.equal((await ok('a', ['image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref])).trim(), layers);

  dockerOk(d, ['rmi', ref]);
  const save = spawnSync('bash', ['-c', `"${WHARF_BIN}" --root "${join(suite.dir, 'a')}" save "${ref}" | docker load`], { env: { ...process.env, DOCKER_HOST: d.host } });
  assert.equal(save.status, 0, save.stderr.toString());
  assert.equal(dockerOk(d, ['image', 'inspect', '--format', '{{.Id}}', ref]).trim(), dockerId);
  dockerOk(d, ['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'true']);
});

test('wharf pushes, docker pulls the same image and runs it, skopeo copies it', { skip }, async (t) => {
  if (typeof suite.dockerd === 'string') return t.skip(suite.dockerd);
  const d = suite.dockerd;
  const ref = `${suite.reg!.host}/wh/bb:v1`;
  const id = (await ok('b', ['import', suite.tar, ref])).trim();
  const pushed = await ok('b', ['push', ref]);
  const digest = /^v1: digest: (sha256:[a-f0-9]{64}) size: \d+$/m.exec(pushed)![1];
  const pulled = dockerOk(d, ['pull', ref]);
  assert.ok(pulled.includes(`Digest: ${digest}\n`), pulled);
  assert.equal(dockerOk(d, ['image', 'inspect', '--format', '{{.Id}}', ref]).trim(), id);
  dockerOk(d, ['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'true']);

  const again = await ok('b', ['push', ref]);
  assert.ok(again.includes(': Layer already exists\n'), again);
  assert.ok(again.endsWith(`v1: digest: ${digest} size: ${/size: (\d+)/.exec(pushed)![1]}\n`));

  if (existsSync('/usr/bin/skopeo')) {
    execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci-archive:${join(suite.dir, 'copy.tar')}`], { stdio: 'pipe' });
    assert.ok(existsSync(join(suite.dir, 'copy.tar')));
  } else {
    t.diagnostic('skopeo is not installed: copy not checked');
  }
});

test('login to an htpasswd-protected distribution registry, then push and pull through it', { skip }, async () => {
  const authDir = join(suite.dir, 'auth-registry');
  const secured = await startDistribution(authDir, { alice: 's3cret' });
  try {
    const ref = `${secured.host}/sec/bb:v1`;
    const id = (await ok('c', ['import', suite.tar, ref])).trim();
    const denied = await wharfRun(join(suite.dir, 'c'), ['push', ref], env());
    assert.equal(denied.code, 1);
    // As docker's: the push's own failure, bare (`no basic auth credentials`), after its progress lines.
    assert.match(denied.stderr, /^(no basic auth credentials|unauthorized: .*|denied: .*)\n$/);

    const bad = spawnSync(WHARF_BIN, ['--root', join(suite.dir, 'c'), 'login', '-u', 'alice', '--password-stdin', secured.host], { input: 'wrong\n', env: { ...process.env, ...env() } });
    assert.notEqual(bad.status, 0);
    assert.equal(bad.stderr.toString().trim().split('\n').length, 1, bad.stderr.toString());

    assert.match(await ok('c', ['login', '-u', 'alice', '--password-stdin', secured.host], 's3cret\n'), /Login Succeeded/);
    assert.match(await ok('c', ['push', ref]), /v1: digest: sha256:/);
    await ok('d', ['pull', ref]);
    assert.equal((await ok('d', ['image', 'inspect', '--format', '{{.Id}}', ref])).trim(), id);
  } finally {
    secured.stop();
  }
});
