/**
 * Everything between "start this container" and handing a bundle to runc: mount the root
 * filesystem, set up the network and /etc files, resolve user, env and command, write the OCI
 * spec. On any failure everything done so far is undone, so a failed start leaves nothing behind.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotter } from '../../snapshot/snapshotter.js';
import { resolveInRoot } from '../rootpath.js';
import { containerDir } from '../store.js';
import type { ContainerRecord, NetworkSnapshot } from '../types.js';
import { checkCommand } from './command.js';
import { setupContainerNetwork, teardownContainerNetwork } from './netplug.js';
import { runtimeDelete } from './runc.js';
import { buildSpec } from './spec.js';
import { resolveUser } from './user.js';
import { copyUpVolumes } from './volume-copy.js';

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

export interface Prepared {
  rootfs: string;
  network?: NetworkSnapshot;
  /** The overlay mount point, unmounted as soon as the runtime exits (vfs mounts nothing). */
  mountPoint?: string;
}

export async function prepareStart(root: string, rec: ContainerRecord, opts: { checkCommand?: boolean } = {}): Promise<Prepared> {
  const dir = containerDir(root, rec.Id);
  const snap = snapshotter(root, rec.Driver);
  let rootfs = '';
  try {
    rootfs = await snap.mount(rec.Id, rec.Layers);
    const net = await setupContainerNetwork(root, rec, dir);
    const user = resolveUser(rootfs, rec.Config.User);
    let env = mergeEnv([`PATH=${DEFAULT_PATH}`, `HOSTNAME=${net.hostname}`, ...(rec.Config.Tty ? ['TERM=xterm'] : [])], rec.Config.Env ?? []);
    if (!env.some((e) => e.startsWith('HOME='))) env = [...env, `HOME=${user.home}`];
    const cwd = rec.Config.WorkingDir || '/';
    mkdirSync(resolveInRoot(rootfs, cwd), { recursive: true });
    await copyUpVolumes(rootfs, rec.Mounts);
    if (opts.checkCommand !== false) checkCommand(rootfs, rec.Path, env, cwd);
    const spec = buildSpec({
      id: rec.Id,
      rootfs,
      args: [rec.Path, ...rec.Args],
      env,
      cwd,
      user,
      terminal: !!rec.Config.Tty,
      hostname: net.hostname,
      netnsPath: net.netnsPath,
      hostNetwork: net.hostNetwork,
      etcFiles: { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') },
      mounts: rec.Mounts,
      memory: rec.HostConfig.Memory,
      nanoCpus: rec.HostConfig.NanoCpus,
      pidsLimit: rec.HostConfig.PidsLimit,
    });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(spec));
    return { rootfs, network: net.state, mountPoint: snap.name === 'overlay2' ? rootfs : undefined };
  } catch (err) {
    await cleanupStart(root, rec);
    throw err;
  }
}

/** Undo prepareStart (idempotent): runtime state, network, mount. */
export async function cleanupStart(root: string, rec: ContainerRecord): Promise<void> {
  await runtimeDelete(rec.HostConfig.Runtime || 'runc', rec.Id).catch(() => undefined);
  await teardownContainerNetwork(root, rec).catch(() => undefined);
  await snapshotter(root, rec.Driver).unmount(rec.Id).catch(() => undefined);
}
