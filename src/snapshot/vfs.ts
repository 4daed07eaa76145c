/**
 * The `vfs` snapshotter: a private full copy of the image per container, for hosts without
 * overlayfs. Right after unpacking it records a manifest of the copy (type, mode, owner, size,
 * mtime per path) in `vfs-base.json`; that is the image side that `diff` and `commit` compare
 * the container against, as overlay's lower dirs are for overlay2 (Docker's vfs compares two
 * full trees the same way, "naive diff").
 * - diff: a path missing from the manifest is A, one whose metadata differs is C, a manifest path
 *   gone from the copy is D; a directory with any change below it is C, listed before its changes.
 * - commit: the changed paths, in that order, become the layer: a worker chrooted into the copy
 *   tars each one's own entry, deletions as `.wh.` entries.
 */
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { LayerRef } from '../image/types.js';
import type { Change } from './archive-bridge.js';
import { run } from './mount.js';

/** Directory entries in byte order (as the layer writer and overlay's diff list them). */
const sortedNamesOf = (dir: string) => readdirSync(dir).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

type Meta = [type: number, mode: number, uid: number, gid: number, size: number, mtimeMs: number, rdev: number];
const meta = (st: Stats): Meta => [st.mode & 0o170000, st.mode, st.uid, st.gid, st.isDirectory() ? 0 : st.size, st.mtimeMs, st.rdev];
const same = (a: Meta, b: Meta) => a.every((v, i) => v === b[i]);

/** Walk `base` depth-first, names sorted, calling `fn` with each relative path and its lstat. */
function walk(base: string, fn: (rel: string, st: Stats) => void, rel = ''): void {
  for (const name of sortedNamesOf(rel ? join(base, rel) : base)) {
    const child = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(base, child));
    fn(child, st);
    if (st.isDirectory()) walk(base, fn, child);
  }
}

export class VfsTree {
  constructor(
    private readonly dir: string,
    private readonly initLayer: (dir: string) => void,
  ) {}

  get rootfs(): string {
    return join(this.dir, 'rootfs');
  }

  private get manifestPath(): string {
    return join(this.dir, 'vfs-base.json');
  }

  async prepare(layers: LayerRef[]): Promise<void> {
    const target = this.rootfs;
    if (existsSync(target)) return;
    const tmp = `${target}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const { applyLayer } = await import('./archive-bridge.js');
    for (const l of layers) await applyLayer(createReadStream(l.path), tmp, { whiteouts: 'delete' });
    // The runtime's mount points belong to the base, as Docker's init layer does.
    this.initLayer(tmp);
    rmSync(`${tmp}.done`, { force: true });
    const manifest: Record<string, Meta> = {};
    walk(tmp, (rel, st) => void (manifest[rel] = meta(st)));
    writeFileSync(this.manifestPath, JSON.stringify(manifest));
    await run('mv', [tmp, target]);
  }

  remove(): void {
    rmSync(this.rootfs, { recursive: true, force: true });
    rmSync(this.manifestPath, { force: true });
  }

  private manifest(): Map<string, Meta> {
    return new Map(Object.entries(JSON.parse(readFileSync(this.manifestPath, 'utf8')) as Record<string, Meta>));
  }

  changes(): Change[] {
    const base = this.manifest();
    const children = new Map<string, string[]>();
    for (const rel of base.keys()) {
      const i = rel.lastIndexOf('/');
      const parent = i < 0 ? '' : rel.slice(0, i);
      const list = children.get(parent) ?? [];
      list.push(rel);
      children.set(parent, list);
    }
    const out: Change[] = [];
    /** Lists the changes under directory `rel`; returns whether there were any. */
    const visit = (rel: string, added: boolean): boolean => {
      const host = rel ? join(this.rootfs, rel) : this.rootfs;
      const present = new Set<string>();
      let any = false;
      for (const name of sortedNamesOf(host)) {
        const child = rel ? `${rel}/${name}` : name;
        present.add(child);
        const st = lstatSync(join(this.rootfs, child));
        const was = added ? undefined : base.get(child);
        const kind = !was ? 'A' : !same(was, meta(st)) ? 'C' : undefined;
        const at = out.length;
        if (kind) out.push({ kind, path: `/${child}` });
        const below = st.isDirectory() && (!was || was[0] === (st.mode & 0o170000)) ? visit(child, !was) : false;
        if (below && !kind) out.splice(at, 0, { kind: 'C', path: `/${child}` });
        any ||= !!kind || below;
      }
      if (!added) {
        for (const gone of (children.get(rel) ?? []).filter((c) => !present.has(c)).sort()) {
          out.push({ kind: 'D', path: `/${gone}` });
          any = true;
        }
      }
      return any;
    };
    visit('', false);
    return out;
  }

  /**
   * The changes as a layer tar, read by a worker chrooted into the rootfs (a running
   * container's swaps cannot make it read host files): each changed path's own entry, parents
   * first, deletions as `.wh.` entries.
   */
  async diffTar(): Promise<Readable> {
    const list = this.changes().map((c) => ({ path: c.path.slice(1), whiteout: c.kind === 'D' }));
    const { confine, tarOf } = await import('./archive-bridge.js');
    return tarOf(confine(this.rootfs, { op: 'tarList' }, Readable.from([Buffer.from(JSON.stringify(list))])));
  }
}
