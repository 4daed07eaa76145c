/** Build-test fixtures: a data root with the busybox base as `bb`, contexts made from a file map. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { importBusybox } from '../helpers/images.js';
import { tempDir, wharf, type RunResult } from '../helpers/wharf.js';

export async function buildRoot(): Promise<string> {
  const root = tempDir('wharf-build-root-');
  await importBusybox(root, 'bb');
  return root;
}

/** A context dir holding `files` (path -> content). */
export function context(files: Record<string, string | Buffer>): string {
  const dir = tempDir('wharf-build-ctx-');
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), c);
  }
  return dir;
}

export function build(root: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): RunResult {
  return wharf(root, ['build', ...args], opts);
}

/** The final image ID a successful build printed. */
export function builtId(r: RunResult): string {
  const m = /Successfully built ([0-9a-f]{12})/.exec(r.stdout);
  if (!m) throw new Error(`build failed (${r.code}): ${r.stdout}\n${r.stderr}`);
  return m[1];
}
