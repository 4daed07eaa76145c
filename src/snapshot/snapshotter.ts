/**
 * Snapshotters give each container a root filesystem built from its image's layers.
 * `overlay2`: shared read-only layer diffs (see layers.ts) stacked under a per-container
 * upper/work dir with overlayfs. `vfs`: a private full copy, for hosts without overlayfs.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { daemonConfigPath } from '../core/paths.js';
import { invalidArgument, WharfError } from '../core/errors.js';
import type { LayerRef } from '../image/types.js';
import { ensureChain, layersDir } from './layers.js';
import { isMounted, run, unmountIfMounted } from './mount.js';
import { removeTree } from './remove-tree.js';
import type { Change } from './archive-bridge.js';
import { VfsTree } from './vfs.js';

/** The archive code (and its native xattr module) loads only for diff, commit and unpacking. */
const archive = () => import('./archive-bridge.js');

export type DriverName = 'overlay2' | 'vfs';

export interface Snapshotter {
  readonly name: DriverName;
  /** Create the container's private writable state (nothing mounted). */
  prepare(id: string, layers: LayerRef[]): Promise<void>;
  /** Mount (idempotent) and return the root filesystem path. */
  mount(id: string, layers: LayerRef[]): Promise<string>;
  unmount(id: string): Promise<void>;
  /** Unmount and delete the container's snapshot. */
  remove(id: string): Promise<void>;
  /** GraphDriver.Data for inspect. */
  graphData(id: string, layers: LayerRef[]): Record<string, string>;
  /** What the container changed relative to its image (for `diff`). */
  changes(id: string, layers: LayerRef[]): Promise<Change[]>;
  /** The container's changes as an OCI layer tar (for `commit`). */
  diffTar(id: string, layers: LayerRef[]): Promise<Readable>;
}

const cdir = (root: string, id: string) => join(root, 'containers', id);

/**
 * Docker's "init layer": mount points the runtime needs (/proc, /dev, /etc/hosts ...) made
 * in a per-container lower dir, so they never show up in `diff` or in a committed layer.
 */
function makeInitLayer(dir: string): void {
  if (existsSync(join(dir, '.done'))) return;
  for (const d of ['dev/pts', 'dev/shm', 'dev/mqueue', 'proc', 'sys', 'etc']) mkdirSync(join(dir, d), { recursive: true });
  for (const f of ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'dev/console', '.dockerenv']) writeFileSync(join(dir, f), '');
  if (!existsSync(join(dir, 'etc/mtab'))) symlinkSync('/proc/mounts', join(dir, 'etc/mtab'));
  writeFileSync(join(dir, '.done'), '');
}

class OverlaySnapshotter implements Snapshotter {
  readonly name = 'overlay2' as const;
  constructor(private readonly root: string) {}

  async prepare(id: string, layers: LayerRef[]): Promise<void> {
    await ensureChain(this.root, layers);
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(cdir(this.root, id), d), { recursive: true });
    makeInitLayer(join(cdir(this.root, id), 'init'));
  }

  /** Image layer dirs, topmost first. */
  private lowerDirs(layers: LayerRef[]): string[] {
    return layers.map((l) => join(layersDir(this.root), l.chainId.replace(/^sha256:/, ''), 'diff')).reverse();
  }

  async mount(id: string, layers: LayerRef[]): Promise<string> {
    const dir = cdir(this.root, id);
    const merged = join(dir, 'merged');
    if (isMounted(merged)) return merged;
    await ensureChain(this.root, layers);
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(dir, d), { recursive: true });
    // Lower dirs relative to the layers dir keep the option string short (one page at most).
    const base = layersDir(this.root);
    mkdirSync(base, { recursive: true });
    makeInitLayer(join(dir, 'init'));
    const lower = [join(dir, 'init'), ...this.lowerDirs(layers).map((p) => relative(base, p))].join(':');
    const opts = `lowerdir=${lower},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
    if (opts.length > 4000) throw new WharfError('UNSUPPORTED', `too many layers to mount (${layers.length})`);
    await run('mount', ['-t', 'overlay', 'overlay', '-o', opts, merged], { cwd: base });
    return merged;
  }

  async unmount(id: string): Promise<void> {
    await unmountIfMounted(join(cdir(this.root, id), 'merged'));
  }

  async remove(id: string): Promise<void> {
    await this.unmount(id);
    for (const d of ['upper', 'work', 'merged', 'init']) removeTree(join(cdir(this.root, id), d));
  }

  graphData(id: string, layers: LayerRef[]): Record<string, string> {
    const dir = cdir(this.root, id);
    const data: Record<string, string> = {
      MergedDir: join(dir, 'merged'),
      UpperDir: join(dir, 'upper'),
      WorkDir: join(dir, 'work'),
    };
    data.LowerDir = [join(dir, 'init'), ...this.lowerDirs(layers)].join(':');
    return data;
  }

  async changes(id: string, layers: LayerRef[]): Promise<Change[]> {
    return (await archive()).changes(join(cdir(this.root, id), 'upper'), [join(cdir(this.root, id), 'init'), ...this.lowerDirs(layers)]);
  }

  async diffTar(id: string): Promise<Readable> {
    return (await archive()).tarOverlayUpper(join(cdir(this.root, id), 'upper'));
  }
}

class VfsSnapshotter implements Snapshotter {
  readonly name = 'vfs' as const;
  constructor(private readonly root: string) {}

  private tree(id: string): VfsTree {
    return new VfsTree(cdir(this.root, id), makeInitLayer);
  }

  async prepare(id: string, layers: LayerRef[]): Promise<void> {
    await this.tree(id).prepare(layers);
  }

  async mount(id: string, layers: LayerRef[]): Promise<string> {
    await this.prepare(id, layers);
    return this.tree(id).rootfs;
  }

  async unmount(): Promise<void> {}

  async remove(id: string): Promise<void> {
    this.tree(id).remove();
  }

  graphData(id: string): Record<string, string> {
    return { Dir: this.tree(id).rootfs };
  }

  async changes(id: string): Promise<Change[]> {
    return this.tree(id).changes();
  }

  diffTar(id: string): Promise<Readable> {
    return this.tree(id).diffTar(join(cdir(this.root, id), 'commit-scratch'));
  }
}

/** The configured driver name: explicit option, then daemon.json `storage-driver`, then overlay2. */
export function configuredDriver(explicit?: string): DriverName {
  let name = explicit;
  if (!name) {
    try {
      name = (JSON.parse(readFileSync(daemonConfigPath(), 'utf8')) as Record<string, string>)['storage-driver'];
    } catch {
      name = undefined;
    }
  }
  if (!name || name === 'overlay' || name === 'overlay2') return 'overlay2';
  if (name === 'vfs') return 'vfs';
  throw invalidArgument(`error initializing graphdriver: driver not supported: ${name}`);
}

export function snapshotter(root: string, driver: string): Snapshotter {
  return driver === 'vfs' ? new VfsSnapshotter(root) : new OverlaySnapshotter(root);
}
