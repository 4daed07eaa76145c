/**
 * Everything between "start this container" and handing a bundle to runc: have the root
 * filesystem mounted (by the runtime, or here when files must be written first), set up the
 * network and /etc files, resolve user, env and command, write the OCI spec. On any failure everything done so far is undone, so a failed start leaves nothing behind.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { WharfError } from '../../core/errors.js';
import { join } from 'node:path';
import { snapshotter } from '../../snapshot/snapshotter.js';
import { DirView, isDirectoryIn, type FsView } from '../../archive/layer-stack.js';
import { resolveInRoot } from '../rootpath.js';
import { containerDir } from '../store.js';
import type { ContainerRecord, NetworkSnapshot } from '../types.js';
import { checkCommand } from './command.js';
import { plannedNetwork, setupContainerNetwork, teardownContainerNetwork } from './netplug.js';
import { runtimeDelete } from './runc.js';
import { buildSpec, tmpfsOptions } from './spec.js';
import { parseSecurityOpts } from './seccomp.js';
import { resolveUser } from './user.js';
import { copyUpSource, copyUpVolumes } from './volume-copy.js';
import { mark } from '../../core/timing.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Set or replace `KEY=value` entries, keeping first-seen order (Docker's ReplaceOrAppendEnvValues). */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const out = [...base];
  for (const e of overrides) {
    const key = e.split('=')[0];
    const i = out.findIndex((x) => x.split('=')[0] === key);
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

/** The static init `--init` runs (Debian's tini, which docker ships as docker-init). */
function initBinary(): string {
  const found = ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/local/bin/tini-static'].find((p) => existsSync(p));
  if (!found) throw new WharfError('INTERNAL', 'exec: "docker-init": executable file not found in $PATH', { exitCode: 125 });
  return found;
}

export interface Prepared {
  rootfs: string;
  network?: NetworkSnapshot;
  /** The overlay mount point, unmounted as soon as the runtime exits (vfs mounts nothing). */
  mountPoint?: string;
}

/** Whether the root can only be written through a host mount before start. */
function needsHostMount(view: FsView, rec: ContainerRecord, cwd: string): boolean {
  // A missing working dir (or a symlink loop, which the host mount path then reports) is made there.
  return !isDirectoryIn(view, cwd) || rec.Mounts.some((m) => copyUpSource(view, m) !== undefined);
}

/** `previousIp`: the address of the container's last run (read only for a bridge container), kept on a restart when still free. */
export async function prepareStart(root: string, rec: ContainerRecord, opts: { checkCommand?: boolean; previousIp?: () => string | undefined } = {}): Promise<Prepared> {
  const dir = containerDir(root, rec.Id);
  const snap = snapshotter(root, rec.Driver);
  const cwd = rec.Config.WorkingDir || '/';
  // Started first: its ip(8) run overlaps the reads of the root and the spec's making below,
  // which need only what is known of the network beforehand.
  const planned = plannedNetwork(rec);
  const network = setupContainerNetwork(root, rec, dir, opts.previousIp);
  network.catch(() => undefined);
  try {
    // Mounted by the runtime in the container's namespace when possible: no mount and umount
    // processes, and nothing left mounted if everything dies. Reads go through the layers.
    let runtimeRoot = await snap.runtimeMount(rec.Id, rec.Layers);
    let view = snap.view(rec.Id, rec.Layers);
    if (runtimeRoot && needsHostMount(view, rec, cwd)) runtimeRoot = undefined;
    let rootfs: string;
    if (runtimeRoot) rootfs = runtimeRoot.rootfs;
    else {
      rootfs = await snap.mount(rec.Id, rec.Layers);
      view = new DirView(rootfs);
      mkdirSync(resolveInRoot(rootfs, cwd), { recursive: true });
      await copyUpVolumes(rootfs, rec.Mounts);
    }
    mark('prepare: root filesystem');
    const user = resolveUser(view, rec.Config.User);
    let env = mergeEnv([`PATH=${DEFAULT_PATH}`, `HOSTNAME=${planned.hostname}`, ...(rec.Config.Tty ? ['TERM=xterm'] : [])], rec.Config.Env ?? []);
    if (!env.some((e) => e.startsWith('HOME='))) env = [...env, `HOME=${user.home}`];
    if (opts.checkCommand !== false) checkCommand(view, rec.Path, env, cwd);
    mark('prepare: user and command checks');
    const spec = buildSpec({
      id: rec.Id,
      rootfs,
      rootMount: runtimeRoot?.mount,
      args: [rec.Path, ...rec.Args],
      env,
      cwd,
      user,
      terminal: !!rec.Config.Tty,
      hostname: planned.hostname,
      netnsPath: planned.netnsPath,
      hostNetwork: planned.hostNetwork,
      etcFiles: { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') },
      mounts: rec.Mounts,
      memory: rec.HostConfig.Memory,
      nanoCpus: rec.HostConfig.NanoCpus,
      pidsLimit: rec.HostConfig.PidsLimit,
      security: parseSecurityOpts(rec.HostConfig.SecurityOpt ?? []),
      capAdd: rec.HostConfig.CapAdd ?? undefined,
      capDrop: rec.HostConfig.CapDrop ?? undefined,
      readonlyRoot: rec.HostConfig.ReadonlyRootfs,
      tmpfs: { ...rec.HostConfig.Tmpfs, ...Object.fromEntries((rec.HostConfig.Mounts ?? []).filter((m) => m.Type === 'tmpfs').map((m) => [m.Target, tmpfsOptions(m)])) },
      ulimits: rec.HostConfig.Ulimits ?? undefined,
      shmSize: rec.HostConfig.ShmSize,
      init: rec.HostConfig.Init ? initBinary() : undefined,
    });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
    mark('prepare: spec written');
    const net = await network;
    mark('prepare: network and /etc files');
    return { rootfs, network: net.state, mountPoint: !runtimeRoot && snap.name === 'overlay2' ? rootfs : undefined };
  } catch (err) {
    await network.catch(() => undefined);
    await cleanupStart(root, rec);
    throw err;
  }
}

/**
 * Undo prepareStart (idempotent): runtime state, then the network alongside the mount.
 * `removeFiles`, run once the root is unmounted, also overlaps the network's teardown
 * (an ip(8) run): removal passes the deletion of the container's snapshot.
 */
export async function cleanupStart(root: string, rec: ContainerRecord, removeFiles?: () => Promise<void>): Promise<void> {
  await runtimeDelete(rec.HostConfig.Runtime || 'runc', rec.Id).catch(() => undefined);
  const network = teardownContainerNetwork(root, rec).catch(() => undefined);
  await snapshotter(root, rec.Driver).unmount(rec.Id).catch(() => undefined);
  try {
    await removeFiles?.();
  } finally {
    await network;
  }
}
