/**
 * Locating wharf's own helper programs (the container monitor, the port proxy, the confined
 * file worker), which run as separate node processes.
 *
 * A helper runs from the first of: its own one-file bundle `dist/bundle/wharf-<name>.cjs`
 * (scripts/build.mjs; one file to load, nothing to resolve: the fastest start and the
 * smallest heap) unless tsc's output is newer, the tsc output `dist/<rel>.js`, or
 * `src/<rel>.ts` through tsx (development, or when the caller itself runs from TypeScript).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`wharf: cannot find the package root above ${from}`);
    dir = up;
  }
  return dir;
}

const cached = new Map<string, string[]>();

const mtime = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/** node arguments that run helper `rel` (e.g. 'container/runtime/monitor-main'), bundled as `name`. */
export function helperArgs(rel: string, name: string, callerUrl: string): string[] {
  const key = `${rel}\0${callerUrl}`;
  let args = cached.get(key);
  if (!args) {
    const caller = fileURLToPath(callerUrl);
    const root = packageRoot(dirname(caller));
    const bundle = join(root, 'dist', 'bundle', `wharf-${name}.cjs`);
    const built = join(root, 'dist', `${rel}.js`);
    const bundleTime = mtime(bundle);
    const builtTime = mtime(built);
    if (caller.endsWith('.ts')) args = ['--import', import.meta.resolve('tsx'), join(root, 'src', `${rel}.ts`)];
    else if (bundleTime !== undefined && (builtTime === undefined || bundleTime >= builtTime)) args = [bundle];
    else if (builtTime !== undefined) args = [built];
    else args = ['--import', import.meta.resolve('tsx'), join(root, 'src', `${rel}.ts`)];
    cached.set(key, args);
  }
  return args;
}
