/**
 * Fixtures for the scale-out tests: `wharf registry serve` replicas (real processes of
 * bin/wharf) on S3 + PostgreSQL, nginx in front with the README's configuration, and private
 * PostgreSQL / radosgw processes for the fault tests (which stop them; the shared ones other
 * tests use are never touched). Every server listens on 127.0.0.1.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { hashPassword } from '../../src/registry/server/auth/htpasswd.js';
import { WHARF_BIN } from '../helpers/wharf.js';
import { digestOf, type Digest } from '../../src/core/digest.js';
import { MediaType } from '../../src/core/mediatypes.js';
import { bytes, hasCommand, imageManifest, putManifest, tempDir } from './helpers.js';
import { runSync } from './proc.js';

const env = process.env;
const REPO = resolve(import.meta.dirname, '../..');

/** Why the scale tests cannot run here, or undefined when they can. */
export function scaleSkip(): string | undefined {
  if (!env.WHARF_TEST_S3_ENDPOINT) return 'no S3 endpoint (WHARF_TEST_S3_ENDPOINT; scripts/test.sh starts Ceph RGW)';
  if (!env.WHARF_TEST_PG_URL) return 'no PostgreSQL (WHARF_TEST_PG_URL; scripts/test.sh starts one)';
  if (!hasCommand('nginx')) return 'nginx is not installed (scripts/setup.sh installs it)';
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface Backend {
  s3: { endpoint: string; region: string; accessKey: string; secretKey: string; bucket: string; root: string };
  pgUrl: string;
  schema: string;
}

/** A fresh bucket prefix and schema (migrated with `wharf registry migrate up`) on the given services. */
export function newBackend(over: { s3Endpoint?: string; pgUrl?: string } = {}): Backend {
  const id = randomBytes(5).toString('hex');
  const b: Backend = {
    s3: {
      endpoint: over.s3Endpoint ?? env.WHARF_TEST_S3_ENDPOINT!,
      region: env.WHARF_TEST_S3_REGION ?? 'us-east-1',
      accessKey: env.WHARF_TEST_S3_ACCESS_KEY!,
      secretKey: env.WHARF_TEST_S3_SECRET_KEY!,
      bucket: 'wharf-scale',
      root: `s-${id}`,
    },
    pgUrl: over.pgUrl ?? env.WHARF_TEST_PG_URL!,
    schema: `scale_${id}`,
  };
  runSync(WHARF_BIN, ['registry', 'migrate', 'up', '--metadata', metadataUrl(b)]);
  return b;
}

export const metadataUrl = (b: Backend) => `${b.pgUrl}${b.pgUrl.includes('?') ? '&' : '?'}schema=${b.schema}`;

export const backendArgs = (b: Backend) => [
  '--storage', 's3', '--s3-endpoint', b.s3.endpoint, '--s3-region', b.s3.region, '--s3-bucket', b.s3.bucket,
  '--s3-access-key', b.s3.accessKey, '--s3-secret-key', b.s3.secretKey, '--s3-root-directory', b.s3.root,
  '--metadata', metadataUrl(b),
];

export interface Replica {
  port: number;
  url: string;
  proc: ChildProcess;
  /** Request log lines (JSON) seen so far. */
  log: string[];
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Start one `wharf registry serve` process; resolves once it listens. */
export async function startReplica(b: Backend, extra: string[] = [], port?: number): Promise<Replica> {
  port ??= await freePort();
  const proc = spawn(WHARF_BIN, ['registry', 'serve', '--addr', `127.0.0.1:${port}`, ...backendArgs(b), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  let buf = '';
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`replica on ${port} did not start: ${buf}`)), 30_000);
    proc.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        log.push(line);
        if (line.includes('listening on')) {
          clearTimeout(timer);
          res();
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`replica on ${port} exited ${code}: ${buf}${log.join('\n')}`));
    });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    proc,
    log,
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await exited;
    },
  };
}

/** The ```nginx block between the README's markers, with the upper-case names filled in. */
function readmeBlock(marker: string, values: Record<string, string>): string {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const m = new RegExp(`<!-- ${marker}-begin -->\\n\`\`\`nginx\\n([\\s\\S]*?)\`\`\`\\n<!-- ${marker}-end -->`).exec(readme);
  if (!m) throw new Error(`README.md has no ${marker} block`);
  let text = m[1]!;
  for (const [k, v] of Object.entries(values)) text = text.split(k).join(v);
  return text;
}

export interface Nginx {
  tlsPort: number;
  plainPort: number;
  dir: string;
  certDir: string;
  user: string;
  password: string;
  stop(): Promise<void>;
}

/** nginx with the README's configuration in front of `replicas`. */
export async function startNginx(replicas: number[]): Promise<Nginx> {
  const dir = tempDir('wharf-nginx-');
  const certDir = join(dir, 'certs');
  mkdirSync(certDir);
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  runSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(certDir, 'ca.crt')]);
  const user = 'scale';
  const password = randomBytes(8).toString('hex');
  writeFileSync(join(dir, 'htpasswd'), `${user}:${hashPassword(password)}\n`);
  const tlsPort = await freePort();
  const plainPort = await freePort();
  const values = {
    PREFIX: dir, REPLICA1: String(replicas[0]), REPLICA2: String(replicas[1]), REPLICA3: String(replicas[2]),
    TLSPORT: String(tlsPort), PLAINPORT: String(plainPort), CERT: join(certDir, 'ca.crt'), KEY: join(dir, 'key.pem'), HTPASSWD: join(dir, 'htpasswd'),
  };
  // Workers run as the master's user here (the temp files are ours).
  const user0 = spawnSync('id', ['-un'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(join(dir, 'nginx.conf'), `user ${user0};\n${readmeBlock('nginx-registry', values)}`);
  writeFileSync(join(dir, 'proxy.conf'), readmeBlock('nginx-proxy', values));
  const proc = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${plainPort}/healthz`);
      await res.arrayBuffer();
      break;
    } catch {
      if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    tlsPort, plainPort, dir, certDir, user, password,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGQUIT');
      await exited;
      spawnSync('rm', ['-rf', dir]);
    },
  };
}

/** A private PostgreSQL (scripts/postgres.sh), for tests that restart it. */
export function startPrivatePostgres(): { url: string; halt(): void; resume(): void; stop(): void } {
  const dir = join(tempDir('wharf-pg-'), 'pg');
  runSync('bash', [join(REPO, 'scripts/postgres.sh'), 'up', dir]);
  const url = /WHARF_TEST_PG_URL=(\S+)/.exec(readFileSync(join(dir, 'env'), 'utf8'))![1]!;
  return {
    url,
    halt: () => void runSync('bash', [join(REPO, 'scripts/postgres.sh'), 'stop', dir]),
    resume: () => void runSync('bash', [join(REPO, 'scripts/postgres.sh'), 'start', dir]),
    stop: () => void runSync('bash', [join(REPO, 'scripts/postgres.sh'), 'down', dir]),
  };
}

/** A second radosgw on the shared cluster, on its own port, for tests that stop and start it. */
export async function startPrivateRgw(): Promise<{ endpoint: string; stop(): Promise<void>; start(): Promise<void>; close(): Promise<void> }> {
  const conf = env.WHARF_TEST_CEPH_CONF;
  if (!conf) throw new Error('WHARF_TEST_CEPH_CONF is not set');
  const port = await freePort();
  const name = `client.rgw${port}`;
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn('radosgw', ['-c', conf, '-n', name, '-f', '--rgw-frontends', `beast endpoint=127.0.0.1:${port} tcp_nodelay=1`, '--rgw-data', tempDir('wharf-rgw-')], { stdio: 'ignore' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
        return;
      } catch {
        if (proc.exitCode !== null || Date.now() > deadline) throw new Error('the private radosgw did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const stop = async () => {
    if (!proc || proc.exitCode !== null) return;
    const p = proc;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return { endpoint: `http://127.0.0.1:${port}`, stop, start, close: stop };
}

/** POST, one PATCH, PUT: each request may land on another replica. */
export async function pushChunked(url: string, name: string, data: Buffer, headers: Record<string, string> = {}): Promise<Digest> {
  const start = await fetch(`${url}/v2/${name}/blobs/uploads/`, { method: 'POST', headers });
  assert.equal(start.status, 202, await start.text());
  const loc = start.headers.get('location')!;
  const patch = await fetch(`${url}${loc}`, { method: 'PATCH', body: bytes(data), headers: { ...headers, 'Content-Type': 'application/octet-stream' } });
  assert.equal(patch.status, 202, await patch.text());
  const digest = digestOf(data);
  const put = await fetch(`${url}${loc}?digest=${digest}`, { method: 'PUT', headers });
  assert.equal(put.status, 201, await put.text());
  return digest;
}

/** Push an image of `layers` random layers; returns its manifest digest and bytes. */
export async function pushRandomImage(url: string, name: string, tag: string, layerSizes: number[]): Promise<{ digest: Digest; manifest: Buffer; layers: { digest: Digest; sha: string }[] }> {
  const layers = [];
  for (const size of layerSizes) {
    const data = randomBytes(size);
    layers.push({ digest: await pushChunked(url, name, data), size, sha: createHash('sha256').update(data).digest('hex') });
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: randomBytes(4).toString('hex') }));
  const configDigest = await pushChunked(url, name, config);
  const manifest = imageManifest({ digest: configDigest, size: config.length }, layers);
  const res = await putManifest(url, name, tag, manifest);
  assert.equal(res.status, 201, await res.text());
  return { digest: digestOf(manifest), manifest, layers };
}

/** Pull a manifest and every blob it names, checking each digest. */
export async function pullVerify(url: string, name: string, ref: string): Promise<Digest> {
  const res = await fetch(`${url}/v2/${name}/manifests/${ref}`, { headers: { Accept: MediaType.ociManifest } });
  assert.equal(res.status, 200, `${name}:${ref}: ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const m = JSON.parse(body.toString());
  for (const d of [m.config, ...m.layers]) {
    const b = await fetch(`${url}/v2/${name}/blobs/${d.digest}`);
    assert.equal(b.status, 200);
    assert.equal(digestOf(Buffer.from(await b.arrayBuffer())), d.digest);
  }
  return digestOf(body);
}
