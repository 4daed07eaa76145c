/**
 * Container benchmarks, wharf vs the local dockerd in the same run on the same rootfs:
 * `run --rm IMG true` median latency (default network, then --network none), commit of 100 MB of changes, create/start/stop/rm of
 * 50 detached containers, and the RSS of one idle monitor. Prints ratios (wharf / docker).
 * Usage: npx tsx bench/containers.ts   (DOCKER_HOST defaults to unix:///tmp/d/docker.sock)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fixture } from '../test/containers/helpers/fixture.js';

const repo = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const dockerEnv = { ...process.env, DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///tmp/d/docker.sock' };
const fx = new Fixture();

const wharfCmd = [join(repo, 'bin', 'wharf'), '--root', fx.root];
const wharf = (args: string[]) => execFileSync(wharfCmd[0]!, [...wharfCmd.slice(1), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const docker = (args: string[]) => execFileSync('docker', args, { encoding: 'utf8', env: dockerEnv, stdio: ['ignore', 'pipe', 'pipe'] });
const dockerOk = spawnSync('docker', ['version'], { env: dockerEnv }).status === 0;

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const report = (name: string, w: number, d?: number) =>
  console.log(`${name.padEnd(36)} wharf ${w.toFixed(0).padStart(6)} ms   docker ${d === undefined ? '   n/a' : d.toFixed(0).padStart(6)} ms   ratio ${d ? (w / d).toFixed(2) : 'n/a'}`);

const img = fx.busybox('bench:bb');
const tar = join(fx.dir, 'rootfs.tar');
if (dockerOk) execFileSync('docker', ['import', '-c', 'CMD ["sh"]', tar, 'wharf-bench:bb'], { env: dockerEnv, stdio: 'ignore' });
else console.log('docker: skipped (no dockerd at DOCKER_HOST)');
console.log(`wharf via: ${wharfCmd[0]}`);

try {
  // The command uses each engine's default network (a bridge, a veth pair and NAT on
  // both sides); --network none isolates the rest. Runs alternate, so drift hits both alike.
  const N = 15;
  for (const net of [[], ['--network', 'none']]) {
    const dockerRuns = dockerOk && spawnSync('docker', ['run', '--rm', ...net, 'wharf-bench:bb', 'true'], { env: dockerEnv }).status === 0;
    if (dockerOk && !dockerRuns) console.log(`docker: run ${net.join(' ') || 'on its default bridge'} fails here (a dockerd started with --bridge none?)`);
    const w: number[] = [];
    const d: number[] = [];
    for (let i = 0; i < N; i++) {
      w.push(time(() => wharf(['run', '--rm', ...net, img, 'true'])));
      if (dockerRuns) d.push(time(() => docker(['run', '--rm', ...net, 'wharf-bench:bb', 'true'])));
    }
    report(`run --rm ${net.length ? '--network none ' : ''}IMG true (median)`, median(w), dockerRuns ? median(d) : undefined);
  }

  const fill = 'dd if=/dev/urandom of=/big bs=1M count=100 2>/dev/null';
  wharf(['run', '--network', 'none', '--name', 'bench-commit', img, 'sh', '-c', fill]);
  const wc = time(() => wharf(['commit', 'bench-commit', 'bench:committed']));
  let dc: number | undefined;
  if (dockerOk) {
    docker(['run', '--network', 'none', '--name', 'wharf-bench-commit', 'wharf-bench:bb', 'sh', '-c', fill]);
    dc = time(() => docker(['commit', 'wharf-bench-commit', 'wharf-bench:committed']));
    docker(['rm', 'wharf-bench-commit']);
    docker(['rmi', 'wharf-bench:committed']);
  }
  report('commit of 100 MB of changes', wc, dc);
  wharf(['rm', 'bench-commit']);

  const cycle = (run: (a: string[]) => string, image: string, prefix: string) => () => {
    const ids = Array.from({ length: 50 }, (_, i) => run(['create', '--network', 'none', '--name', `${prefix}${i}`, image, 'sleep', '600']).trim());
    run(['start', ...ids]);
    run(['stop', '-t', '0', ...ids]);
    run(['rm', ...ids]);
  };
  const wl = time(cycle(wharf, img, 'wb'));
  const dl = dockerOk ? time(cycle(docker, 'wharf-bench:bb', 'wharf-bench-')) : undefined;
  report('create/start/stop/rm 50 containers', wl, dl);

  const id = wharf(['run', '-d', '--network', 'none', img, 'sleep', '600']).trim();
  const st = JSON.parse(readFileSync(join(fx.root, 'containers', id, 'state.json'), 'utf8')) as { MonitorPid: number };
  await new Promise((r) => setTimeout(r, 1000));
  // RSS counts node's own code, shared by every monitor; Private_Dirty is what each one adds.
  const smaps = readFileSync(`/proc/${st.MonitorPid}/smaps_rollup`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(smaps)?.[1] ?? 0) / 1024;
  console.log(`idle monitor memory                  RSS ${kb('Rss').toFixed(1)} MB, private ${kb('Private_Dirty').toFixed(1)} MB (docker's per-container shim is containerd-shim-runc-v2)`);
  wharf(['rm', '-f', id]);
} finally {
  if (dockerOk) spawnSync('docker', ['rmi', 'wharf-bench:bb'], { env: dockerEnv });
  fx.cleanup();
}
