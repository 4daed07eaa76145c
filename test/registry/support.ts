/**
 * Fixtures for the pull/push tests: small layer tars, images planted in a FakeRegistry
 * (Docker schema2 or OCI, gzip/zstd/plain layers, optionally behind an OCI index), Debian's
 * distribution registry or the wharf registry on a free 127.0.0.1 port (optionally
 * password-protected), and a look at which images a wharf root shows.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before } from 'node:test';
import bcrypt from 'bcryptjs';
import { makeBusyboxRootfsTar } from '../helpers/busybox.js';
import { startDockerd, type Dockerd } from '../helpers/dockerd.js';
import { removeDir, tempDir } from '../helpers/wharf.js';
import { digestOf, type Digest } from '../../src/core/digest.js';
import { MediaType } from '../../src/core/mediatypes.js';
import type { FakeRegistry } from '../../src/registry/client/testing/fake-registry.js';
import { schema2Manifest } from '../../src/transport/registry/manifest.js';
import { WHARF_BIN, type RunResult } from '../helpers/wharf.js';

/** An uncompressed layer tar holding `files` (path -> content), built by GNU tar. */
export function layerTar(dir: string, name: string, files: Record<string, string | Buffer>): Buffer {
  const root = join(dir, `layer-${name}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  const out = join(dir, `${name}.tar`);
  execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '--sort=name', '--mtime=2024-01-01', '-C', root, '-cf', out, '.']);
  return readFileSync(out);
}

export interface PlantedImage {
  id: Digest;
  manifestDigest: Digest;
  manifestSize: number;
  mediaType: string;
  diffIds: Digest[];
  layerDigests: Digest[];
}

export interface PlantOptions {
  oci?: boolean;
  compression?: 'gzip' | 'zstd' | 'none';
  architecture?: string;
  /** Config diff IDs to claim instead of the real ones. */
  diffIds?: Digest[];
  /** Manifest bytes laid out as dockerd writes them (a Docker schema2 manifest). */
  dockerdFormat?: boolean;
}

/**
 * gzip carries an mtime in its header (as Go's writer may), so these blobs are not what
 * wharf's own compression would produce: a re-push can only send them if it kept them.
 */
function compressLayer(tar: Buffer, kind: 'gzip' | 'zstd' | 'none'): Buffer {
  if (kind === 'gzip') {
    const gz = gzipSync(tar, { level: 9 });
    gz.writeUInt32LE(1_700_000_000, 4);
    return gz;
  }
  if (kind === 'zstd') return execFileSync('zstd', ['-c', '-q'], { input: tar, maxBuffer: 1 << 30 });
  return tar;
}

const layerType = (oci: boolean, kind: 'gzip' | 'zstd' | 'none') =>
  !oci ? MediaType.dockerLayerGzip : kind === 'gzip' ? MediaType.ociLayerGzip : kind === 'zstd' ? MediaType.ociLayerZstd : MediaType.ociLayer;

/** Put an image made of `tars` into `repo:tag` of the fake registry. */
export function plantImage(reg: FakeRegistry, repo: string, tag: string, tars: Buffer[], opts: PlantOptions = {}): PlantedImage {
  const oci = opts.oci ?? false;
  const kind = opts.compression ?? 'gzip';
  const diffIds = opts.diffIds ?? tars.map((t) => digestOf(t));
  const config = Buffer.from(JSON.stringify({
    architecture: opts.architecture ?? 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: tars.map(() => ({ created_by: 'test' })),
  }));
  const blobs = tars.map((t) => compressLayer(t, kind));
  const layers = blobs.map((b) => ({ mediaType: layerType(oci, kind), digest: reg.addBlob(repo, b), size: b.length }));
  const configDesc = { mediaType: oci ? MediaType.ociConfig : MediaType.dockerConfig, digest: reg.addBlob(repo, config), size: config.length };
  const mediaType = oci ? MediaType.ociManifest : MediaType.dockerManifest;
  const manifest = opts.dockerdFormat && !oci
    ? schema2Manifest(configDesc, layers)
    : Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: configDesc, layers }));
  const manifestDigest = reg.addManifest(repo, tag, manifest, mediaType);
  return { id: digestOf(config), manifestDigest, manifestSize: manifest.length, mediaType, diffIds, layerDigests: layers.map((l) => l.digest) };
}

/** An OCI index under `repo:tag` over images already planted in `repo`. */
export function plantIndex(reg: FakeRegistry, repo: string, tag: string, entries: { image: PlantedImage; architecture: string }[]): Digest {
  const manifests = entries.map((e) => ({
    mediaType: e.image.mediaType,
    digest: e.image.manifestDigest,
    size: e.image.manifestSize,
    platform: { os: 'linux', architecture: e.architecture },
  }));
  return reg.addManifest(repo, tag, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests })), MediaType.ociIndex);
}

/**
 * Run bin/wharf without blocking this process's event loop (the FakeRegistry serving it
 * lives here, so the synchronous helper would deadlock).
 */
export function wharfRun(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(WHARF_BIN, ['--root', root, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Image IDs a wharf root shows (`images -q --no-trunc`). */
export async function visibleImages(root: string): Promise<string[]> {
  return (await wharfRun(root, ['images', '-q', '--no-trunc'])).stdout.split('\n').filter(Boolean);
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Distribution {
  host: string;
  stop(): void;
}

export const distributionMissing = existsSync('/usr/bin/docker-registry') ? undefined : 'docker-registry is not installed';

/** Debian's distribution registry on 127.0.0.1, storing under `dir`; `users` turns on htpasswd auth. */
export async function startDistribution(dir: string, users?: Record<string, string>): Promise<Distribution> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  let auth = '';
  if (users) {
    const file = join(dir, 'htpasswd');
    writeFileSync(file, Object.entries(users).map(([u, p]) => `${u}:${bcrypt.hashSync(p, 5).replace(/^\$2b\$/, '$2y$')}\n`).join(''));
    auth = `auth:\n  htpasswd:\n    realm: wharf-test\n    path: ${file}\n`;
  }
  const cfg = join(dir, 'registry.yml');
  writeFileSync(cfg, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
  const proc: ChildProcess = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  await waitForPort(proc, port, 'docker-registry');
  return { host: `127.0.0.1:${port}`, stop: () => void proc.kill() };
}

/** Wait until `port` on 127.0.0.1 accepts connections (10 s), failing if `proc` exits first. */
async function waitForPort(proc: ChildProcess, port: number, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), r(true)));
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (proc.exitCode !== null) throw new Error(`${name} exited at start`);
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill();
  throw new Error(`${name} did not listen on 127.0.0.1:${port} within 10 s`);
}

export interface WharfRegistry extends Distribution {
  /** Its storage root (for `wharf registry set-meta --root`). */
  root: string;
}

/**
 * The wharf registry (`bin/wharf registry serve`) on a free 127.0.0.1 port storing under
 * `dir`/data; `args` adds flags (`--htpasswd FILE`, `--token-htpasswd FILE`).
 */
export async function startWharfRegistry(dir: string, args: string[] = []): Promise<WharfRegistry> {
  const port = await freePort();
  const root = join(dir, 'data');
  mkdirSync(root, { recursive: true });
  const proc: ChildProcess = spawn(WHARF_BIN, ['registry', 'serve', '--quiet', '--addr', `127.0.0.1:${port}`, '--root', root, ...args], { stdio: 'ignore' });
  await waitForPort(proc, port, 'wharf registry');
  return { host: `127.0.0.1:${port}`, root, stop: () => void proc.kill() };
}

/** What an interop suite shares: a temp dir, a busybox rootfs tar, the registry and a private dockerd. */
export interface InteropSuite<R extends { stop(): void }> {
  dir: string;
  tar: string;
  reg?: R;
  dockerd: Dockerd | string;
  /** Environment for docker and wharf: a private docker config dir (logins). */
  env(): NodeJS.ProcessEnv;
}

/** Registers the suite's before/after hooks (nothing starts when `skip` gives a reason). */
export function interopSuite<R extends { stop(): void }>(prefix: string, skip: string | undefined, start: (dir: string) => Promise<R>): InteropSuite<R> {
  const suite: InteropSuite<R> = { dir: '', tar: '', dockerd: 'not started', env: () => ({ DOCKER_CONFIG: join(suite.dir, 'docker-config') }) };
  before(async () => {
    if (skip) return;
    suite.dir = tempDir(prefix);
    suite.tar = await makeBusyboxRootfsTar(suite.dir);
    suite.reg = await start(suite.dir);
    suite.dockerd = await startDockerd();
  });
  after(async () => {
    suite.reg?.stop();
    if (typeof suite.dockerd !== 'string') await suite.dockerd.stop();
    if (suite.dir) removeDir(suite.dir);
  });
  return suite;
}
