/**
 * Interop with Debian's distribution registry and the running dockerd (DOCKER_HOST or
 * /tmp/d/docker.sock): docker pushes and wharf's client pulls; the client pushes and docker
 * pulls and runs; `login` against an htpasswd registry writes the entry docker then uses.
 */
// test:host — needs a dockerd, docker-registry: not part of `npm run test:unit`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { digestOf } from '../../core/digest.js';
import { MediaType } from '../../core/mediatypes.js';
import { runLogin, type LoginIO } from '../../cli/commands/login.js';
import { RegistryClient } from './client.js';
import { RegistryConfig } from './config.js';

const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///tmp/d/docker.sock';
const env = { ...process.env, DOCKER_HOST };
const docker = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  execFileSync('docker', args, { env: { ...env, ...extraEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function skipReason(): string | undefined {
  if (!existsSync('/usr/bin/docker-registry')) return 'docker-registry is not installed';
  try {
    docker(['version', '--format', '{{.Server.Version}}']);
  } catch {
    return `no dockerd at ${DOCKER_HOST}`;
  }
  if (!existsSync('/bin/busybox')) return 'busybox-static is not installed';
  return undefined;
}
const skip = skipReason();

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function startRegistry(dir: string, htpasswd?: string): Promise<{ host: string; proc: ChildProcess }> {
  const port = await freePort();
  const auth = htpasswd ? `auth:\n  htpasswd:\n    realm: wharf-test\n    path: ${htpasswd}\n` : '';
  const cfg = join(dir, 'registry.yml');
  await writeFile(cfg, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
  const proc = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host: `127.0.0.1:${port}`, proc };
}

async function rootfsTar(dir: string): Promise<Buffer> {
  await mkdir(join(dir, 'R', 'bin'), { recursive: true });
  await copyFile('/bin/busybox', join(dir, 'R', 'bin', 'busybox'));
  execFileSync('tar', ['-C', join(dir, 'R'), '-cf', join(dir, 'r.tar'), '.']);
  return readFile(join(dir, 'r.tar'));
}

const collect = async (s: Readable) => {
  const parts: Buffer[] = [];
  for await (const p of s) parts.push(p as Buffer);
  return Buffer.concat(parts);
};

const config = new RegistryConfig({ certsDirs: [] });

test('docker pushes to distribution, wharf client pulls; wharf pushes, docker pulls and runs', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-interop-'));
  const reg = await startRegistry(dir);
  const client = new RegistryClient(reg.host, { config, credentials: async () => undefined });
  const image = `${reg.host}/bb:1`;
  const mine = `${reg.host}/mine:1`;
  try {
    const tar = await rootfsTar(dir);
    docker(['import', join(dir, 'r.tar'), image]);
    const pushed = docker(['push', image]);
    const m = await client.getManifest('bb', '1');
    assert.ok(pushed.includes(`digest: ${m.digest}`), 'same manifest digest as docker reported');
    const manifest = JSON.parse(m.bytes.toString()) as { config: { digest: `sha256:${string}`; size: number }; layers: { digest: `sha256:${string}`; size: number }[] };
    for (const d of [manifest.config, ...manifest.layers]) {
      const bytes = await collect(client.getBlob('bb', d.digest, d.size));
      assert.equal(digestOf(bytes), d.digest);
    }

    const layer = gzipSync(tar, { level: 1 });
    const cfg = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux',
      config: { Cmd: ['/bin/busybox', 'echo', 'hello from wharf'] },
      rootfs: { type: 'layers', diff_ids: [digestOf(tar)] },
    }));
    const layerDesc = { mediaType: MediaType.dockerLayerGzip, digest: digestOf(layer), size: layer.length };
    const cfgDesc = { mediaType: MediaType.dockerConfig, digest: digestOf(cfg), size: cfg.length };
    assert.equal(await client.uploadBlob('mine', layerDesc, () => Readable.from([layer]), { chunkSize: 256 * 1024 }), 'pushed');
    assert.equal(await client.uploadBlob('mine', cfgDesc, () => Readable.from([cfg])), 'pushed');
    assert.equal(await client.uploadBlob('other', layerDesc, () => Readable.from([layer]), { mountFrom: ['mine'] }), 'mounted');
    const man = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.dockerManifest, config: cfgDesc, layers: [layerDesc] }));
    const digest = await client.putManifest('mine', '1', man, MediaType.dockerManifest);
    assert.ok(docker(['pull', mine]).includes(`Digest: ${digest}`));
    assert.equal(docker(['run', '--rm', mine]).trim(), 'hello from wharf');
  } finally {
    client.close();
    try { docker(['rmi', '-f', image, mine]); } catch { /* already gone */ }
    reg.proc.kill();
    await rm(dir, { recursive: true, force: true });
  }
});

test('login to an htpasswd registry writes the entry docker uses', { skip: skip ?? (existsSync('/usr/bin/htpasswd') ? undefined : 'htpasswd (apache2-utils) is not installed') }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-interop-auth-'));
  await writeFile(join(dir, 'htpasswd'), execFileSync('htpasswd', ['-Bbn', 'alice', 's3cret']));
  const reg = await startRegistry(dir, join(dir, 'htpasswd'));
  const cfgDir = join(dir, 'docker-config');
  const image = `${reg.host}/authbb:1`;
  try {
    const out: Buffer[] = [];
    const sink = new (await import('node:stream')).PassThrough();
    sink.on('data', (c: Buffer) => out.push(c));
    const io: LoginIO = { stdin: Readable.from([Buffer.from('s3cret\n')]), stdout: sink, stderr: sink, env: { ...env, DOCKER_CONFIG: cfgDir } };
    await runLogin(reg.host, { username: 'alice', passwordStdin: true }, io);
    assert.match(Buffer.concat(out).toString(), /Login Succeeded\n$/);
    const saved = JSON.parse(await readFile(join(cfgDir, 'config.json'), 'utf8'));
    assert.equal(saved.auths[reg.host].auth, Buffer.from('alice:s3cret').toString('base64'));
    await rootfsTar(dir);
    docker(['import', join(dir, 'r.tar'), image]);
    assert.match(docker(['--config', cfgDir, 'push', image]), /digest: sha256:/);
  } finally {
    try { docker(['rmi', '-f', image]); } catch { /* already gone */ }
    reg.proc.kill();
    await rm(dir, { recursive: true, force: true });
  }
});
