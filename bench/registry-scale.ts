/**
 * The scale-out registry benchmark. Part 1: one wharf replica on S3 (Ceph RGW) + PostgreSQL
 * against Debian's distribution 2.8 with its s3-aws driver on the same RGW (same bucket, own
 * prefix): docker push and pull of a fresh image, a raw blob by curl, 50 clients x 10 MB blob
 * GETs, 1,000 manifest PUTs (the cases of bench/registry-server.ts), median per-run ratio
 * distribution/wharf. Part 2: three wharf replicas behind nginx (the README's config) against
 * one replica: requests per second of manifest GETs and tag lists from 50 clients.
 * Uses WHARF_TEST_S3_* / WHARF_TEST_PG_URL when set, else starts Ceph and PostgreSQL with
 * scripts/ceph.sh and scripts/postgres.sh (and stops them after). Distribution runs without
 * AWS_CA_BUNDLE (Go's S3 client panics on the one this environment sets).
 * Run: npm run build && npx tsx bench/registry-scale.ts [--size-mb 200] [--runs 3] [--seconds 5]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, dockerIn, freePort, pairedRuns, peakRssMb, printRatios, pushBlob, waitUp, type Target } from './registry-common.js';
import { backendArgs, newBackend, startNginx, type Backend } from '../test/registry-server/scale.js';

const IMAGE_MB = arg('--size-mb', 200);
const RUNS = arg('--runs', 3);
const SECONDS = arg('--seconds', 5);
const SERVER = 'dist/registry/server/main.js';
const work = mkdtempSync(join(tmpdir(), 'wharf-scale-bench-'));
const docker = dockerIn(work);
const stops: (() => void)[] = [];

/** Ceph and PostgreSQL from the environment, or started here. */
function services(): void {
  const env = process.env;
  if (!env.WHARF_TEST_S3_ENDPOINT) {
    const dir = join(work, 'ceph');
    execFileSync('bash', ['scripts/ceph.sh', 'up', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    stops.push(() => execFileSync('bash', ['scripts/ceph.sh', 'down', dir]));
    for (const line of readFileSync(join(dir, 'env'), 'utf8').trim().split('\n')) env[line.split('=')[0]!] = line.slice(line.indexOf('=') + 1);
  }
  if (!env.WHARF_TEST_PG_URL) {
    const dir = join(work, 'pg');
    execFileSync('bash', ['scripts/postgres.sh', 'up', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    stops.push(() => execFileSync('bash', ['scripts/postgres.sh', 'down', dir]));
    env.WHARF_TEST_PG_URL = /WHARF_TEST_PG_URL=(\S+)/.exec(readFileSync(join(dir, 'env'), 'utf8'))![1];
  }
}

async function startWharf(b: Backend, name = 'wharf'): Promise<Target> {
  const port = await freePort();
  const proc = spawn(process.execPath, [SERVER, '--addr', `127.0.0.1:${port}`, ...backendArgs(b), '--quiet'], { stdio: 'ignore' });
  const t = { name, url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, proc };
  await waitUp(t.url);
  return t;
}

async function startDistribution(b: Backend): Promise<Target> {
  const port = await freePort();
  const cfg = join(work, 'distribution.yml');
  writeFileSync(cfg, [
    'version: 0.1',
    'log:', '  level: error', '  accesslog:', '    disabled: true',
    'storage:', '  s3:',
    `    regionendpoint: ${b.s3.endpoint}`, `    region: ${b.s3.region}`, `    bucket: ${b.s3.bucket}`,
    `    accesskey: ${b.s3.accessKey}`, `    secretkey: ${b.s3.secretKey}`, `    rootdirectory: /${b.s3.root}-distribution`,
    '    secure: false', '    v4auth: true', '    chunksize: 10485760',
    '  redirect:', '    disable: true', '  delete:', '    enabled: true', '  cache:', '    blobdescriptor: inmemory',
    'http:', `  addr: 127.0.0.1:${port}`, '',
  ].join('\n'));
  const env = { ...process.env };
  delete env.AWS_CA_BUNDLE;
  const proc = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore', env });
  const t = { name: 'distribution', url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, proc };
  await waitUp(t.url);
  return t;
}

/** Requests per second from `clients` loops over `paths` for SECONDS seconds (every answer must be 200). */
async function rps(url: string, paths: string[], clients: number): Promise<number> {
  const deadline = Date.now() + SECONDS * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = c; Date.now() < deadline; i++) {
        const res = await fetch(`${url}${paths[i % paths.length]}`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${url}${paths[i % paths.length]}: ${res.status}`);
        done++;
      }
    }),
  );
  return done / SECONDS;
}

async function main() {
  mkdirSync(join(work, 'docker-config'));
  services();
  const backend = newBackend();
  const wharf = await startWharf(backend);
  const dist = await startDistribution(backend);
  const targets: Target[] = [wharf, dist];
  try {
    const results = await pairedRuns(wharf, dist, RUNS, { work, docker, imageMb: IMAGE_MB });
    printRatios(results, `${RUNS} runs on one RGW; wharf = node ${SERVER} on S3 + PostgreSQL, distribution 2.8 s3-aws`);
    console.log(`peak RSS: wharf ${peakRssMb(wharf.proc.pid!).toFixed(0)} MB, distribution ${peakRssMb(dist.proc.pid!).toFixed(0)} MB`);

    // Part 2: three replicas behind nginx against one, on the same data.
    const more = [await startWharf(backend, 'wharf-2'), await startWharf(backend, 'wharf-3')];
    targets.push(...more);
    const nginx = await startNginx([wharf, ...more].map((t) => Number(t.host.split(':')[1])));
    stops.unshift(() => void nginx.stop());
    const cfg = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const cfgDigest = await pushBlob(wharf, 'rps/app', cfg);
    const paths: string[] = [];
    for (let i = 0; i < 20; i++) {
      const body = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfgDigest, size: cfg.length }, layers: [], annotations: { i: String(i) } });
      await fetch(`${wharf.url}/v2/rps/app/manifests/t${i}`, { method: 'PUT', body, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
      paths.push(`/v2/rps/app/manifests/t${i}`);
    }
    const lb = `http://127.0.0.1:${nginx.plainPort}`;
    console.log(`\n50 clients, ${SECONDS} s each; requests per second (ratio = 3 replicas behind nginx / 1 replica)`);
    for (const [label, p] of [['manifest GETs', paths], ['tag lists', ['/v2/rps/app/tags/list']]] as const) {
      const one = await rps(wharf.url, [...p], 50);
      const three = await rps(lb, [...p], 50);
      console.log(`${label.padEnd(28)} 1 replica ${one.toFixed(0).padStart(6)}/s   3 behind nginx ${three.toFixed(0).padStart(6)}/s   ratio ${(three / one).toFixed(2)}x`);
    }
  } finally {
    for (const t of targets) if (t.proc.exitCode !== null || t.proc.signalCode !== null) console.error(`${t.name} had exited (${t.proc.exitCode ?? t.proc.signalCode})`);
    for (const t of targets) t.proc.kill('SIGTERM');
    for (const s of stops) {
      try {
        s();
      } catch {}
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
