/**
 * `--output` (BuildKit's): the final image's files instead of (well, besides) an image:
 * `type=local,dest=DIR` unpacks the layers into DIR in order (the safe layer-apply code, so
 * nothing escapes DIR), `type=tar,dest=FILE|-` writes that tree as one tar.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Engine } from './engine.js';
import { WharfError } from '../core/errors.js';

export interface OutputSpec {
  type: 'local' | 'tar';
  dest: string;
}

export function parseOutput(spec: string): OutputSpec {
  const kv = new Map<string, string>();
  for (const f of spec.split(',')) {
    const i = f.indexOf('=');
    kv.set(i < 0 ? f : f.slice(0, i), i < 0 ? '' : f.slice(i + 1));
  }
  // `-o DIR` alone means type=local,dest=DIR, `-o -` a tar on stdout.
  if (kv.size === 1 && !spec.includes('=')) return spec === '-' ? { type: 'tar', dest: '-' } : { type: 'local', dest: spec };
  const type = kv.get('type') ?? 'local';
  const dest = kv.get('dest');
  if (type !== 'local' && type !== 'tar') throw new WharfError('INVALID_ARGUMENT', `output type ${type} is not supported (local, tar)`);
  if (!dest) throw new WharfError('INVALID_ARGUMENT', `dest is required for ${type} exporter`);
  return { type, dest };
}

export async function exportImageFiles(engine: Engine, id: string, out: OutputSpec, stdout: NodeJS.WritableStream): Promise<void> {
  const { applyLayer } = await import('../archive/apply.js');
  const layers = engine.images.layerChain(id);
  const unpack = async (dir: string) => {
    for (const l of layers) await applyLayer(createReadStream(l.path), dir, { whiteouts: 'delete' });
  };
  if (out.type === 'local') {
    const dest = resolve(out.dest);
    mkdirSync(dest, { recursive: true });
    await unpack(dest);
    return;
  }
  const { tarDirectory } = await import('../archive/diff.js');
  const tmp = mkdtempSync(join(tmpdir(), 'wharf-output-'));
  try {
    await unpack(tmp);
    if (out.dest === '-') {
      await pipeline(tarDirectory(tmp), stdout, { end: false });
      return;
    }
    const dest = resolve(out.dest);
    if (!existsSync(dirname(dest))) throw new WharfError('INVALID_ARGUMENT', `failed to open ${dest}: no such file or directory`);
    const part = `${dest}.wharf-tmp-${process.pid}`;
    try {
      await pipeline(tarDirectory(tmp), createWriteStream(part));
      renameSync(part, dest);
    } finally {
      rmSync(part, { force: true });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
