/**
 * Snapshotters give each container a root filesystem built from its image's layers.
 * `overlay2`: shared read-only layer diffs (see layers.ts) stacked under a per-container
 * upper/work dir with overlayfs. `vfs`: a private full copy, for hosts without overlayfs.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Readable } from 'node:stream';
import { daemonConfigPath } from '../core/paths.js';
import { invalidArgument, WharfError } from '../core/errors.js';
import type { LayerRef } from '../image/types.js';
import { ensureChain, layersDir, StagedLayer } from './layers.js';
import { isMounted, run, unmountIfMounted } from './mount.js';
import { removeTree } from './remove-tree.js';
import type { Change } from './archive-bridge.js';
import { DirView, LayerStack, type FsView } from '../archive/layer-stack.js';
import { VfsTree } from './vfs.js';

/** The archive code (and its native xattr module) loads only for diff, commit and unpacking. */
const archive = () => import('./archive-bridge.js');

export type DriverName = 'overlay2' | 'vfs';

/** An OCI spec mount of the whole root filesystem at "/", over the (empty) `rootfs` dir. */
export interface RuntimeMount {
  rootfs: string;
  mount: { destination: string; type: string; source: string; options: string[] };
}

export interface Snapshotter {
  readonly name: DriverName;
  /** Create the container's private writable state (nothing mounted). */
  prepare(id: string, layers: LayerRef[]): Promise<void>;
  /**
   * Mount on the host (idempotent) and return the root filesystem path. `readOnly` stacks the
   * upper dir as one more lower: a view of a container whose runtime holds the real mount.
   */
  mount(id: string, layers: LayerRef[], o?: { readOnly?: boolean }): Promise<string>;
  /** Whether the root filesystem is there on the host (mounted, or a plain dir). */
  onHost(id: string): boolean;
  /**
   * The mount that makes the root filesystem inside the container's own mount namespace (so
   * nothing is mounted on the host, and nothing is left mounted when the container dies), or
   * undefined when the root must be mounted on the host (vfs, or options over one page).
   */
  runtimeMount(id: string, layers: LayerRef[]): Promise<RuntimeMount | undefined>;
  /** The root filesystem for reading, mounted or not. */
  view(id: string, layers: LayerRef[]): FsView;
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

/** mount(2) takes at most one page of options. */
const MAX_MOUNT_OPTIONS = 4000;

/**
 * Docker's "init layer": mount points the runtime needs (/proc, /dev, /etc/hosts ...) made
 * in a per-container lower dir, so they never show up in `diff` or in a committed layer. Its
 * "made" marker sits beside the dir, never in it: the dir is part of the container's root.
 */
function makeInitLayer(dir: string): void {
  const marker = `${dir}.done`;
  if (existsSync(marker)) return;
  // As Docker's: no dev/mqueue (runc makes it in the /dev tmpfs), and the files are 0755.
  for (const d of ['dev/pts', 'dev/shm', 'proc', 'sys', 'etc']) mkdirSync(join(dir, d), { recursive: true });
  for (const f of ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'dev/console', '.dockerenv']) writeFileSync(join(dir, f), '', { mode: 0o755 });
  if (!existsSync(join(dir, 'etc/mtab'))) symlinkSync('/proc/mounts', join(dir, 'etc/mtab'));
  rmSync(join(dir, '.done'), { force: true }); // where older versions kept the marker
  writeFileSync(marker, '');
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

  /** Makes sure every dir an overlay mount names exists; returns the lower dirs, topmost first. */
  private async ready(id: string, layers: LayerRef[]): Promise<string[]> {
    const dir = cdir(this.root, id);
    await ensureChain(this.root, layers);
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(dir, d), { recursive: true });
    mkdirSync(layersDir(this.root), { recursive: true });
    makeInitLayer(join(dir, 'init'));
    return [join(dir, 'init'), ...this.lowerDirs(layers)];
  }

  private options(id: string, lower: string[]): string {
    const dir = cdir(this.root, id);
    return `lowerdir=${lower.join(':')},upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`;
  }

  async mount(id: string, layers: LayerRef[], o: { readOnly?: boolean } = {}): Promise<string> {
    const merged = join(cdir(this.root, id), 'merged');
    if (isMounted(merged)) return merged;
    const [init, ...images] = await this.ready(id, layers);
    // Lower dirs relative to the layers dir keep the option string short (one page at most).
    const base = layersDir(this.root);
    const lower = [init!, ...images.map((p) => relative(base, p))];
    const opts = o.readOnly ? `lowerdir=${[join(cdir(this.root, id), 'upper'), ...lower].join(':')}` : this.options(id, lower);
    if (opts.length > MAX_MOUNT_OPTIONS) throw new WharfError('UNSUPPORTED', `too many layers to mount (${layers.length})`);
    await run('mount', ['-t', 'overlay', 'overlay', '-o', opts, merged], { cwd: base });
    return merged;
  }

  onHost(id: string): boolean {
    return isMounted(join(cdir(this.root, id), 'merged'));
  }

  async runtimeMount(id: string, layers: LayerRef[]): Promise<RuntimeMount | undefined> {
    if (this.onHost(id)) return undefined; // left mounted by a crash: keep using it
    const opts = this.options(id, await this.ready(id, layers));
    // The runtime mounts with absolute paths: longer chains take the host-mount path.
    if (opts.length > MAX_MOUNT_OPTIONS) return undefined;
    const rootfs = join(cdir(this.root, id), 'merged');
    return { rootfs, mount: { destination: '/', type: 'overlay', source: 'overlay', options: opts.split(',') } };
  }

  view(id: string, layers: LayerRef[]): FsView {
    const dir = cdir(this.root, id);
    const init = join(dir, 'init');
    if (this.onHost(id)) return new DirView(join(dir, 'merged'));
    return new LayerStack([join(dir, 'upper'), init, ...this.lowerDirs(layers)], new Set([init]));
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
    // read by a worker chrooted into the upper dir: a file a running container swaps for a
    // symlink mid-way is read as the link, never as the host file it names
    return (await archive()).confinedTar(join(cdir(this.root, id), 'upper'), { overlay: true, tolerant: true });
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

  onHost(): boolean {
    return true;
  }

  async runtimeMount(): Promise<undefined> {
    return undefined;
  }

  view(id: string): FsView {
    return new DirView(this.tree(id).rootfs);
  }

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
    return this.tree(id).diffTar();
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

/**
 * For pull (and load): a layer unpacked while it is stored, so the first run finds it ready.
 * Only overlay2 shares unpacked layers between containers; vfs copies per container.
 */
export function layerStager(root: string, driver: DriverName): ((chainId: string) => Promise<StagedLayer | undefined>) | undefined {
  if (driver !== 'overlay2') return undefined;
  return (chainId) => StagedLayer.begin(root, chainId);
}
