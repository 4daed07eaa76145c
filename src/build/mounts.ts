/**
 * `RUN --mount` (BuildKit's, beyond the classic builder): `type=cache` (a directory kept
 * under the data root between builds, by id or target), `type=bind` (from the context, a
 * stage or an image; read-only unless `rw`, and then a private copy so nothing reaches the
 * source), `type=tmpfs` and `type=secret` (a `--secret id=ID,src=FILE` file, read-only at
 * /run/secrets/ID). Mount points the image lacked are removed from the step's layer, so
 * none of it shows in the image.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { MountPoint } from '../container/types.js';
import { DirView, resolvePath, type FsView } from '../archive/layer-stack.js';
import { retar } from './retar.js';
import { configuredDriver, snapshotter } from '../snapshot/snapshotter.js';
import { randomBytes } from '../core/random.js';
import { BuildError, stageByName, type BuildRun } from './executor.js';

export interface RunMount {
  type: 'cache' | 'bind' | 'tmpfs' | 'secret';
  target: string;
  source?: string;
  from?: string;
  rw: boolean;
  id?: string;
  required: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
}

export function parseMount(spec: string): RunMount {
  const m: Partial<RunMount> & { rw: boolean; required: boolean } = { rw: false, required: false };
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : field.slice(eq + 1);
    switch (key) {
      case 'type':
        if (!['cache', 'bind', 'tmpfs', 'secret'].includes(value)) throw new BuildError(`unsupported mount type "${value}"`);
        m.type = value as RunMount['type'];
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = value;
        break;
      case 'source':
      case 'src':
        m.source = value;
        break;
      case 'from':
        m.from = value;
        break;
      case 'id':
        m.id = value;
        break;
      case 'rw':
      case 'readwrite':
        m.rw = value === '' || value === 'true';
        break;
      case 'ro':
      case 'readonly':
        m.rw = !(value === '' || value === 'true');
        break;
      case 'required':
        m.required = value === '' || value === 'true';
        break;
      case 'mode':
        m.mode = Number.parseInt(value, 8);
        break;
      case 'uid':
        m.uid = Number(value);
        break;
      case 'gid':
        m.gid = Number(value);
        break;
      case 'sharing':
        break;
      default:
        throw new BuildError(`unexpected key '${key}' in '${field}'`);
    }
  }
  m.type ??= 'bind';
  if (m.type === 'secret' && !m.target) m.target = `/run/secrets/${m.id ?? m.source ?? ''}`;
  if (m.type === 'secret') m.id ??= m.target ? posix.basename(m.target) : undefined;
  if (!m.target) throw new BuildError('mount destination is required');
  if (m.type === 'cache') m.rw = true;
  return m as RunMount;
}

export interface PreparedMounts {
  binds: MountPoint[];
  tmpfs: Record<string, string>;
  /** Container paths of the mount points (absolute). */
  targets: string[];
  cleanup: () => Promise<void>;
}

const bindPoint = (Source: string, Destination: string, RW: boolean): MountPoint => ({ Type: 'bind', Source, Destination, Mode: '', RW, Propagation: 'rprivate' });

export function cacheDir(root: string, id: string): string {
  return join(root, 'build-cache', 'mounts', createHash('sha256').update(id).digest('hex').slice(0, 32));
}

export async function prepareMounts(run: BuildRun, mounts: RunMount[], workdir: string, secrets: ReadonlyMap<string, string>): Promise<PreparedMounts> {
  const binds: MountPoint[] = [];
  const tmpfs: Record<string, string> = {};
  const targets: string[] = [];
  const undo: (() => Promise<void> | void)[] = [];
  const cleanup = async () => {
    for (const u of undo.reverse()) await u();
  };
  try {
    for (const m of mounts) {
      const target = posix.normalize(m.target.startsWith('/') ? m.target : posix.join(workdir, m.target));
      if (m.type === 'tmpfs') tmpfs[target] = '';
      else if (m.type === 'cache') {
        const dir = cacheDir(run.backend.root, m.id || target);
        if (!existsSync(dir)) {
          mkdirSync(dir, { recursive: true });
          chmodSync(dir, m.mode ?? 0o755);
          chownSync(dir, m.uid ?? 0, m.gid ?? 0);
        }
        binds.push(bindPoint(dir, target, true));
      } else if (m.type === 'secret') {
        const src = m.id !== undefined ? secrets.get(m.id) : undefined;
        if (!src) {
          if (m.required) throw new BuildError(`secret ${m.id} not found`);
          continue;
        }
        binds.push(bindPoint(src, target, false));
      } else {
        const { root, view, release } = await bindSource(run, m.from);
        undo.push(release);
        const src = view.hostPath(resolvePath(view, '/' + (m.source ?? '')));
        if (!existsSync(src)) throw new BuildError(`failed to compute cache key: "/${m.source ?? ''}" not found`);
        let host = src;
        if (m.rw) {
          const copy = mkdtempSync(join(tmpdir(), 'wharf-bind-'));
          undo.push(() => rmSync(copy, { recursive: true, force: true }));
          execFileSync('cp', ['-a', '--', src, join(copy, 'src')]);
          host = join(copy, 'src');
        }
        void root;
        binds.push(bindPoint(host, target, m.rw));
      }
      targets.push(target);
    }
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { binds, tmpfs, targets, cleanup };
}

/** The tree a bind mount reads: the context, or a stage's or image's root mounted read-only. */
async function bindSource(run: BuildRun, from: string | undefined): Promise<{ root: string; view: FsView; release: () => Promise<void> }> {
  if (from === undefined) return { root: run.opts.context.dir, view: new DirView(run.opts.context.dir), release: async () => {} };
  const stage = stageByName(run, from);
  let id = stage ? run.stageImages.get(stage.index) : run.backend.images.resolveId(from);
  if (!id && !stage) {
    await run.backend.pull(from);
    id = run.backend.images.resolveId(from);
  }
  if (!id) throw new BuildError(`failed to resolve mount source ${from}`);
  const snap = snapshotter(run.backend.root, configuredDriver(process.env.WHARF_STORAGE_DRIVER));
  const sid = `build-mnt-${randomBytes(16).toString('hex')}`;
  const layers = run.backend.images.layerChain(id);
  await snap.prepare(sid, layers);
  const release = async () => {
    await snap.remove(sid).catch(() => undefined);
    rmSync(join(run.backend.root, 'containers', sid), { recursive: true, force: true });
  };
  try {
    const root = await snap.mount(sid, layers, { readOnly: true });
    return { root, view: new DirView(root), release };
  } catch (err) {
    await release();
    throw err;
  }
}

/** The step's layer without the mount points (and their parents) the image did not have. */
export function withoutMountPoints(tar: Readable, targets: string[], before: FsView | undefined): Readable {
  const drop = new Set<string>();
  for (const t of targets) {
    const parts = t.replace(/^\/+/, '').split('/');
    for (let i = parts.length; i > 0; i--) {
      const p = parts.slice(0, i).join('/');
      if (i < parts.length && before?.lstat('/' + p)) break;
      drop.add(p);
    }
  }
  return retar(tar, (h) => {
    const name = h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
    const under = targets.some((t) => name.startsWith(t.replace(/^\/+/, '') + '/'));
    return drop.has(name) || under ? null : h;
  });
}
