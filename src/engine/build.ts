/**
 * `build` as an engine operation: the context is opened (a directory read in place, a tar on
 * stdin unpacked once, a Dockerfile alone on stdin with an empty context), the build runs
 * (src/build/), the final image is tagged. Progress goes out as docker's build stream
 * messages through `emit`; nothing here prints, so the API server can stream the same build.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import type { Engine } from './engine.js';
import { WharfError } from '../core/errors.js';
import { humanSize } from '../core/units.js';
import { parseReference } from '../core/reference.js';
import { directoryContext, emptyContext, sentSize, tarContext, type BuildContext } from '../build/context.js';
import { BuildError, runBuild, short, type BuildMessage, type BuildOptions } from '../build/executor.js';
import { ParseError } from '../build/dockerfile/parser.js';
import { ShellError } from '../build/dockerfile/shell.js';

export type { BuildMessage } from '../build/executor.js';
export { BuildError } from '../build/executor.js';
export { parseUlimit } from '../container/runtime/limits.js';

export interface BuildRequest extends Omit<BuildOptions, 'context' | 'dockerfile' | 'dockerfileName'> {
  /** A directory, or '-' for a tar (or a Dockerfile) on stdin. */
  contextPath: string;
  /** `-f`: a path (in or outside the context), or '-' for stdin. */
  file?: string;
  stdin?: Readable;
  iidfile?: string;
  /** `--output`: export the final files (build-output.ts). */
  output?: string;
  stdout?: NodeJS.WritableStream;
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function looksLikeArchive(head: Buffer): boolean {
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const magic = [[0x1f, 0x8b], [0x42, 0x5a, 0x68], [0xfd, 0x37, 0x7a, 0x58, 0x5a], [0x28, 0xb5, 0x2f, 0xfd]];
  return magic.some((m) => m.every((b, i) => head[i] === b));
}

async function openContext(req: BuildRequest): Promise<{ ctx: BuildContext; dockerfile: string; name: string }> {
  const remote = await import('../build/remote.js');
  if (remote.isGitUrl(req.contextPath)) {
    const cloned = await remote.cloneGitContext(req.contextPath).catch((err: Error) => {
      throw new WharfError('INVALID_ARGUMENT', err.message);
    });
    try {
      const opened = await openContext({ ...req, contextPath: cloned.dir });
      const inner = opened.ctx.cleanup;
      opened.ctx.cleanup = () => {
        inner();
        cloned.cleanup();
      };
      return opened;
    } catch (err) {
      cloned.cleanup();
      throw err;
    }
  }
  if (req.contextPath === '-' || remote.isUrl(req.contextPath)) {
    if (req.file === '-' && req.contextPath === '-') throw new WharfError('INVALID_ARGUMENT', 'invalid argument: can\'t use stdin for both build context and dockerfile');
    const data =
      req.contextPath === '-'
        ? await readAll(req.stdin ?? process.stdin)
        : await remote.downloadContext(req.contextPath).catch((err: Error) => {
            throw new WharfError('INVALID_ARGUMENT', err.message);
          });
    if (!looksLikeArchive(data)) return { ctx: emptyContext(), dockerfile: data.toString('utf8'), name: 'Dockerfile' };
    const name = req.file ?? 'Dockerfile';
    const ctx = await tarContext(Readable.from([data]), name);
    const path = join(ctx.dir, name);
    if (!existsSync(path)) {
      ctx.cleanup();
      throw new WharfError('NOT_FOUND', `Cannot locate specified Dockerfile: ${name}`, { daemonSide: true });
    }
    return { ctx, dockerfile: readFileSync(path, 'utf8'), name };
  }
  const dir = resolve(req.contextPath);
  if (!existsSync(dir)) throw new WharfError('NOT_FOUND', `unable to prepare context: path "${req.contextPath}" not found`);
  let dockerfile: string;
  let name = req.file ?? 'Dockerfile';
  let rel: string | undefined;
  if (req.file === '-') {
    dockerfile = (await readAll(req.stdin ?? process.stdin)).toString('utf8');
    name = 'Dockerfile';
  } else {
    const path = req.file ? (isAbsolute(req.file) ? req.file : resolve(req.file)) : join(dir, 'Dockerfile');
    if (!existsSync(path)) {
      const shown = req.file ? path : join(dir, 'Dockerfile');
      throw new WharfError('NOT_FOUND', `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${shown}: no such file or directory`);
    }
    dockerfile = readFileSync(path, 'utf8');
    const r = relative(dir, path);
    if (!r.startsWith('..') && !isAbsolute(r)) rel = r.split(sep).join('/');
    name = req.file ?? 'Dockerfile';
  }
  return { ctx: directoryContext(dir, rel), dockerfile, name };
}

/** Run a build; returns the final image ID. Errors during the steps are BuildErrors. */
export async function buildImage(engine: Engine, req: BuildRequest, emit: (m: BuildMessage) => void): Promise<string> {
  const tags = (req.tags ?? []).map((t) => {
    try {
      return parseReference(t).withDefaultTag();
    } catch {
      throw new WharfError('INVALID_REFERENCE', `invalid argument "${t}" for "-t, --tag" flag: invalid reference format`, { exitCode: 125 });
    }
  });
  const output = req.output ? (await import('./build-output.js')).parseOutput(req.output) : undefined;
  const { ctx, dockerfile, name } = await openContext(req);
  try {
    emit({ stream: `Sending build context to Docker daemon  ${humanSize(sentSize(ctx))}\r\r\n` });
    const backend = {
      root: engine.root,
      images: engine.images,
      pull: async (ref: string, platform?: string) => {
        const { pullImages } = await import('./images/pull.js');
        await pullImages(engine, ref, { ...(platform ? { platform } : {}) });
      },
    };
    let result;
    try {
      result = await runBuild(backend, { ...req, context: ctx, dockerfile, dockerfileName: name }, emit);
    } catch (err) {
      if (err instanceof ParseError) throw new WharfError('INVALID_ARGUMENT', err.message, { daemonSide: true });
      if (err instanceof ShellError) throw new BuildError(err.message);
      throw err;
    }
    let id = result.id;
    if (req.squash) {
      const { squashImage } = await import('../build/squash.js');
      const created = req.sourceDateEpoch !== undefined ? new Date(req.sourceDateEpoch * 1000).toISOString() : new Date().toISOString();
      id = await squashImage(engine.root, engine.images, { ...result, created });
    } else await reportWaste(engine, id, result.baseLayers, emit);
    emit({ aux: { ID: id } });
    emit({ stream: `Successfully built ${short(id)}\n` });
    for (const t of tags) {
      engine.images.tag(id as `sha256:${string}`, t);
      emit({ stream: `Successfully tagged ${t.familiarString()}\n` });
    }
    if (req.iidfile) writeFileSync(req.iidfile, id);
    if (output) await (await import('./build-output.js')).exportImageFiles(engine, id, output, req.stdout ?? process.stdout);
    return id;
  } finally {
    ctx.cleanup();
  }
}

/**
 * The notes' 2.4.5 pitfall, reported: a layer of this build whose files a later step deletes
 * or overwrites still ships them. One line per such step (`image analyze` does the counting).
 */
async function reportWaste(engine: Engine, id: string, baseLayers: number, emit: (m: BuildMessage) => void): Promise<void> {
  const { analyzeImage } = await import('./images/analyze.js');
  const a = await analyzeImage(engine.images, engine.images.record(id as `sha256:${string}`));
  for (const l of a.layers.slice(baseLayers)) {
    if (l.wasted <= 0) continue;
    emit({ stream: `[Warning] Layer waste: ${humanSize(l.wasted)} added by "${l.createdBy}" is deleted or overwritten by a later step; do both in one RUN (or build with --squash)\n` });
  }
}
