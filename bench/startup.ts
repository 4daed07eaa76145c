/**
 * Start-up benchmark for the CLI (issues 2 and 3): how long a whole `bin/wharf` process
 * takes for cheap commands, where node start-up, module loading and opening the
 * database are most of the time. Builds a store of 1,000 images in-process, then prints
 * medians of interleaved rounds for `version`, `images`, `image inspect`, `ps -a` and a
 * bare `node -e 0` for reference. Prints numbers; asserts nothing.
 * Run: npx tsx bench/startup.ts   (BENCH_ROUNDS=N to change the number of rounds)
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, removeDir, WHARF_BIN } from '../test/helpers/wharf.js';
import { median } from './common.js';
import { Engine } from '../src/engine/engine.js';
import { importImage } from '../src/engine/images/import.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
/** WHARF_BENCH_BIN=path times another build (e.g. an older checkout's bin/wharf). */
const BIN = process.env.WHARF_BENCH_BIN ?? WHARF_BIN;

/** Wall time of one process, failing loudly if it fails (a fast error is no result). */
function timeProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30, env });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

async function fillStore(root: string, work: string): Promise<void> {
  const ctx = join(work, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'hello'), 'hello\n');
  const tar = join(work, 'layer.tar');
  if (spawnSync('tar', ['-cf', tar, '-C', ctx, '.']).status !== 0) throw new Error('tar failed');
  const engine = Engine.open({ root });
  try {
    const base = await importImage(engine.images, createReadStream(tar), { source: tar, repository: 'base:1' });
    const config = engine.images.get(base.id).config;
    for (let i = 0; i < 1000; i++) {
      const c = { ...config, created: new Date(Date.now() - i * 1000).toISOString(), comment: `bench ${i}` };
      engine.images.addImage(c, { tags: [`many/img${i}:v1`] });
    }
  } finally {
    engine.close();
  }
}

async function main(): Promise<void> {
  const work = tempDir('wharf-bench-startup-');
  const root = join(work, 'root');
  try {
    await fillStore(root, work);
    // bin/wharf keeps NODE_EXTRA_CA_CERTS from node's start-up (see its header); node alone pays it.
    const noCa = { ...process.env };
    delete noCa.NODE_EXTRA_CA_CERTS;
    const cases: [string, string, string[], NodeJS.ProcessEnv?][] = [
      ['node -e 0', process.execPath, ['-e', '0']],
      ...(process.env.NODE_EXTRA_CA_CERTS ? [['node -e 0, no NODE_EXTRA_CA_CERTS', process.execPath, ['-e', '0'], noCa] as [string, string, string[], NodeJS.ProcessEnv]] : []),
      ['wharf version', BIN, ['--root', root, 'version']],
      ['wharf images (1,000 images)', BIN, ['--root', root, 'images']],
      ['wharf image inspect', BIN, ['--root', root, 'image', 'inspect', 'many/img500:v1']],
      ['wharf ps -a', BIN, ['--root', root, 'ps', '-a']],
    ];
    // One warm-up of each, then interleaved rounds so background load hits all alike.
    for (const [, cmd, args, env] of cases) timeProcess(cmd, args, env);
    const times = cases.map(() => [] as number[]);
    for (let r = 0; r < ROUNDS; r++) cases.forEach(([, cmd, args, env], i) => times[i]!.push(timeProcess(cmd, args, env)));
    const probe = spawnSync(BIN, ['--root', root, 'version'], { env: { ...process.env, WHARF_DEBUG_CODE_CACHE: '1' }, encoding: 'utf8' });
    console.log(/wharf: code cache \w+/.exec(probe.stderr)?.[0] ?? 'wharf: no code cache report (an older launcher)');
    console.log(`${BIN}: median of ${ROUNDS} rounds (min .. max)`);
    cases.forEach(([name], i) => {
      const xs = times[i]!;
      console.log(`${name.padEnd(36)} ${median(xs).toFixed(0).padStart(5)} ms   (${Math.min(...xs).toFixed(0)} .. ${Math.max(...xs).toFixed(0)})`);
    });
  } finally {
    removeDir(work);
  }
}

await main();
