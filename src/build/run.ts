/**
 * One RUN step: a snapshot of the image's layers, runc started directly on a bundle made for
 * the step (no container record, no monitor, no bridge: the step shares the host's network,
 * or gets an empty namespace with `--network none`), its output handed to the caller as it
 * comes, and the snapshot's changes returned as a layer tar. The snapshot and the runtime's
 * state are removed whatever happens, unless the caller keeps a failed step's snapshot.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ContainerConfig, LayerRef } from '../image/types.js';
import { ContainerStore } from '../container/store.js';
import { randomName } from '../container/names.js';
import { emptyState, type ContainerRecord, type MountPoint } from '../container/types.js';
import { DirView } from '../archive/layer-stack.js';
import { configuredDriver, snapshotter } from '../snapshot/snapshotter.js';
import { buildSpec } from '../container/runtime/spec.js';
import { resolveUser } from '../container/runtime/user.js';
import { DEFAULT_PATH, mergeEnv } from '../container/runtime/prepare.js';
import { generateHostsFile, generateResolvConf } from '../container/runtime/network/files.js';
import { runtimeArgs, runtimeCmd } from '../container/runtime/runc.js';
import { childEnv } from '../container/runtime/helper-process.js';
import type { Ulimit } from '../container/runtime/limits.js';

export interface RunStepOptions {
  root: string;
  /** 64-hex id: the step's "intermediate container". */
  id: string;
  layers: LayerRef[];
  args: string[];
  env: string[];
  cwd: string;
  user: string;
  network: 'host' | 'none';
  extraHosts: string[];
  /**
   * The image's VOLUMEs: dockerd runs RUN with an anonymous volume on each, so the mount
   * points appear in the layer and what RUN writes below them is not kept. An empty tmpfs
   * stands in for each (its mount point is made in the snapshot by the runtime).
   */
  volumes?: string[];
  /** RUN --mount binds and tmpfs mounts (mounts.ts). */
  binds?: MountPoint[];
  tmpfs?: Record<string, string>;
  memory?: number;
  nanoCpus?: number;
  shmSize?: number;
  ulimits?: Ulimit[];
  onOutput: (stream: 'stdout' | 'stderr', data: Buffer) => void;
  signal?: AbortSignal;
}

export interface RunStepResult {
  exitCode: number;
  /**
   * Keep the step as a stopped container (`ps -a` shows it; dockerd keeps a failed step's
   * container unless --force-rm, and every step's with --rm=false): the snapshot becomes
   * the container's, with a record and an exited state.
   */
  keep: (k: { image: string; config: ContainerConfig; created: string }) => Promise<void>;
  /** The step's changes as a layer; call only when exitCode is 0. */
  diff: () => Promise<Readable>;
  /** Remove the snapshot and runtime state (idempotent). */
  cleanup: () => Promise<void>;
}

const RUNTIME = 'runc';

export async function runStep(o: RunStepOptions): Promise<RunStepResult> {
  const driver = configuredDriver(process.env.WHARF_STORAGE_DRIVER);
  const snap = snapshotter(o.root, driver);
  const sid = `build-${o.id}`;
  const dir = join(o.root, 'containers', sid);
  const cleanup = async () => {
    await runtimeCmd(RUNTIME, ['delete', '--force', sid]).catch(() => undefined);
    await snap.remove(sid).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await snap.prepare(sid, o.layers);
    let runtimeRoot = await snap.runtimeMount(sid, o.layers);
    const rootfs = runtimeRoot ? runtimeRoot.rootfs : await snap.mount(sid, o.layers);
    const view = runtimeRoot ? snap.view(sid, o.layers) : new DirView(rootfs);
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle, { recursive: true });
    const hostname = o.id.slice(0, 12);
    const hostHosts = o.network === 'host' ? readOr('/etc/hosts', '') : undefined;
    writeFileSync(join(bundle, 'hosts'), generateHostsFile({ hostname, extraHosts: o.extraHosts, ...(hostHosts !== undefined ? { hostHostsFile: hostHosts } : {}) }));
    writeFileSync(join(bundle, 'hostname'), hostname + '\n');
    writeFileSync(join(bundle, 'resolv.conf'), generateResolvConf(readOr('/etc/resolv.conf', ''), o.network));
    const user = resolveUser(view, o.user);
    let env = mergeEnv([`PATH=${DEFAULT_PATH}`, `HOSTNAME=${hostname}`], o.env);
    if (!env.some((e) => e.startsWith('HOME='))) env = [...env, `HOME=${user.home}`];
    const spec = buildSpec({
      id: sid,
      rootfs,
      rootMount: runtimeRoot?.mount,
      args: o.args,
      env,
      cwd: o.cwd || '/',
      user,
      terminal: false,
      hostname,
      hostNetwork: o.network === 'host',
      etcFiles: { hosts: join(bundle, 'hosts'), hostname: join(bundle, 'hostname'), resolvConf: join(bundle, 'resolv.conf') },
      mounts: o.binds ?? [],
      memory: o.memory ?? 0,
      nanoCpus: o.nanoCpus ?? 0,
      pidsLimit: null,
      ulimits: o.ulimits,
      shmSize: o.shmSize,
      tmpfs: { ...Object.fromEntries((o.volumes ?? []).map((v) => [v, ''])), ...(o.tmpfs ?? {}) },
    });
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
    runtimeRoot = undefined;
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(RUNTIME, [...runtimeArgs(RUNTIME), 'run', '--bundle', bundle, sid], { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
      child.stdout.on('data', (d: Buffer) => o.onOutput('stdout', d));
      child.stderr.on('data', (d: Buffer) => o.onOutput('stderr', d));
      const abort = () => void runtimeCmd(RUNTIME, ['kill', sid, 'KILL']).catch(() => undefined);
      o.signal?.addEventListener('abort', abort, { once: true });
      child.on('error', reject);
      child.on('close', (code, sig) => {
        o.signal?.removeEventListener('abort', abort);
        resolve(code ?? (sig ? 128 + 9 : 1));
      });
    });
    if (snap.onHost(sid)) await snap.unmount(sid);
    await runtimeCmd(RUNTIME, ['delete', '--force', sid]).catch(() => undefined);
    const keep: RunStepResult['keep'] = async (k) => {
      const store = new ContainerStore(o.root);
      rmSync(bundle, { recursive: true, force: true });
      renameSync(dir, store.dir(o.id));
      let name = '';
      for (let i = 0; !name; i++) {
        const candidate = randomName(i > 5 ? 1 : 0);
        try {
          store.reserveName(candidate, o.id);
          name = candidate;
        } catch (err) {
          if (i > 20) throw err;
        }
      }
      const rec: ContainerRecord = {
        Id: o.id,
        Name: name,
        Created: k.created,
        Path: o.args[0] ?? '',
        Args: o.args.slice(1),
        Image: k.image,
        ImageRef: k.image,
        Driver: driver,
        Config: { ...k.config, Hostname: hostname, Image: k.image, Cmd: o.args, Entrypoint: null, Env: o.env },
        HostConfig: {
          Binds: null, NetworkMode: o.network === 'none' ? 'none' : 'host', PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false,
          PublishAllPorts: false, Memory: o.memory ?? 0, NanoCpus: o.nanoCpus ?? 0, PidsLimit: null, Runtime: RUNTIME, LogConfig: { Type: 'json-file', Config: {} },
        },
        Mounts: [],
        Layers: o.layers,
      };
      store.writeRecord(rec);
      const now = new Date().toISOString();
      store.writeState(o.id, { ...emptyState(), Status: 'exited', ExitCode: exitCode, StartedAt: k.created, FinishedAt: now });
    };
    return { exitCode, diff: () => snap.diffTar(sid, o.layers), cleanup, keep };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}
