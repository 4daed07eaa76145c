/**
 * Issue 2 benchmark: `save` and `load` of a ~200 MB one-layer image and a 10-layer
 * image, wharf vs docker on the same archives in the same run; then `images` and
 * `image inspect` with 1,000 images in the store. Run: npx tsx bench/images.ts
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startDockerd } from '../test/helpers/dockerd.js';
import { tempDir, WHARF_BIN } from '../test/helpers/wharf.js';
import { median, report, run, timeMs } from './common.js';
import { Engine } from '../src/engine/engine.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function makeContext(dir: string, layers: number, totalMb: number): void {
  mkdirSync(dir, { recursive: true });
  const perLayer = Math.floor(totalMb / layers);
  const lines = ['FROM scratch'];
  for (let l = 0; l < layers; l++) {
    mkdirSync(join(dir, `d${l}`));
    // Half random, half repetitive, like real files; 10 files per layer.
    for (let f = 0; f < 10; f++) {
      const size = Math.floor((perLayer * 1024 * 1024) / 10);
      const buf = Buffer.alloc(size, `layer ${l} file ${f} `);
      randomBytes(size / 2).copy(buf);
      writeFileSync(join(dir, `d${l}`, `f${f}`), buf);
    }
    lines.push(`COPY d${l} /d${l}`);
  }
  writeFileSync(join(dir, 'Dockerfile'), lines.join('\n') + '\n');
}

async function main() {
  const d = await startDockerd();
  if (typeof d === 'string') {
    console.log(`skipped: ${d}`);
    return;
  }
  const work = tempDir('wharf-bench-');
  const root = join(work, 'wharf-root');
  const wharf = (...args: string[]) => run(WHARF_BIN, ['--root', root, ...args]);
  const lines: string[] = [];
  try {
    for (const [name, layers] of [['one-layer 200MB', 1], ['10-layer 200MB', 10]] as const) {
      const ctx = join(work, `ctx${layers}`);
      makeContext(ctx, layers, 200);
      const tag = `bench:${layers}`;
      const b = d.docker(['build', '-q', '-t', tag, ctx]);
      if (b.code !== 0) throw new Error(b.stderr);
      const dockerTar = join(work, `docker-${layers}.tar`);
      const wharfTar = join(work, `wharf-${layers}.tar`);
      const saveD: number[] = [];
      const saveW: number[] = [];
      const loadD: number[] = [];
      const loadW: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        saveD.push(timeMs(() => d.docker(['save', '-o', dockerTar, tag])));
        wharf('rmi', '-f', tag);
        loadW.push(timeMs(() => wharf('load', '-i', dockerTar)));
        saveW.push(timeMs(() => wharf('save', '-o', wharfTar, tag)));
        d.docker(['rmi', '-f', tag]);
        loadD.push(timeMs(() => d.docker(['load', '-i', wharfTar])));
      }
      lines.push(report(`save ${name}`, median(saveW), median(saveD)));
      lines.push(report(`load ${name}`, median(loadW), median(loadD)));
      rmSync(ctx, { recursive: true, force: true });
    }
    // 1,000 images: add them in-process (fast), then time the CLI as a user runs it.
    const engine = Engine.open({ root });
    const base = engine.images.get('bench:1');
    for (let i = 0; i < 1000; i++) {
      const config = { ...base.config, created: new Date(Date.now() - i * 1000).toISOString(), comment: `bench ${i}` };
      engine.images.addImage(config, { tags: [`many/img${i}:v1`] });
    }
    engine.close();
    const ls = median([0, 1, 2, 3, 4].map(() => timeMs(() => wharf('images'))));
    const insp = median([0, 1, 2, 3, 4].map(() => timeMs(() => wharf('image', 'inspect', 'many/img500:v1'))));
    const nodeStart = median([0, 1, 2].map(() => timeMs(() => run('node', ['-e', '0']))));
    lines.push(`images with 1,000 images: ${ls.toFixed(0)} ms (of which node start-up ${nodeStart.toFixed(0)} ms)`);
    lines.push(`image inspect with 1,000 images: ${insp.toFixed(0)} ms`);
    console.log(lines.slice(-2).join('\n'));
  } finally {
    await d.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
