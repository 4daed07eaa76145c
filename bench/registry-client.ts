/**
 * Registry push/pull benchmark: wharf against docker, in the same run, through one local
 * distribution registry (Debian's docker-registry on 127.0.0.1), on the same images loaded into
 * both engines from one docker-archive: a ~200 MB one-layer image (files of /usr/lib: real,
 * compressible binaries) and a 10-layer image. Pushes go to separate repositories (nothing
 * shared); both engines then pull the docker-pushed image after deleting it locally. Prints
 * each time and the wharf/docker ratio. Not a test: `npx tsx bench/registry-client.ts`.
 * Needs `npm run build` first, root, dockerd and docker-registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { pickFiles } from './common.js';
import { join } from 'node:path';
import { digestFile } from '../src/core/digest.js';
import { startDockerd, type Dockerd } from '../test/helpers/dockerd.js';
import { WHARF_BIN, removeDir, tempDir } from '../test/helpers/wharf.js';
import { startDistribution } from '../test/registry/support.js';

const MB = 1 << 20;

/** A docker-archive (legacy manifest.json layout) of an image whose layers hold `groups` of files. */
async function makeArchive(dir: string, name: string, ref: string, groups: string[][]): Promise<string> {
  const work = join(dir, name);
  mkdirSync(work, { recursive: true });
  const layers: string[] = [];
  const diffIds: string[] = [];
  for (const [i, files] of groups.entries()) {
    const list = join(work, `files${i}`);
    writeFileSync(list, files.join('\n') + '\n');
    const tar = `layer${i}.tar`;
    execFileSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', '/', '-cf', join(work, tar), '-T', list]);
    layers.push(tar);
    diffIds.push((await digestFile(join(work, tar))).digest);
  }
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/true'] }, rootfs: { type: 'layers', diff_ids: diffIds }, history: diffIds.map(() => ({ created_by: 'bench' })) });
  writeFileSync(join(work, 'config.json'), config);
  writeFileSync(join(work, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: [ref], Layers: layers }]));
  const out = join(dir, `${name}.tar`);
  execFileSync('tar', ['-C', work, '-cf', out, 'config.json', 'manifest.json', ...layers]);
  return out;
}

function timed(label: string, fn: () => void): number {
  const t0 = performance.now();
  fn();
  const s = (performance.now() - t0) / 1000;
  console.log(`  ${label.padEnd(28)} ${s.toFixed(2)} s`);
  return s;
}

function must(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

async function main(): Promise<void> {
  const dir = tempDir('wharf-bench-registry-');
  const d = await startDockerd();
  if (typeof d === 'string') throw new Error(`no dockerd: ${d}`);
  const dockerd: Dockerd = d;
  const reg = await startDistribution(join(dir, 'registry'));
  const root = join(dir, 'wharf');
  const wharf = (args: string[]) => must(WHARF_BIN, ['--root', root, ...args]);
  const docker = (args: string[]) => must('docker', args, { DOCKER_HOST: dockerd.host });
  const rows: { name: string; op: string; wharf: number; docker: number }[] = [];
  try {
    const big = pickFiles('/usr/lib', 200 * MB, 50 * MB);
    const ten = pickFiles('/usr/share', 150 * MB, 50 * MB);
    const groups = Array.from({ length: 10 }, (_, i) => ten.filter((_f, j) => j % 10 === i));
    const images = [
      { name: 'one-layer-200mb', groups: [big] },
      { name: 'ten-layers', groups },
    ];
    for (const img of images) {
      const local = `bench/${img.name}:v1`;
      const archive = await makeArchive(dir, img.name, local, img.groups);
      console.log(`${img.name}: ${(statSync(archive).size / MB).toFixed(0)} MiB archive`);
      wharf(['load', '-i', archive]);
      docker(['load', '-i', archive]);
      const w = `${reg.host}/w/${img.name}:v1`;
      const k = `${reg.host}/d/${img.name}:v1`;
      wharf(['tag', local, w]);
      docker(['tag', local, k]);
      const wp = timed('wharf push', () => wharf(['push', w]));
      const dp = timed('docker push', () => docker(['push', k]));
      rows.push({ name: img.name, op: 'push', wharf: wp, docker: dp });
      wharf(['rmi', local, w]);
      docker(['rmi', local, k]);
      const wl = timed('wharf pull (docker-pushed)', () => wharf(['pull', k]));
      const dl = timed('docker pull (docker-pushed)', () => docker(['pull', k]));
      rows.push({ name: img.name, op: 'pull', wharf: wl, docker: dl });
      wharf(['rmi', k]);
      docker(['rmi', k]);
    }
    console.log('\nimage             op     wharf    docker   wharf/docker');
    for (const r of rows) {
      console.log(`${r.name.padEnd(17)} ${r.op.padEnd(6)} ${r.wharf.toFixed(2).padStart(6)} s ${r.docker.toFixed(2).padStart(6)} s   ${(r.wharf / r.docker).toFixed(2)}`);
    }
  } finally {
    reg.stop();
    await dockerd.stop();
    removeDir(dir);
  }
}

await main();
