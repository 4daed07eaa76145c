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
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arg, dockerIn, freePort, pairedRuns, peakRssMb, printRatios, waitUp, type Target } from './registry-common.js';

const IMAGE_MB = arg('--size-mb', 200);
const RUNS = arg('--runs', 5);
const SERVER = 'dist/registry/server/main.js';
const work = mkdtempSync(join(tmpdir(), 'wharf-rs-bench-'));
const docker = dockerIn(work);

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

async function main() {
  mkdirSync(join(work, 'docker-config'));
  const wharf = await startWharf();
  const dist = await startDistribution();
  try {
    const results = await pairedRuns(wharf, dist, RUNS, { work, docker, imageMb: IMAGE_MB });
    printRatios(results, `${RUNS} runs; wharf = node ${SERVER} (compiled)`);
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
