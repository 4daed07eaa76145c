/**
 * Issue 17's benchmark: every everyday command, wharf against the docker CLI talking to a
 * resident dockerd, in the same run on the same data, with the machine's load beside each
 * row (the machine is shared, so only ratios of interleaved pairs mean anything).
 *
 * Data: 1,000 images (one docker-archive of 1,000 configs over one busybox layer, loaded into
 * both), 100 created containers, one running container for `exec`, and a fresh ~111 MB,
 * many-file image (files of /usr/lib under 1 MB: ~8,000 here) pushed by docker to a local distribution registry
 * (Debian's docker-registry on 127.0.0.1). Each row is the median of BENCH_PAIRS (default 7)
 * interleaved pairs, the order inside a pair alternating; the peak RSS of each wharf command
 * is measured once, with /usr/bin/time, outside the timed pairs.
 * Then push + 3 pulls of the 111 MB image for each push compression (gzip -1, gzip -6, zstd)
 * against docker's push + 3 pulls, each round on a fresh registry and fresh wharf roots, so
 * nothing is skipped or mounted.
 *
 * Run (root, after `npm run build`): npx tsx bench/everyday.ts
 *   BENCH_PAIRS=N        pairs per row (default 7)
 *   BENCH_ONLY=a,b       only rows whose name contains one of these words
 *   BENCH_DOCKER_HOST=…  use that (resident) dockerd instead of a private one started here
 *   WHARF_BENCH_BIN=…    time another build's bin/wharf (A/B against main)
 * Prints; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { digestFile } from '../src/core/digest.js';
import { makeBusyboxRootfsTar } from '../test/helpers/busybox.js';
import { startDockerd } from '../test/helpers/dockerd.js';
import { WHARF_BIN, removeDir, tempDir } from '../test/helpers/wharf.js';
import { startDistribution, type Distribution } from '../test/registry/support.js';
import { median, pickFiles } from './common.js';

const PAIRS = Math.max(1, Number(process.env.BENCH_PAIRS ?? 7));
const ONLY = (process.env.BENCH_ONLY ?? '').split(',').filter(Boolean);
const BIN = process.env.WHARF_BENCH_BIN ?? WHARF_BIN;
const DOCKER_CLI = ['/usr/bin/docker', '/usr/local/bin/docker'].find((p) => statSync(p, { throwIfNoEntry: false })) ?? 'docker';
const MB = 1 << 20;

interface Side {
  /** Timed commands, run in order. */
  steps: string[][];
  /** Untimed clean-up after each timed run (e.g. rm what create made). */
  after?: string[][];
}
interface Row {
  name: string;
  wharf: number;
  docker: number;
  load: [number, number];
  rss?: number;
  note?: string;
}

let wharfRoot = '';
let dockerHost = '';
const rows: Row[] = [];

function exec(cmd: string, args: string[], env?: NodeJS.ProcessEnv): { ms: number; out: string } {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30, env: env ?? process.env });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, out: r.stdout.toString() };
}
const wharf = (args: string[]) => exec(BIN, ['--root', wharfRoot, ...args]);
const docker = (args: string[]) => exec(DOCKER_CLI, args, { ...process.env, DOCKER_HOST: dockerHost });
const quiet = (fn: () => unknown) => {
  try {
    fn();
  } catch {
    /* clean-up of something already gone */
  }
};

function runSide(run: (a: string[]) => { ms: number }, side: Side, i: number): number {
  const sub = (a: string[]) => a.map((x) => x.replaceAll('{i}', String(i)));
  let ms = 0;
  for (const s of side.steps) ms += run(sub(s)).ms;
  for (const s of side.after ?? []) run(sub(s));
  return ms;
}

/** Peak RSS (MB) of each timed wharf command of `side`, the largest. */
function peakRss(side: Side, i: number): number {
  let peak = 0;
  const sub = (a: string[]) => a.map((x) => x.replaceAll('{i}', String(i)));
  for (const s of side.steps) {
    const r = spawnSync('/usr/bin/time', ['-f', '%M', BIN, '--root', wharfRoot, ...sub(s)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const kb = Number(/(\d+)\s*$/.exec(r.stderr.toString())?.[1] ?? 0);
    peak = Math.max(peak, kb / 1024);
  }
  for (const s of side.after ?? []) wharf(sub(s));
  return peak;
}

function selected(name: string): boolean {
  return ONLY.length === 0 || ONLY.some((w) => name.includes(w));
}

/** One row: a warm-up of each side, then PAIRS interleaved pairs; peak RSS once. */
function pairRow(name: string, w: Side, d: Side, note?: string): void {
  if (!selected(name)) return;
  let n = 0;
  runSide(wharf, w, n);
  runSide(docker, d, n++);
  const ws: number[] = [];
  const ds: number[] = [];
  const loads: number[] = [];
  for (let p = 0; p < PAIRS; p++) {
    if (p % 2 === 0) {
      ws.push(runSide(wharf, w, n));
      ds.push(runSide(docker, d, n++));
    } else {
      ds.push(runSide(docker, d, n));
      ws.push(runSide(wharf, w, n++));
    }
    loads.push(loadavg()[0]!);
  }
  const rss = peakRss(w, n++);
  const row: Row = { name, wharf: median(ws), docker: median(ds), load: [Math.min(...loads), Math.max(...loads)], rss, note };
  rows.push(row);
  printRow(row);
}

function printRow(r: Row): void {
  const rss = r.rss === undefined ? '' : `  rss ${r.rss.toFixed(0).padStart(3)} MB`;
  console.log(
    `${r.name.padEnd(40)} wharf ${r.wharf.toFixed(0).padStart(6)} ms  docker ${r.docker.toFixed(0).padStart(6)} ms  ratio ${(r.wharf / r.docker).toFixed(2)}x` +
      `  load ${r.load[0].toFixed(1)}-${r.load[1].toFixed(1)}${rss}${r.note ? `  (${r.note})` : ''}`,
  );
}

/** A docker-archive: one layer tar, and one config + RepoTags per entry of `tags`. */
async function makeArchive(dir: string, name: string, layerTar: string, tags: string[], cmd: string[]): Promise<string> {
  const work = join(dir, name);
  mkdirSync(work, { recursive: true });
  const { digest: diffId } = await digestFile(layerTar);
  const manifest = tags.map((tag, i) => {
    const config = {
      architecture: 'amd64',
      os: 'linux',
      created: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
      comment: `perf bench ${i}`,
      config: { Cmd: cmd, Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'perf bench' }],
    };
    writeFileSync(join(work, `c${i}.json`), JSON.stringify(config));
    return { Config: `c${i}.json`, RepoTags: [tag], Layers: ['layer.tar'] };
  });
  writeFileSync(join(work, 'manifest.json'), JSON.stringify(manifest));
  exec('ln', ['-f', layerTar, join(work, 'layer.tar')]);
  const out = join(dir, `${name}.tar`);
  exec('tar', ['-C', work, '-cf', out, '.']);
  removeDir(work);
  return out;
}

/** Push + 3 pulls of `archive`'s image: docker's, and wharf's for each compression choice. */
async function compressionRows(dir: string, archive: string, local: string): Promise<void> {
  const choices: [string, NodeJS.ProcessEnv][] = [
    ['gzip -1', { WHARF_PUSH_GZIP_LEVEL: '1' }],
    ['gzip -6', { WHARF_PUSH_GZIP_LEVEL: '6' }],
  ];
  const rounds = Math.max(1, Number(process.env.BENCH_COMPRESSION_ROUNDS ?? PAIRS));
  const times = new Map<string, number[]>([['docker', []], ...choices.map(([c]) => [c, []] as [string, number[]])]);
  const sizes = new Map<string, number>();
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const reg = await startDistribution(join(dir, `reg-c${r}`));
    try {
      // docker: a fresh registry knows none of its blobs, so the push compresses and uploads all.
      const dref = `${reg.host}/d/many:v1`;
      docker(['load', '-q', '-i', archive]);
      docker(['tag', local, dref]);
      let total = docker(['push', dref]).ms;
      docker(['rmi', dref, local]);
      for (let k = 0; k < 3; k++) {
        total += docker(['pull', dref]).ms;
        docker(['rmi', dref]);
      }
      times.get('docker')!.push(total);
      for (const [choice, env] of choices) {
        const src = join(dir, `w-src-${r}`);
        const dst = join(dir, `w-dst-${r}`);
        const w = (root: string, args: string[]) => exec(BIN, ['--root', root, ...args], { ...process.env, ...env });
        w(src, ['load', '-i', archive]);
        const ref = `${reg.host}/w-${choice.replace(/\W+/g, '')}/many:v1`;
        w(src, ['tag', local, ref]);
        let t = w(src, ['push', ref]).ms;
        sizes.set(choice, layerBlobSize(src, ref));
        for (let k = 0; k < 3; k++) {
          t += w(dst, ['pull', ref]).ms;
          w(dst, ['rmi', ref]);
        }
        times.get(choice)!.push(t);
        removeDir(src);
        removeDir(dst);
      }
      loads.push(loadavg()[0]!);
    } finally {
      reg.stop();
    }
  }
  const d = median(times.get('docker')!);
  for (const [choice] of choices) {
    const row: Row = { name: `push + 3 pulls, wharf ${choice}`, wharf: median(times.get(choice)!), docker: d, load: [Math.min(...loads), Math.max(...loads)] };
    row.note = `layer ${(sizes.get(choice)! / MB).toFixed(1)} MB; ${rounds} rounds`;
    rows.push(row);
    printRow(row);
  }
}

/**
 * What the compression choice costs on its own: compressing the layer once and
 * decompressing it three times, with pigz -1, pigz -6 and zstd -3 (wharf pushes gzip; zstd
 * only in an OCI manifest, which docker 20.10 cannot pull: measured to know what it would buy).
 */
function codecRows(dir: string, layerTar: string): void {
  const out = join(dir, 'codec.out');
  const sh = (cmd: string) => exec('sh', ['-c', cmd]).ms;
  const choices: [string, string, string][] = [
    ['pigz -1', `pigz -1 -n -c ${layerTar} > ${out}`, `unpigz -c ${out} > /dev/null`],
    ['pigz -6', `pigz -6 -n -c ${layerTar} > ${out}`, `unpigz -c ${out} > /dev/null`],
    ['zstd -3', `zstd -3 -T0 -q -c ${layerTar} > ${out}`, `zstd -d -q -c ${out} > /dev/null`],
  ];
  const rounds = Math.max(1, Number(process.env.BENCH_COMPRESSION_ROUNDS ?? PAIRS));
  const results = choices.map(() => [] as number[]);
  const sizes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    choices.forEach(([, comp, decomp], i) => {
      let t = sh(comp);
      sizes[i] = statSync(out).size;
      for (let k = 0; k < 3; k++) t += sh(decomp);
      results[i]!.push(t);
    });
  }
  choices.forEach(([name], i) => console.log(`codec only: ${name.padEnd(8)} compress + 3 decompressions ${median(results[i]!).toFixed(0).padStart(6)} ms, ${(sizes[i]! / MB).toFixed(1)} MB`));
}

/** Compressed size of the (one) layer the registry got for `ref`, from wharf's own records. */
function layerBlobSize(root: string, ref: string): number {
  const out = exec(BIN, ['--root', root, 'image', 'inspect', '--format', '{{index .RootFS.Layers 0}}', ref]).out.trim();
  const hit = spawnSync('sqlite3', [join(root, 'wharf.db'), `SELECT size FROM layer_blobs WHERE diff_id = '${out}' ORDER BY rowid DESC LIMIT 1`], { encoding: 'utf8' });
  return Number(hit.stdout.trim() || 0);
}

async function main(): Promise<void> {
  const dir = tempDir('wharf-bench-everyday-');
  wharfRoot = join(dir, 'wharf');
  let stopDocker: (() => Promise<void>) | undefined;
  let reg: Distribution | undefined;
  try {
    if (process.env.BENCH_DOCKER_HOST) dockerHost = process.env.BENCH_DOCKER_HOST;
    else {
      const d = await startDockerd();
      if (typeof d === 'string') throw new Error(`no dockerd: ${d}`);
      dockerHost = d.host;
      stopDocker = d.stop;
    }
    console.log(`wharf: ${BIN}\ndocker: ${DOCKER_CLI} ${docker(['version', '--format', '{{.Client.Version}} / dockerd {{.Server.Version}}']).out.trim()} at ${dockerHost}`);
    console.log(`load at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${PAIRS} interleaved pairs per row, medians\n`);

    // --- data ---------------------------------------------------------------
    const bbTar = await makeBusyboxRootfsTar(dir);
    const img = 'perf-bench/bb:v1';
    const bbArchive = await makeArchive(dir, 'bb', bbTar, [img], ['sh']);
    const many = await makeArchive(dir, 'many', bbTar, Array.from({ length: 1000 }, (_, i) => `perf-bench/img${i}:v1`), ['sh']);
    for (const a of [bbArchive, many]) {
      wharf(['load', '-q', '-i', a]);
      docker(['load', '-q', '-i', a]);
    }
    for (let i = 0; i < 100; i++) {
      wharf(['create', '--name', `perf-bench-c${i}`, img, 'true']);
      docker(['create', '--name', `perf-bench-c${i}`, img, 'true']);
    }
    wharf(['run', '-d', '--name', 'perf-bench-exec', img, 'sleep', '100000']);
    docker(['run', '-d', '--name', 'perf-bench-exec', img, 'sleep', '100000']);

    const files = join(dir, 'files');
    const picked = pickFiles('/usr/lib', 111 * MB, 1 * MB);
    writeFileSync(files, picked.join('\n') + '\n');
    const bigLayer = join(dir, 'big-layer.tar');
    exec('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', '/', '-cf', bigLayer, '-T', files, '-C', join(dir, 'rootfs'), '.']);
    const bigLocal = 'perf-bench/many:v1';
    const bigArchive = await makeArchive(dir, 'big', bigLayer, [bigLocal], ['/bin/true']);
    console.log(`fresh image: ${picked.length} files of /usr/lib over busybox, ${(statSync(bigLayer).size / MB).toFixed(0)} MB layer`);
    docker(['load', '-q', '-i', bigArchive]);
    reg = await startDistribution(join(dir, 'registry'));
    const bigRef = `${reg.host}/perf/many:v1`;
    docker(['tag', bigLocal, bigRef]);
    docker(['push', bigRef]);
    // Neither engine keeps any of it: every pull below downloads and unpacks the whole layer.
    docker(['rmi', bigRef, bigLocal]);

    // --- rows ---------------------------------------------------------------
    const same = (steps: string[][], after?: string[][]): [Side, Side] => [{ steps, after }, { steps, after }];
    pairRow('images (1,000 images)', ...same([['images']]));
    pairRow('ps -a (100 containers)', ...same([['ps', '-a']]));
    pairRow('image inspect', ...same([['image', 'inspect', 'perf-bench/img500:v1']]));
    pairRow('inspect (container)', ...same([['inspect', 'perf-bench-c50']]));
    pairRow('version', ...same([['version']]));
    pairRow('create', ...same([['create', '--name', 'perf-bench-new{i}', img, 'true']], [['rm', 'perf-bench-new{i}']]));
    pairRow('exec CTR true', ...same([['exec', 'perf-bench-exec', 'true']]));
    pairRow('run --rm IMG true', ...same([['run', '--rm', img, 'true']]));
    pairRow('run -d + stop -t 0 + rm', ...same([['run', '-d', '--name', 'perf-bench-d{i}', img, 'sleep', '1000'], ['stop', '-t', '0', 'perf-bench-d{i}'], ['rm', 'perf-bench-d{i}']]));
    pairRow(
      'pull + first run (111 MB, fresh)',
      ...same([['pull', '-q', bigRef], ['run', '--rm', bigRef, 'true']], [['rmi', bigRef]]),
      `${picked.length} files`,
    );
    if (selected('push')) {
      await compressionRows(dir, bigArchive, bigLocal);
      codecRows(dir, bigLayer);
    }

    console.log('\n| command | wharf | docker | wharf/docker | load | wharf peak RSS |\n|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.name} | ${r.wharf.toFixed(0)} ms | ${r.docker.toFixed(0)} ms | ${(r.wharf / r.docker).toFixed(2)}x | ${r.load[0].toFixed(1)}-${r.load[1].toFixed(1)} | ${r.rss === undefined ? '' : `${r.rss.toFixed(0)} MB`} |`);
    }
  } finally {
    reg?.stop();
    if (dockerHost) {
      quiet(() => docker(['rm', '-f', 'perf-bench-exec']));
      if (stopDocker) await stopDocker();
      else {
        const ids = docker(['ps', '-aq', '--filter', 'name=perf-bench-']).out.split('\n').filter(Boolean);
        if (ids.length) quiet(() => docker(['rm', '-f', ...ids]));
        const imgs = docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).out.split('\n').filter((s) => s.startsWith('perf-bench/') || s.includes('/perf/many'));
        if (imgs.length) quiet(() => docker(['rmi', '-f', ...imgs]));
      }
    }
    quiet(() => wharf(['rm', '-f', 'perf-bench-exec']));
    removeDir(dir);
  }
}

await main();
