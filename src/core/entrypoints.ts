/**
 * How to start one of wharf's own helper programs (container monitor, port proxy) as a
 * separate node process. The caller may be running from src/ through tsx, from tsc's
 * dist/ tree, or from the esbuild bundle in dist/bundle/: in every case the helper runs
 * from dist/<rel>.js when built, or from src/<rel>.ts through tsx in development.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`wharf: cannot find the package root above ${from}`);
    dir = up;
  }
  return dir;
}

/** node arguments that run `rel` (e.g. 'container/runtime/monitor-main'). */
export function nodeEntry(rel: string, callerUrl: string): string[] {
  const caller = fileURLToPath(callerUrl);
  const root = packageRoot(dirname(caller));
  const built = join(root, 'dist', `${rel}.js`);
  if (!caller.endsWith('.ts') && existsSync(built)) return [built];
  return ['--import', import.meta.resolve('tsx'), join(root, 'src', `${rel}.ts`)];
}
