/**
 * Filesystem access to a container whether or not it runs: `diff`, `export` and `cp`
 * (both directions; every container path resolved inside the root, symlinks included).
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { notFound, WharfError } from '../../core/errors.js';
import { snapshotter } from '../../snapshot/snapshotter.js';
import { tarDirectory, type Change } from '../../snapshot/archive-bridge.js';
import { ContainerStore } from '../../container/store.js';
import { resolveInRoot } from '../../container/rootpath.js';

/**
 * The container's root filesystem for `fn`: mounted on the host for a stopped container (and
 * unmounted afterwards). A running container's root is mounted in its own namespace: `cp`
 * reaches it through /proc/PID/root (volumes included, as with Docker), `export` through a
 * read-only host mount of its layers (the root alone, as with Docker).
 */
export async function withRootfs<T>(root: string, ref: string, fn: (rootfs: string) => Promise<T>, o: { rootOnly?: boolean } = {}): Promise<T> {
  const store = new ContainerStore(root);
  const rec = store.get(ref);
  const snap = snapshotter(root, rec.Driver);
  const st = store.state(rec.Id);
  const inRuntime = st.Running && st.Pid > 0 && !snap.onHost(rec.Id);
  if (inRuntime && !o.rootOnly) return fn(`/proc/${st.Pid}/root`);
  const rootfs = await snap.mount(rec.Id, rec.Layers, { readOnly: inRuntime });
  try {
    return await fn(rootfs);
  } finally {
    if (inRuntime || !store.state(rec.Id).Running) await snap.unmount(rec.Id);
  }
}

export async function containerChanges(root: string, ref: string): Promise<Change[]> {
  const rec = new ContainerStore(root).get(ref);
  return snapshotter(root, rec.Driver).changes(rec.Id, rec.Layers);
}

/** The flattened filesystem as a tar stream; `done` resolves after the stream ended and cleanup ran. */
export async function exportContainer(root: string, ref: string, sink: (tar: Readable) => Promise<void>): Promise<void> {
  await withRootfs(root, ref, async (rootfs) => sink(await tarDirectory(rootfs)), { rootOnly: true });
}

function cpA(src: string, dst: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('cp', ['-a', '--no-dereference', '--', src, dst], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new WharfError('INTERNAL', err.trim()))));
  });
}

/** Docker's destination rule: into an existing dir, else as the named path (parent must exist). */
function destinationFor(dst: string, srcName: string, srcIsDir: boolean, shownDst: string): string {
  if (existsSync(dst) && statSync(dst).isDirectory()) return join(dst, srcName);
  if (shownDst.endsWith('/')) {
    if (!srcIsDir) throw new WharfError('NOT_FOUND', `no such directory`);
    mkdirSync(dst, { recursive: true });
    return join(dst, srcName);
  }
  if (!existsSync(dirname(dst))) throw notFound(`no such directory`);
  return dst;
}

export async function copyFromContainer(root: string, ref: string, path: string, hostDst: string): Promise<void> {
  await withRootfs(root, ref, async (rootfs) => {
    const src = resolveInRoot(rootfs, path, true);
    let st;
    try {
      st = lstatSync(src);
    } catch {
      throw notFound(`Could not find the file ${path} in container ${ref}`);
    }
    await cpA(src, destinationFor(hostDst, basename(src), st.isDirectory(), hostDst));
  });
}

export async function copyToContainer(root: string, ref: string, hostSrc: string, path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(hostSrc);
  } catch {
    throw new WharfError('NOT_FOUND', `lstat ${hostSrc}: no such file or directory`);
  }
  await withRootfs(root, ref, async (rootfs) => {
    const dst = resolveInRoot(rootfs, path);
    if (existsSync(dst) && !statSync(dst).isDirectory() && st.isDirectory()) {
      throw new WharfError('INVALID_ARGUMENT', `cannot copy directory to file`);
    }
    let target = destinationFor(dst, basename(hostSrc), st.isDirectory(), path);
    // The final name must not be a symlink that leads out of the root either.
    target = resolveInRoot(rootfs, target.slice(rootfs.length) || '/', true);
    await cpA(hostSrc, target);
  });
}
