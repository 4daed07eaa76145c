/**
 * Issue 13 benchmark: `build` of a 7-step Dockerfile on the busybox base (FROM, ENV, ARG, two
 * RUNs, COPY of a 20 MB context of 1,000 files, CMD), wharf vs dockerd's classic builder
 * (DOCKER_BUILDKIT=0) on the same context in the same run: cold (--no-cache), fully cached,
 * and after one file of the context changed (only the COPY and the steps after it run).
 * Run: npx tsx bench/build.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startDockerd } from '../test/helpers/dockerd.js';
import { tempDir, WHARF_BIN } from '../test/helpers/wharf.js';
import { busybox } from '../test/helpers/images.js';
import { median, report, run, timeMs } from './common.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

function makeContext(dir: string): void {
  mkdirSync(join(dir, 'files'), { recursive: true });
  for (let i = 0; i < 1000; i++) writeFileSync(join(dir, 'files', `f${i}`), randomBytes(20 * 1024));
  writeFileSync(
    join(dir, 'Dockerfile'),
    'FROM bb\nENV APP=/app\nARG VERSION=1\nRUN mkdir -p $APP && echo $VERSION > $APP/version\nRUN echo built > /built\nCOPY files /app/files\nCMD ["sh"]\n',
  );
}

async function main() {
  process.env.DOCKER_BUILDKIT = '0';
  const d = await startDockerd();
  if (typeof d === 'string') {
    console.log(`skipped: ${d}`);
    return;
  }
  const work = tempDir('wharf-bench-build-');
  const root = join(work, 'wharf-root');
  const ctx = join(work, 'ctx');
  makeContext(ctx);
  const wharf = (...args: string[]) => run(WHARF_BIN, ['--root', root, ...args]);
  const docker = (...args: string[]) => {
    const r = d.docker(args);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  };
  try {
    const bb = await busybox();
    wharf('import', bb, 'bb');
    docker('import', bb, 'bb');
    const lines: string[] = [];
    const phase = (name: string, args: string[], before?: (i: number) => void) => {
      const w: number[] = [];
      const k: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        before?.(i * 2);
        w.push(timeMs(() => wharf('build', '-q', ...args, '-t', 'bench-build', ctx)));
        before?.(i * 2 + 1);
        k.push(timeMs(() => docker('build', '-q', ...args, '-t', 'bench-build', ctx)));
      }
      lines.push(report(name, median(w), median(k)));
    };
    phase('build cold (--no-cache)', ['--no-cache']);
    phase('build fully cached', []);
    phase('build, one of 1,000 files changed', [], (i) => writeFileSync(join(ctx, 'files', 'f500'), `changed ${i} ${Date.now()}`));
    console.log('\n' + lines.join('\n'));
  } finally {
    await d.stop();
    run('rm', ['-rf', work]);
  }
}

await main();
