/**
 * COPY, ADD and WORKDIR steps: sources resolved and hashed (copy.ts), the cache asked with
 * dockerd's `#(nop) COPY file:<hash> in <dest> ` comment, then the layer made from the
 * sources and committed. ADD adds local archives unpacked (any compression) and URLs
 * downloaded (not unpacked, mode 0600, as dockerd does).
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { Instruction } from './dockerfile/instructions.js';
import { LayerStack, resolvePath, type FsView } from '../archive/layer-stack.js';
import { ensureChain } from '../snapshot/layers.js';
import type { LayerRef } from '../image/types.js';
import type { Digest } from '../core/digest.js';
import { TarWriter } from '../archive/tar-writer.js';
import { resolveUser } from '../container/runtime/user.js';
import { commitStep } from './commit.js';
import { ingestStepLayer, stepContainerId } from './reproducible.js';
import { contextFs, copyLayer, CopyError, parentEntries, planCopy, viewFs, type CopyPlan, type SourceFs } from './copy.js';
import { BuildError, stageByName } from './executor.js';
import { createdTime, shellOf, tryCache, type StepEnv } from './steps.js';
import { addArchiveLayer, archiveSource, downloadSource } from './add.js';

/** A read view of an image's filesystem (its layers unpacked once, as for containers). */
export async function imageView(root: string, layers: LayerRef[]): Promise<FsView | undefined> {
  if (!layers.length) return undefined;
  return new LayerStack((await ensureChain(root, layers)).reverse());
}

function parseChown(spec: string, view: FsView | undefined): { uid: number; gid: number } {
  const [u, g] = spec.split(':', 2);
  const num = (s: string) => /^\d+$/.test(s);
  if (num(u) && (g === undefined || num(g))) return { uid: Number(u), gid: Number(g ?? u) };
  if (!view) throw new BuildError(`unable to convert uid/gid chown string to host mapping: can't find uid for user ${u}: no such user: ${u}`);
  const r = resolveUser(view, spec);
  return { uid: r.uid, gid: r.gid };
}

async function sourceFsFor(env: StepEnv, from: string | undefined): Promise<SourceFs> {
  const { run } = env;
  if (from === undefined) return contextFs(run.opts.context.dir, run.opts.context.matcher);
  const stage = stageByName(run, from);
  let id: string | undefined;
  if (stage) {
    if (stage.index >= env.stage.index) throw new BuildError(`invalid from flag value ${from}: refers to current build stage or a later one`);
    id = run.stageImages.get(stage.index);
  } else {
    id = run.backend.images.resolveId(from);
    if (!id) {
      await run.backend.pull(from);
      id = run.backend.images.resolveId(from);
    }
  }
  if (!id) throw new BuildError(`invalid from flag value ${from}: pull access denied for ${from}, repository does not exist or may require 'docker login'`);
  const view = await imageView(run.backend.root, run.backend.images.layerChain(id));
  if (!view) return emptyFs();
  return viewFs(view);
}

function emptyFs(): SourceFs {
  return { lstat: () => null, readdir: () => [], readlink: () => '', open: () => Readable.from([]), excluded: () => false, keepOwner: true, resolve: (rel) => rel };
}

export async function copyStep(env: StepEnv, ins: Extract<Instruction, { kind: 'copy' | 'add' }>): Promise<void> {
  const { run, state: st } = env;
  const rc = st.runConfig;
  const cmd = ins.kind === 'copy' ? 'COPY' : 'ADD';
  const e = env.expandEnv();
  const word = (s: string) => run.lexer.word(s, e);
  const sources = ins.sources.map(word);
  const dest = word(ins.dest);
  const view = await imageView(run.backend.root, st.layers);
  const from = ins.kind === 'copy' ? ins.flags.from?.[0] : undefined;
  if (ins.flags.from && ins.kind === 'add') throw new BuildError('Unknown flag: from');
  const fs = await sourceFsFor(env, from === undefined ? undefined : word(from));
  const chown = ins.flags.chown?.[0];
  const owner = chown ? parseChown(word(chown), view) : undefined;
  const chmod = ins.flags.chmod?.[0];
  let mode: number | undefined;
  if (chmod !== undefined) {
    if (!/^[0-7]{1,4}$/.test(chmod)) throw new BuildError(`invalid chmod parameter: ${chmod}`);
    mode = Number.parseInt(chmod, 8);
  }
  const inline: { name: string; data: Buffer; mode: number; mtime?: number }[] = ins.heredocs.map((h) => ({ name: h.name, data: Buffer.from(h.expand ? word(h.content) : h.content), mode: 0o644 }));
  const local: string[] = [];
  const archives: string[] = [];
  const checksum = ins.flags.checksum?.[0];
  if (checksum !== undefined && (sources.length !== 1 || !/^https?:\/\//.test(sources[0]))) throw new BuildError('checksum can\'t be specified for non-HTTP(S) sources');
  if (checksum !== undefined && !/^sha256:[0-9a-f]{64}$/.test(checksum)) throw new BuildError(`invalid checksum digest format: ${checksum}`);
  for (const s of sources) {
    if (ins.kind === 'add' && /^https?:\/\//.test(s)) inline.push(await downloadSource(s, dest, checksum));
    else if (ins.kind === 'add' && from === undefined && (await archiveSource(fs, s))) archives.push(s);
    else local.push(s);
  }
  const request = { cmd, sources: local, dest, workdir: rc.WorkingDir || '/', fs, view, owner, mode, inline } as const;
  let plan: CopyPlan;
  try {
    plan = local.length || inline.length ? await planCopy({ ...request, inline: [...inline] }) : { entries: [], hash: '' };
  } catch (err) {
    if (err instanceof CopyError) throw new BuildError(err.message);
    throw err;
  }
  const archiveHash = archives.length ? (await planCopy({ ...request, sources: archives, inline: [] })).hash : '';
  const hash = [plan.hash, archiveHash].filter(Boolean).join(',');
  // dockerd glues the --chown flag to the hash, space-less: history must read the same.
  const comment = `${cmd} ${chown ? `--chown=${word(chown)}` : ''}${hash} in ${dest} `;
  const probe = { ...rc, Cmd: [...shellOf(rc), `#(nop) ${comment}`] };
  if (tryCache(env, probe)) return;
  let layer: { diffId: Digest };
  if (archives.length) {
    layer = await ingestStepLayer(run, addArchiveLayer({ plan, fs, view, archives, dest: posix.isAbsolute(dest) ? dest : posix.join(rc.WorkingDir || '/', dest), owner }));
  } else {
    layer = await ingestStepLayer(run, copyLayer(plan, fs, view));
  }
  commitStep(run.backend.images, { state: st, containerConfig: probe, containerId: stepContainerId(run, st.imageId, probe.Cmd), created: createdTime(run), layer });
}

/** WORKDIR's layer: the directory (and missing parents) when the image lacks it. */
export async function workdirLayer(env: StepEnv, dir: string): Promise<{ diffId: Digest }> {
  const view = await imageView(env.run.backend.root, env.state.layers);
  const w = new TarWriter();
  const resolved = view ? resolvePath(view, dir) : dir;
  const exists = !!view?.lstat(resolved)?.isDirectory();
  const run = async () => {
    if (!exists && resolved !== '/') {
      const rel = resolved.replace(/^\/+/, '');
      for (const h of parentEntries([rel], view, new Set([rel]))) await w.add(h);
      await w.add({ name: rel, type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: Math.floor(Date.now() / 1000) });
    }
    await w.finish();
  };
  run().catch((err: Error) => w.abort(err));
  return ingestStepLayer(env.run, w.stream);
}
