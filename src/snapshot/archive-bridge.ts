/**
 * The one place the snapshotter and container commands reach the archive module
 * (layer apply with whiteouts, overlay upper -> layer, change lists, directory tars).
 * Until src/archive/ provides them, GNU tar stands in for applying and tarring.
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setAttribute } from '@napi-rs/xattr';
import { WharfError } from '../core/errors.js';
import { run } from './mount.js';

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

type ArchiveModule = {
  applyLayer?: (tar: Readable, dir: string, o: { whiteouts: 'delete' | 'overlay' }) => Promise<{ size: number }>;
  tarOverlayUpper?: (upper: string) => Readable;
  changes?: (upper: string, lowers: string[]) => Promise<Change[]>;
  tarDirectory?: (dir: string) => Readable;
};

let archive: ArchiveModule | undefined;
async function load(): Promise<ArchiveModule> {
  if (archive) return archive;
  archive = {};
  for (const m of ['layer.js', 'index.js']) {
    try {
      Object.assign(archive, await import(new URL(`../archive/${m}`, import.meta.url).href));
    } catch {
      /* not there (yet) */
    }
  }
  return archive;
}

function tarExtract(tar: Readable, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('tar', ['-x', '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d));
    tar.pipe(p.stdin);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new WharfError('CORRUPT', `extracting layer: ${err.trim()}`))));
  });
}

/** Turn `.wh.` files into overlay whiteouts (or deletions), walking the extracted tree. */
async function convertWhiteouts(dir: string, mode: 'delete' | 'overlay'): Promise<void> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === '.wh..wh..opq') {
      rmSync(p, { force: true });
      if (mode === 'overlay') await setAttribute(dir, 'trusted.overlay.opaque', 'y');
    } else if (name.startsWith('.wh.')) {
      rmSync(p, { force: true });
      const target = join(dir, name.slice(4));
      rmSync(target, { recursive: true, force: true });
      if (mode === 'overlay') await run('mknod', [target, 'c', '0', '0']);
    } else if (lstatSync(p).isDirectory()) await convertWhiteouts(p, mode);
  }
}

export async function applyLayer(tar: Readable, dir: string, opts: { whiteouts: 'delete' | 'overlay' }): Promise<{ size: number }> {
  const m = await load();
  if (m.applyLayer) return m.applyLayer(tar, dir, opts);
  await tarExtract(tar, dir);
  await convertWhiteouts(dir, opts.whiteouts);
  return { size: 0 };
}

export async function tarOverlayUpper(upper: string): Promise<Readable> {
  const m = await load();
  if (!m.tarOverlayUpper) throw new WharfError('UNSUPPORTED', 'commit needs the archive module (tarOverlayUpper)');
  return m.tarOverlayUpper(upper);
}

export async function changes(upper: string, lowers: string[]): Promise<Change[]> {
  const m = await load();
  if (!m.changes) throw new WharfError('UNSUPPORTED', 'diff needs the archive module (changes)');
  return m.changes(upper, lowers);
}

export async function tarDirectory(dir: string): Promise<Readable> {
  const m = await load();
  if (m.tarDirectory) return m.tarDirectory(dir);
  const p = spawn('tar', ['-c', '--numeric-owner', '--xattrs', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return p.stdout;
}
