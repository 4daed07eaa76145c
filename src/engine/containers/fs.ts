/**
 * Filesystem access to a container whether or not it runs: `diff`, `export` and `cp`
 * (both directions, and to or from a tar stream for `-`; every container path resolved
 * inside the root, symlinks included).
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { notFound, WharfError } from '../../core/errors.js';
import { snapshotter } from '../../snapshot/snapshotter.js';
import { tarDirectory, type Change, type OwnerNames } from '../../snapshot/archive-bridge.js';
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
  await withRootfs(root, ref, async (rootfs) => sink(await tarDirectory(rootfs, ownerNames(rootfs))), { rootOnly: true });
}

/**
 * Names for uids and gids from the container's own /etc/passwd and /etc/group (docker export runs
 * its tar chrooted in the container, so it names owners as the image does, never as the host).
 */
function ownerNames(rootfs: string): OwnerNames {
  const table = (file: string): Map<number, string> => {
    const byId = new Map<number, string>();
    let text = '';
    try {
      const path = resolveInRoot(rootfs, `/etc/${file}`);
      if (statSync(path).isFile()) text = readFileSync(path, 'utf8');
    } catch {
      return byId;
    }
    for (const line of text.split('\n')) {
      const [name, , id] = line.split(':');
      if (!name || line.startsWith('#') || !/^\d+$/.test(id ?? '')) continue;
      if (!byId.has(Number(id))) byId.set(Number(id), name);
    }
    return byId;
  };
  const users = table('passwd');
  const groups = table('group');
  return { user: (uid) => users.get(uid), group: (gid) => groups.get(gid) };
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

/** GNU tar with `args`; resolves when it exits 0, else fails with its first error line. */
function runTar(args: string[], io: { stdin?: Readable; onStdout?: (out: Readable) => Promise<void> }, what: (detail: string, code: number) => WharfError): Promise<void> {
  const p = spawn('tar', args, { stdio: [io.stdin ? 'pipe' : 'ignore', io.onStdout ? 'pipe' : 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => (err += d));
  if (io.stdin) {
    p.stdin!.on('error', () => undefined);
    io.stdin.pipe(p.stdin!);
  }
  const sent = io.onStdout ? io.onStdout(p.stdout!) : Promise.resolve();
  const exited = new Promise<void>((resolve, reject) =>
    p.on('close', (code) => (code === 0 ? resolve() : reject(what(err.trim().split('\n')[0]!.replace(/^tar: /, ''), code ?? 1)))),
  );
  return Promise.all([sent, exited]).then(() => undefined);
}

/** `cp CONTAINER:PATH -`: the file or tree at PATH, under its own name, as a tar stream. */
export async function tarFromContainer(root: string, ref: string, path: string, sink: (tar: Readable) => Promise<void>): Promise<void> {
  await withRootfs(root, ref, async (rootfs) => {
    const src = resolveInRoot(rootfs, path, true);
    if (!existsSync(src) && !isLink(src)) throw notFound(`Could not find the file ${path} in container ${ref}`);
    const [dir, name] = src === rootfs || src === `${rootfs}/` ? [src, '.'] : [dirname(src), basename(src)];
    await runTar(['-C', dir, '-cf', '-', '--', name], { onStdout: sink }, (detail) => new WharfError('INTERNAL', detail));
  });
}

const isLink = (path: string) => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};

/**
 * `cp - CONTAINER:DIR`: unpack a tar stream into DIR, which must be a directory. The archive
 * is unpacked on the host first, then copied in entry by entry as `cp` does, so its paths
 * are resolved inside the root like any other copy.
 */
export async function untarIntoContainer(root: string, ref: string, path: string, tar: Readable): Promise<void> {
  await withRootfs(root, ref, async (rootfs) => {
    const dst = resolveInRoot(rootfs, path);
    if (!existsSync(dst) || !statSync(dst).isDirectory()) throw new WharfError('INVALID_ARGUMENT', `destination "${ref}:${path}" must be a directory`);
    const staging = mkdtempSync(join(tmpdir(), 'wharf-cp-'));
    try {
      await runTar(['-C', staging, '-xf', '-'], { stdin: tar }, (detail, code) => new WharfError('INVALID_ARGUMENT', `Error processing tar file(exit status ${code}): ${detail}`));
      for (const name of readdirSync(staging)) await cpA(join(staging, name), resolveInRoot(rootfs, join(path, name), true));
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });
}
