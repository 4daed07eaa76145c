/**
 * What the registry benchmarks share: starting and waiting for servers, timing, and the
 * client workloads (blob pushes, a streamed curl PUT/GET, concurrent blob GETs, manifest PUTs,
 * a fresh incompressible docker image), so every benchmark measures the same things the same way.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { median } from './common.js';

export const DOCKER_HOST = process.env.WHARF_TEST_DOCKER_HOST ?? 'unix:///tmp/d/docker.sock';

/** A numeric command-line option (`--name N`), or its default. */
export const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

/** The docker CLI against DOCKER_HOST with its own config dir under `work`. */
export function dockerIn(work: string): (...args: string[]) => string {
  const env = { ...process.env, DOCKER_HOST, DOCKER_CONFIG: join(work, 'docker-config') };
  return (...args: string[]) => execFileSync('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 }).toString();
}

export const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

export interface Target {
  name: string;
  url: string;
  host: string;
  proc: ChildProcess;
}

/** Peak resident set (VmHWM) of a process, in MB. */
export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function time(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * POST of a new upload. A kept-alive connection the server closed as idle while docker ran
 * (a minute or more) fails once with "other side closed"; a second try gets a fresh one.
 */
async function startUpload(t: Target, repo: string): Promise<Response> {
  const post = () => fetch(`${t.url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  return post().catch(() => post());
}

export async function pushBlob(t: Target, repo: string, data: Buffer): Promise<string> {
  const start = await startUpload(t, repo);
  const loc = new URL(start.headers.get('location')!, t.url);
  loc.searchParams.set('digest', sha(data));
  const res = await fetch(loc, { method: 'PUT', body: new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.length), headers: { 'Content-Type': 'application/octet-stream' } });
  if (res.status !== 201) throw new Error(`${t.name} blob push ${res.status}`);
  return sha(data);
}

/** A 200 MB blob through curl (POST, then a streamed PUT; then GET), timing each side alone. */
export async function curlBlob(t: Target, repo: string, file: string, digest: string): Promise<{ put: number; get: number }> {
  const start = await startUpload(t, repo);
  const loc = new URL(start.headers.get('location')!, t.url);
  loc.searchParams.set('digest', digest);
  const curl = (...args: string[]) => execFileSync('curl', ['-sf', '-o', '/dev/null', ...args]);
  const put = await time(() => curl('-T', file, '-H', 'Content-Type: application/octet-stream', loc.href));
  const get = await time(() => curl(`${t.url}/v2/${repo}/blobs/${digest}`));
  return { put, get };
}

export async function concurrentFetch(t: Target, repo: string, digest: string, clients: number): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const res = await fetch(`${t.url}/v2/${repo}/blobs/${digest}`);
      let n = 0;
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
      if (n !== 10 * 1024 * 1024) throw new Error(`${t.name} short read ${n}`);
    }),
  );
}

export async function manifestPuts(t: Target, repo: string, count: number, concurrency = 8): Promise<void> {
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
export function makeImage(work: string, docker: (...args: string[]) => string, imageMb: number, run: number): string {
  const rootfs = join(work, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  execFileSync('cp', ['/bin/busybox', join(rootfs, 'bin/')]);
  writeFileSync(join(rootfs, 'payload'), randomBytes(imageMb * 1024 * 1024));
  execFileSync('tar', ['-C', rootfs, '-cf', join(work, 'rootfs.tar'), '.']);
  const src = `wharf-rs-bench:${Date.now()}-${run}`;
  docker('import', join(work, 'rootfs.tar'), src);
  rmSync(join(work, 'rootfs.tar'));
  return src;
}


/**
 * The results table. Runs are paired (same image, same minute), so the per-run ratio cancels the
 * drift of a shared machine's load; the table shows its median next to the median times.
 */
export function printRatios(results: Results, title: string, base = 'distribution', other = 'wharf'): void {
  console.log(`\n${title}; ratio = ${base}/${other} per run, median (>1: ${other} faster)`);
  console.log(`${'case'.padEnd(28)} ${base.padStart(12)} ${other.padStart(9)}   ratio   per run`);
  for (const [c, r] of Object.entries(results)) {
    if (!r[base] || !r[other]) continue;
    const ratios = r[base]!.map((d, i) => d / r[other]![i]!);
    const cells = [median(r[base]!).toFixed(3).padStart(10) + ' s', median(r[other]!).toFixed(3).padStart(7) + ' s', `${median(ratios).toFixed(2)}x`.padStart(6)];
    console.log(`${c.padEnd(28)} ${cells.join(' ')}   ${ratios.map((x) => x.toFixed(2)).join(' ')}`);
  }
}

export interface RunContext {
  work: string;
  docker: (...args: string[]) => string;
  imageMb: number;
  /** The 10 MB blob the concurrent clients fetch. */
  blob: Buffer;
  record: (case_: string, t: Target, seconds: number) => void;
}

export type Results = Record<string, Record<string, number[]>>;

/** `runs` paired runs of every case on `a` and `b`, alternating which goes first so neither always meets a warm or cold cache. */
export async function pairedRuns(a: Target, b: Target, runs: number, ctx: Omit<RunContext, 'blob' | 'record'>): Promise<Results> {
  const results: Results = {};
  const record = (c: string, t: Target, s: number) => {
    ((results[c] ??= {})[t.name] ??= []).push(s);
    console.log(`${c.padEnd(28)} ${t.name.padEnd(13)} ${s.toFixed(3)} s`);
  };
  const blob = randomBytes(10 * 1024 * 1024);
  for (let run = 0; run < runs; run++) await pairedRun(run % 2 ? [a, b] : [b, a], run, { ...ctx, blob, record });
  return results;
}

/**
 * One run of every case against each target in turn: docker push and pull of a fresh image, a
 * raw blob by curl, 50 clients fetching a 10 MB blob, 1,000 manifest PUTs.
 */
export async function pairedRun(targets: Target[], run: number, { work, docker, imageMb, blob, record }: RunContext): Promise<void> {
  const src = makeImage(work, docker, imageMb, run);
  const ref = (t: Target) => `${t.host}/bench/big:${run}`;
  for (const t of targets) docker('tag', src, ref(t));
  for (const t of targets) record(`docker push ${imageMb} MB`, t, await time(() => docker('push', ref(t))));
  docker('rmi', src, ...targets.map(ref));
  for (const t of targets) {
    record(`docker pull ${imageMb} MB`, t, await time(() => docker('pull', ref(t))));
    docker('rmi', ref(t));
  }
  const big = randomBytes(imageMb * 1024 * 1024);
  writeFileSync(join(work, 'big.bin'), big);
  for (const t of targets) {
    const r = await curlBlob(t, `bench/raw${run}`, join(work, 'big.bin'), sha(big));
    record(`curl PUT ${imageMb} MB blob`, t, r.put);
    record(`curl GET ${imageMb} MB blob`, t, r.get);
  }
  for (const t of targets) {
    const d = await pushBlob(t, 'bench/blob', blob);
    await concurrentFetch(t, 'bench/blob', d, 2); // warm up
    record('50 clients x 10 MB blob', t, await time(() => concurrentFetch(t, 'bench/blob', d, 50)));
  }
  for (const t of targets) record('1000 manifest PUTs', t, await time(() => manifestPuts(t, `bench/manifests${run}`, 1000)));
}
