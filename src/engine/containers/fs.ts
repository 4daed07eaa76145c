/**
 * Filesystem access to a container whether or not it runs: `diff`, `export` and `cp`
 * (both directions, and to or from a tar stream for `-`).
 *
 * Every read or write inside a container's root runs in a confined worker chrooted into it
 * (archive/confined.ts), the tar streaming through: docker's chrootarchive. The kernel then
 * resolves the container's paths and symlinks (even ones a running container swaps while the
 * copy runs) inside its root. The host side of `cp` out is extracted by a worker chrooted
 * into the host destination dir, so nothing a container put in the tar lands elsewhere.
 */
import { existsSync, lstatSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument, isWharfError, notFound, WharfError } from '../../core/errors.js';
import { snapshotter } from '../../snapshot/snapshotter.js';
import { confine, confinedTar, tarDirectory, tarOf, type Change } from '../../snapshot/archive-bridge.js';
import { ContainerStore } from '../../container/store.js';

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

/** The flattened filesystem as a tar stream (files vanishing meanwhile are left out, as docker does). */
export async function exportContainer(root: string, ref: string, sink: (tar: Readable) => Promise<void>): Promise<void> {
  await withRootfs(root, ref, async (rootfs) => sink(confinedTar(rootfs, { tolerant: true, names: true })), { rootOnly: true });
}

export interface CopyOptions {
  /** `cp -L`: a final symlink in the container path is followed (inside the container). */
  follow?: boolean;
}

/** `PATH/.` copies a directory's content rather than the directory itself (docker's rule). */
const contentOnly = (path: string) => /(^|\/)\.$/.test(path);

/** A worker taring the container's `path`, and what it found there (its tar name '.' = content only). */
async function tarWorker(rootfs: string, ref: string, path: string, o: CopyOptions) {
  const w = confine(rootfs, { op: 'tar', path, follow: o.follow || contentOnly(path), tolerant: true, content: contentOnly(path) });
  try {
    return { w, found: await w.told };
  } catch (err) {
    if (isWharfError(err, 'NOT_FOUND')) throw notFound(`Could not find the file ${path} in container ${ref}`);
    throw err;
  }
}

export async function copyFromContainer(root: string, ref: string, path: string, hostDst: string, o: CopyOptions = {}): Promise<void> {
  await withRootfs(root, ref, async (rootfs) => {
    const { w, found } = await tarWorker(rootfs, ref, path, o);
    try {
      const name = found.name!;
      const dstDir = existsSync(hostDst) && statSync(hostDst).isDirectory();
      let into: string;
      let to = name;
      if (name === '.' || dstDir || hostDst.endsWith('/')) {
        if (!dstDir) {
          if (!found.isDir && hostDst.endsWith('/')) throw notFound(`no such directory`);
          if (!existsSync(dirname(hostDst.replace(/\/+$/, '')))) throw notFound(`no such directory`);
          mkdirSync(hostDst);
        }
        into = hostDst;
      } else {
        if (found.isDir && existsSync(hostDst)) throw invalidArgument('cannot copy directory to file');
        into = dirname(hostDst);
        to = basename(hostDst);
        if (!existsSync(into)) throw notFound(`no such directory`);
      }
      const host = confine(into, { op: 'apply', opts: { whiteouts: 'none', rename: { from: name, to } } }, tarOf(w));
      host.stdout.resume();
      await host.done;
    } finally {
      w.kill();
    }
  });
}

export async function copyToContainer(root: string, ref: string, hostSrc: string, path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(hostSrc);
  } catch {
    throw new WharfError('NOT_FOUND', `lstat ${hostSrc}: no such file or directory`);
  }
  const srcName = contentOnly(hostSrc) ? '.' : basename(hostSrc);
  await withRootfs(root, ref, async (rootfs) => {
    const tar = tarDirectory(hostSrc, { top: srcName });
    const w = confine(rootfs, { op: 'copyIn', path, srcName, srcIsDir: st.isDirectory() }, tar);
    w.stdout.resume();
    await w.done;
  });
}

/** `cp CONTAINER:PATH -`: the file or tree at PATH, under its own name, as a tar stream. */
export async function tarFromContainer(root: string, ref: string, path: string, sink: (tar: Readable) => Promise<void>, o: CopyOptions = {}): Promise<void> {
  await withRootfs(root, ref, async (rootfs) => {
    const { w } = await tarWorker(rootfs, ref, path, o);
    await sink(tarOf(w));
  });
}

/** `cp - CONTAINER:DIR`: unpack a tar stream into DIR, which must be a directory (names as in the tar). */
export async function untarIntoContainer(root: string, ref: string, path: string, tar: Readable): Promise<void> {
  await withRootfs(root, ref, async (rootfs) => {
    const w = confine(rootfs, { op: 'untar', path }, tar);
    w.stdout.resume();
    try {
      await w.done;
    } catch (err) {
      if (isWharfError(err, 'INVALID_ARGUMENT') && err.message === 'destination must be a directory') {
        throw invalidArgument(`destination "${ref}:${path}" must be a directory`, { reason: 'CP_DESTINATION' });
      }
      // docker's wording for an archive it cannot read
      if (isWharfError(err, 'CORRUPT')) throw invalidArgument(`Error processing tar file(exit status 1): ${err.message.replace(/^corrupt tar: /, '')}`);
      throw err;
    }
  });
}
