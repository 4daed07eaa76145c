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

/** Wall time of one process, failing loudly if it fails (a fast error is no result). */
function timeProcess(cmd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
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
    const cases: [string, string, string[]][] = [
      ['node -e 0', process.execPath, ['-e', '0']],
      ['wharf version', WHARF_BIN, ['--root', root, 'version']],
      ['wharf images (1,000 images)', WHARF_BIN, ['--root', root, 'images']],
      ['wharf image inspect', WHARF_BIN, ['--root', root, 'image', 'inspect', 'many/img500:v1']],
      ['wharf ps -a', WHARF_BIN, ['--root', root, 'ps', '-a']],
    ];
    // One warm-up of each, then interleaved rounds so background load hits all alike.
    for (const [, cmd, args] of cases) timeProcess(cmd, args);
    const times = cases.map(() => [] as number[]);
    for (let r = 0; r < ROUNDS; r++) cases.forEach(([, cmd, args], i) => times[i]!.push(timeProcess(cmd, args)));
    console.log(`median of ${ROUNDS} rounds (min .. max)`);
    cases.forEach(([name], i) => {
      const xs = times[i]!;
      console.log(`${name.padEnd(30)} ${median(xs).toFixed(0).padStart(5)} ms   (${Math.min(...xs).toFixed(0)} .. ${Math.max(...xs).toFixed(0)})`);
    });
  } finally {
    removeDir(work);
  }
}

await main();
