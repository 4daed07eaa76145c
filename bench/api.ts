/**
 * The Engine API server, `wharf serve` vs the local dockerd, in the same run with the same
 * docker CLI and busybox image: `docker run --rm IMG true`, `docker ps -a` with 100
 * containers, `docker images` with 1,000 image names, and 50 concurrent clients on
 * GET /containers/json (throughput, and the server's RSS). Prints ratios (wharf / docker;
 * for throughput docker / wharf, so below 1 is better for wharf everywhere).
 * Usage: npx tsx bench/api.ts   (DOCKER_HOST defaults to unix:///tmp/d/docker.sock)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { busybox } from '../test/helpers/images.js';
import { serve } from '../test/api/helpers.js';
import { median } from './common.js';

const DOCKERD = process.env.DOCKER_HOST ?? 'unix:///tmp/d/docker.sock';
const CLI = process.env.DOCKER_CLI ?? '/usr/local/bin/docker';
const IMG = 'api-bench:bb';
const sockOf = (host: string) => host.replace(/^unix:\/\//, '');

function cli(host: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(CLI, args, { env: { ...process.env, DOCKER_HOST: host }, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} against ${host}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function api(sock: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({ socketPath: sock, method, path, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function line(name: string, w: number, d: number, unit = 'ms', inverse = false): void {
  const ratio = inverse ? d / w : w / d;
  console.log(`${name.padEnd(40)} wharf ${w.toFixed(0).padStart(7)} ${unit}   docker ${d.toFixed(0).padStart(7)} ${unit}   ratio ${ratio.toFixed(2)}x`);
}

/** `clients` concurrent loops of GET /containers/json for `ms`; requests per second. */
async function throughput(sock: string, clients: number, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let n = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    while (Date.now() < end) {
      const r = await api(sock, 'GET', '/v1.41/containers/json?all=1');
      if (r.status !== 200) throw new Error(`status ${r.status}`);
      n++;
    }
  }));
  return (n * 1000) / ms;
}

const s = await serve();
const wsock = s.sock;
const dsock = sockOf(DOCKERD);
const made: { containers: string[]; tags: string[] } = { containers: [], tags: [] };
try {
  cli(DOCKERD, ['import', await busybox(), IMG]);
  spawnSync(CLI, ['tag', s.image, IMG], { env: { ...process.env, DOCKER_HOST: s.host } });
  console.log(`wharf serve pid ${s.child.pid}, dockerd at ${DOCKERD}, CLI ${CLI}`);

  // Warm both (page cache, the CLI's own start-up), then alternate so drift hits both alike.
  cli(s.host, ['run', '--rm', IMG, 'true']);
  cli(DOCKERD, ['run', '--rm', IMG, 'true']);
  const runs = { w: [] as number[], d: [] as number[] };
  for (let i = 0; i < 10; i++) {
    runs.w.push(cli(s.host, ['run', '--rm', IMG, 'true']));
    runs.d.push(cli(DOCKERD, ['run', '--rm', IMG, 'true']));
  }
  line('docker run --rm IMG true (median of 10)', median(runs.w), median(runs.d));

  for (let i = 0; i < 100; i++) {
    for (const sock of [wsock, dsock]) {
      const r = await api(sock, 'POST', `/v1.41/containers/create?name=api-bench-${i}`, { Image: IMG, Cmd: ['true'] });
      if (r.status !== 201) throw new Error(`create: ${r.body}`);
    }
    made.containers.push(`api-bench-${i}`);
  }
  const ps = { w: [] as number[], d: [] as number[] };
  for (let i = 0; i < 7; i++) {
    ps.w.push(cli(s.host, ['ps', '-a']));
    ps.d.push(cli(DOCKERD, ['ps', '-a']));
  }
  line('docker ps -a, 100 containers (median of 7)', median(ps.w), median(ps.d));

  const [repo, tag] = IMG.split(':') as [string, string];
  for (let i = 0; i < 1000; i++) {
    for (const sock of [wsock, dsock]) {
      const r = await api(sock, 'POST', `/v1.41/images/${repo}:${tag}/tag?repo=api-bench-many&tag=t${i}`);
      if (r.status !== 201) throw new Error(`tag: ${r.body}`);
    }
    made.tags.push(`api-bench-many:t${i}`);
  }
  const im = { w: [] as number[], d: [] as number[] };
  for (let i = 0; i < 7; i++) {
    im.w.push(cli(s.host, ['images']));
    im.d.push(cli(DOCKERD, ['images']));
  }
  line('docker images, 1,000 names (median of 7)', median(im.w), median(im.d));

  const tw = await throughput(wsock, 50, 5000);
  const td = await throughput(dsock, 50, 5000);
  line('50 clients GET /containers/json (100)', tw, td, 'req/s', true);
  const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  // bin/wharf runs node itself; the server is that process or its only child.
  const kids = spawnSync('pgrep', ['-P', String(s.child.pid)], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean).map(Number);
  const serverPid = kids[0] ?? s.child.pid!;
  console.log(`wharf serve RSS after the load: ${rss(serverPid).toFixed(0)} MB`);
} finally {
  for (const name of made.containers) await api(dsock, 'DELETE', `/v1.41/containers/${name}?force=1`).catch(() => undefined);
  for (const t of made.tags) await api(dsock, 'DELETE', `/v1.41/images/${t}`).catch(() => undefined);
  await api(dsock, 'DELETE', `/v1.41/images/${IMG}`).catch(() => undefined);
  await s.stop();
}
