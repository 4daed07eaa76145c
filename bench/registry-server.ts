/**
 * Registry server benchmark: wharf's registry against Debian's distribution registry
 * (`docker-registry`), same machine, same run, same inputs. Cases: docker push and pull of a
 * ~200 MB image, 50 concurrent clients fetching one 10 MB blob, 1,000 small manifest PUTs, and
 * the server side alone: one 200 MB blob uploaded and downloaded by curl (docker's own
 * compression and unpacking dominate its push and pull times).
 * wharf runs compiled (`node dist/registry/server/main.js`, so `npm run build` first), as it
 * would be deployed. Every case runs `--runs` times (fresh image per push run); the table shows
 * median seconds and the median per-run distribution/wharf ratio (>1 means wharf is faster),
 * plus both servers' peak RSS.
 * Run: npm run build && npx tsx bench/registry-server.ts [--size-mb 200] [--runs 5]
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './common.js';

const DOCKER_HOST = process.env.WHARF_TEST_DOCKER_HOST ?? 'unix:///tmp/d/docker.sock';
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const IMAGE_MB = arg('--size-mb', 200);
const RUNS = arg('--runs', 5);
const SERVER = 'dist/registry/server/main.js';
const work = mkdtempSync(join(tmpdir(), 'wharf-rs-bench-'));
const env = { ...process.env, DOCKER_HOST, DOCKER_CONFIG: join(work, 'docker-config') };
const docker = (...args: string[]) => execFileSync('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 }).toString();
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

interface Target {
  name: string;
  url: string;
  host: string;
  proc: ChildProcess;
}

async function startWharf(): Promise<Target> {
  const port = await freePort();
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build first`);
  const proc = spawn(process.execPath, [SERVER, '--addr', `127.0.0.1:${port}`, '--root', join(work, 'wharf'), '--quiet'], { stdio: 'ignore' });
  const t = { name: 'wharf', url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, proc };
  await waitUp(t.url);
  return t;
}

async function startDistribution(): Promise<Target> {
  const port = await freePort();
  const cfg = join(work, 'distribution.yml');
  writeFileSync(cfg, `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'distribution')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const proc = spawn('docker-registry', ['serve', cfg], { stdio: 'ignore' });
  const t = { name: 'distribution', url: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, proc };
  await waitUp(t.url);
  return t;
}

/** Peak resident set (VmHWM) of a process, in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function pushBlob(t: Target, repo: string, data: Buffer): Promise<string> {
  const start = await fetch(`${t.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = new URL(start.headers.get('location')!, t.url);
  loc.searchParams.set('digest', sha(data));
  const res = await fetch(loc, { method: 'PUT', body: new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.length), headers: { 'Content-Type': 'application/octet-stream' } });
  if (res.status !== 201) throw new Error(`${t.name} blob push ${res.status}`);
  return sha(data);
}

/** A 200 MB blob through curl (POST, then a streamed PUT; then GET), timing each side alone. */
async function curlBlob(t: Target, repo: string, file: string, digest: string): Promise<{ put: number; get: number }> {
  const start = await fetch(`${t.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  const loc = new URL(start.headers.get('location')!, t.url);
  loc.searchParams.set('digest', digest);
  const curl = (...args: string[]) => execFileSync('curl', ['-sf', '-o', '/dev/null', ...args]);
  const put = await time(() => curl('-T', file, '-H', 'Content-Type: application/octet-stream', loc.href));
  const get = await time(() => curl(`${t.url}/v2/${repo}/blobs/${digest}`));
  return { put, get };
}

async function concurrentFetch(t: Target, repo: string, digest: string, clients: number): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const res = await fetch(`${t.url}/v2/${repo}/blobs/${digest}`);
      let n = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
      if (n !== 10 * 1024 * 1024) throw new Error(`${t.name} short read ${n}`);
    }),
  );
}

async function manifestPuts(t: Target, repo: string, count: number, concurrency = 8): Promise<void> {
  const cfg = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const cfgDigest = await pushBlob(t, repo, cfg);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const body = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfgDigest, size: cfg.length }, layers: [], annotations: { i: String(i) } });
        const res = await fetch(`${t.url}/v2/${repo}/manifests/t${i}`, { method: 'PUT', body, headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
        if (res.status !== 201) throw new Error(`${t.name} manifest put ${res.status}`);
      }
    }),
  );
}

/** A one-layer image of incompressible data, imported fresh so every push run uploads it all. */
function makeImage(run: number): string {
  const rootfs = join(work, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  execFileSync('cp', ['/bin/busybox', join(rootfs, 'bin/')]);
  writeFileSync(join(rootfs, 'payload'), randomBytes(IMAGE_MB * 1024 * 1024));
  execFileSync('tar', ['-C', rootfs, '-cf', join(work, 'rootfs.tar'), '.']);
  const src = `wharf-rs-bench:${Date.now()}-${run}`;
  docker('import', join(work, 'rootfs.tar'), src);
  rmSync(join(work, 'rootfs.tar'));
  return src;
}

async function main() {
  mkdirSync(join(work, 'docker-config'));
  const wharf = await startWharf();
  const dist = await startDistribution();
  const results: Record<string, Record<string, number[]>> = {};
  const record = (c: string, t: Target, s: number) => {
    ((results[c] ??= {})[t.name] ??= []).push(s);
    console.log(`${c.padEnd(28)} ${t.name.padEnd(13)} ${s.toFixed(3)} s`);
  };
  try {
    const blob = randomBytes(10 * 1024 * 1024);
    for (let run = 0; run < RUNS; run++) {
      // Alternate which registry goes first, so neither always meets a warm or cold cache.
      const targets = run % 2 ? [wharf, dist] : [dist, wharf];
      const src = makeImage(run);
      const ref = (t: Target) => `${t.host}/bench/big:${run}`;
      for (const t of targets) docker('tag', src, ref(t));
      for (const t of targets) record(`docker push ${IMAGE_MB} MB`, t, await time(() => docker('push', ref(t))));
      docker('rmi', src, ...targets.map(ref));
      for (const t of targets) {
        record(`docker pull ${IMAGE_MB} MB`, t, await time(() => docker('pull', ref(t))));
        docker('rmi', ref(t));
      }
      const big = randomBytes(IMAGE_MB * 1024 * 1024);
      writeFileSync(join(work, 'big.bin'), big);
      for (const t of targets) {
        const r = await curlBlob(t, `bench/raw${run}`, join(work, 'big.bin'), sha(big));
        record(`curl PUT ${IMAGE_MB} MB blob`, t, r.put);
        record(`curl GET ${IMAGE_MB} MB blob`, t, r.get);
      }
      for (const t of targets) {
        const d = await pushBlob(t, 'bench/blob', blob);
        await concurrentFetch(t, 'bench/blob', d, 2); // warm up
        record('50 clients x 10 MB blob', t, await time(() => concurrentFetch(t, 'bench/blob', d, 50)));
      }
      for (const t of targets) record('1000 manifest PUTs', t, await time(() => manifestPuts(t, `bench/manifests${run}`, 1000)));
    }

    // Runs are paired (same image, same minute), so the per-run ratio cancels the drift of a
    // shared machine's load; the table shows its median next to the median times.
    console.log(`\n${RUNS} runs; wharf = node ${SERVER} (compiled); ratio = distribution/wharf per run, median (>1: wharf faster)`);
    console.log(`${'case'.padEnd(28)} ${'distribution'.padStart(12)} ${'wharf'.padStart(9)}   ratio   per run`);
    for (const [c, r] of Object.entries(results)) {
      const ratios = r.distribution!.map((d, i) => d / r.wharf![i]!);
      const cells = [median(r.distribution!).toFixed(3).padStart(10) + ' s', median(r.wharf!).toFixed(3).padStart(7) + ' s', `${median(ratios).toFixed(2)}x`.padStart(6)];
      console.log(`${c.padEnd(28)} ${cells.join(' ')}   ${ratios.map((x) => x.toFixed(2)).join(' ')}`);
    }
    console.log(`peak RSS: wharf ${peakRssMb(wharf.proc.pid!).toFixed(0)} MB, distribution ${peakRssMb(dist.proc.pid!).toFixed(0)} MB`);
  } finally {
    for (const t of [wharf, dist]) t.proc.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
