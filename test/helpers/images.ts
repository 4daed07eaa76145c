/**
 * Shared fixtures for the image-command tests: the busybox rootfs tar (built once per
 * process), compressed copies made with the real CLI tools, one-call imports, and the
 * store-level checks every robustness test repeats (`images` snapshot, `system check`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { makeBusyboxRootfsTar } from './busybox.js';
import { tempDir, wharf, wharfOk } from './wharf.js';

let fixtureDir: string | undefined;
let busyboxTar: string | undefined;

/** One busybox rootfs tar per test process (removed at exit). */
export async function busybox(): Promise<string> {
  if (!busyboxTar) {
    fixtureDir = tempDir('wharf-fixture-');
    busyboxTar = await makeBusyboxRootfsTar(fixtureDir);
    process.once('exit', () => spawnSync('rm', ['-rf', fixtureDir!]));
  }
  return busyboxTar;
}

export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd';
const EXT: Record<Compression, string> = { gzip: 'gz', bzip2: 'bz2', xz: 'xz', zstd: 'zst' };

/** `tar` compressed with the CLI tool of that name (kept beside it). */
export function compressWith(tool: Compression, file: string): string {
  const out = `${file}.${EXT[tool]}`;
  if (!existsSync(out)) execFileSync('sh', ['-c', `${tool} -c < '${file}' > '${out}'`]);
  return out;
}

/** `wharf import` the busybox tar; returns the image ID. */
export async function importBusybox(root: string, tag?: string, extra: string[] = []): Promise<string> {
  return wharfOk(root, ['import', ...extra, await busybox(), ...(tag ? [tag] : [])]).trim();
}

export function sha256File(path: string): string {
  return 'sha256:' + createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Everything `images -a` shows, full IDs, one string per row (for "unchanged" checks). */
export function imagesSnapshot(root: string): string {
  return wharfOk(root, ['images', '-a', '--no-trunc', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
}

/** `system check` must exit 0 and report no errors. */
export function assertStoreClean(root: string): void {
  const r = wharf(root, ['system', 'check']);
  if (r.code !== 0 || !/: 0 errors/.test(r.stdout)) throw new Error(`system check failed (${r.code}): ${r.stdout}${r.stderr}`);
}

/** The default `images` table split into cells on runs of 2+ spaces. */
export function tableCells(line: string): string[] {
  return line.trim().split(/\s{2,}/);
}

export function inspectJson(root: string, ref: string): Record<string, unknown> {
  return (JSON.parse(wharfOk(root, ['image', 'inspect', ref])) as Record<string, unknown>[])[0]!;
}

export const hasTool = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;

export { join };

/**
 * A child of `parentRef` made through the engine API (no `commit` yet): the parent's
 * config with one more empty history entry, recorded with `parent`. Returns its ID.
 */
export async function addChildImage(root: string, parentRef: string, opts: { tag?: string; labels?: Record<string, string> } = {}): Promise<string> {
  const { Engine } = await import('../../src/engine/engine.js');
  const engine = Engine.open({ root });
  try {
    const parent = engine.images.get(parentRef);
    const created = new Date().toISOString();
    const config = structuredClone(parent.config);
    config.created = created;
    config.config = { ...config.config, Labels: opts.labels ?? config.config?.Labels ?? null };
    config.history = [...(config.history ?? []), { created, created_by: '/bin/sh -c #(nop)  LABEL child', empty_layer: true }];
    return engine.images.addImage(config, { parent: parent.id, tags: opts.tag ? [opts.tag] : [] }).id;
  } finally {
    engine.close();
  }
}

/** Give an image a `repo@digest` reference, as a pull would. */
export async function addRepoDigest(root: string, ref: string, repoDigest: string): Promise<void> {
  const { Engine } = await import('../../src/engine/engine.js');
  const engine = Engine.open({ root });
  try {
    const img = engine.images.get(ref);
    engine.images.addImage(img.config, { configBytes: engine.content.read(img.id), repoDigests: [repoDigest] });
  } finally {
    engine.close();
  }
}
