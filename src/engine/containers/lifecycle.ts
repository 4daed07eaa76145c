/**
 * Lifecycle of existing containers: start (through a detached monitor, or in this process for
 * a plain foreground run), stop, kill, restart, wait and remove, with Docker's messages.
 */
import { isWharfError, WharfError } from '../../core/errors.js';
import type { ContainerStore } from '../../container/store.js';
import type { Engine } from '../engine.js';
import type { ContainerRecord } from '../../container/types.js';
import { controlRequest } from '../../container/runtime/control.js';
import { normalizeSignal, runtimeFreeze, runtimeKill } from '../../container/runtime/runc.js';
import { removeContainerFiles } from '../../container/runtime/remove.js';
import { Runner, type LocalIO } from '../../container/runtime/runner.js';
import { spawnMonitor, type MonitorOptions } from './monitor.js';
import { containerSizes } from './list.js';
import { removeIfMonitorless } from './run.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start a created/exited container under a detached monitor; resolves once it runs. */
export async function startDetached(engine: Engine, ref: string, o: MonitorOptions = {}): Promise<ContainerRecord> {
  const store = engine.containers;
  const rec = store.get(ref);
  const st = store.state(rec.Id);
  if (st.Paused) throw new WharfError('CONFLICT', 'cannot start a paused container, try unpause instead');
  if (st.Running) return rec;
  const { event } = await spawnMonitor(engine, rec.Id, o).catch(async (err: unknown) => {
    await removeIfMonitorless(engine, rec.Id);
    throw err;
  });
  if (event.event === 'error') throw new WharfError('INTERNAL', event.message ?? 'start failed', { exitCode: event.exitCode ?? 125 });
  return rec;
}

/** A container run with this process as its monitor: signal it with `kill`, await `exited`. */
export interface InProcessRun {
  kill(signal: string): void;
  /** The exit code after clean-up; rejects (after cleaning up) when it could not start. */
  readonly exited: Promise<number>;
}

/**
 * Run a container with this process as its monitor. The caller decides which of its own
 * signals to forward (the CLI forwards SIGINT and SIGTERM, as docker's does).
 */
export function runInProcess(engine: Engine, id: string, io: LocalIO, o: { signal?: AbortSignal } = {}): InProcessRun {
  const runner = new Runner(engine, id, { local: io, listenOnSpawn: true });
  // An abort kills the container; the run then ends as after any exit (clean-up, --rm).
  o.signal?.addEventListener('abort', () => void runner.kill('SIGKILL').catch(() => undefined), { once: true });
  const exited = (async () => {
    try {
      await runner.start(true);
    } catch (err) {
      await runner.finishFailed();
      throw err;
    }
    return runner.supervise();
  })();
  return { kill: (sig) => void runner.kill(sig).catch(() => undefined), exited };
}

/** Wait until the container's monitor has gone (state settled). */
async function waitSettled(store: ContainerStore, id: string, timeoutMs = 30000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const s = store.state(id);
    if (!s.Running && !s.Restarting && !s.MonitorPid) return;
    await sleep(20);
  }
}

export async function stopContainer(engine: Engine, ref: string, timeout?: number, signal?: string): Promise<void> {
  const store = engine.containers;
  const rec = store.get(ref);
  const st = store.state(rec.Id);
  if (!st.Running && !st.Restarting) return;
  try {
    await controlRequest(rec.Id, { op: 'stop', timeout, signal });
  } catch {
    await runtimeKill(rec.HostConfig.Runtime || 'runc', rec.Id, 'SIGKILL');
  }
  await waitSettled(store, rec.Id);
}

export async function killContainer(engine: Engine, ref: string, signal = 'SIGKILL'): Promise<void> {
  const store = engine.containers;
  let rec: ContainerRecord;
  try {
    rec = store.get(ref);
  } catch (err) {
    throw isWharfError(err, 'NOT_FOUND') ? new WharfError('NOT_FOUND', `Cannot kill container: ${ref}: ${err.message}`) : err;
  }
  const sig = normalizeSignal(signal, 'SIGKILL');
  const st = store.state(rec.Id);
  if (!st.Running && !st.Restarting) {
    throw new WharfError('CONFLICT', `Cannot kill container: ${ref}: Container ${rec.Id} is not running`);
  }
  await controlRequest(rec.Id, { op: 'kill', signal: sig });
  if (sig === 'SIGKILL') await waitSettled(store, rec.Id, 5000);
}

/** `pause`: freeze a running container's processes; `ps` shows it "Up ... (Paused)". */
export async function pauseContainer(engine: Engine, ref: string): Promise<void> {
  const store = engine.containers;
  const rec = store.get(ref);
  const st = store.state(rec.Id);
  if (!st.Running || st.Restarting) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
  if (st.Paused) throw new WharfError('CONFLICT', `Container ${rec.Id} is already paused`);
  await runtimeFreeze(rec.HostConfig.Runtime || 'runc', rec.Id, 'pause');
  store.updateState(rec.Id, (s) => Object.assign(s, { Status: 'paused', Paused: true }));
}

export async function unpauseContainer(engine: Engine, ref: string): Promise<void> {
  const store = engine.containers;
  const rec = store.get(ref);
  const st = store.state(rec.Id);
  if (!st.Paused || !st.Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not paused`);
  await runtimeFreeze(rec.HostConfig.Runtime || 'runc', rec.Id, 'resume');
  store.updateState(rec.Id, (s) => Object.assign(s, { Status: 'running', Paused: false }));
}

export async function restartContainer(engine: Engine, ref: string, timeout?: number): Promise<void> {
  await stopContainer(engine, ref, timeout);
  await startDetached(engine, ref);
}

/** `wait`: the exit code once the container has stopped for good; `signal` gives up waiting. */
export async function waitContainer(engine: Engine, ref: string, o: { signal?: AbortSignal } = {}): Promise<number> {
  const store = engine.containers;
  const rec = store.get(ref);
  const aborted = o.signal
    ? new Promise<never>((_, reject) => {
        const fail = () => reject(o.signal!.reason);
        if (o.signal!.aborted) fail();
        else o.signal!.addEventListener('abort', fail, { once: true });
      })
    : undefined;
  aborted?.catch(() => undefined);
  for (;;) {
    o.signal?.throwIfAborted();
    const st = store.state(rec.Id);
    if (!st.Running && !st.Restarting && !st.MonitorPid) return st.ExitCode;
    try {
      const request = controlRequest(rec.Id, { op: 'wait' });
      const ev = await (aborted ? Promise.race([request, aborted]) : request);
      if (ev.event === 'exit') {
        await waitSettled(store, rec.Id, 5000);
        return ev.exitCode ?? store.state(rec.Id).ExitCode;
      }
    } catch (err) {
      if (o.signal?.aborted) throw err;
      await sleep(50);
    }
  }
}

/** `rm`: resolves with the bytes reclaimed (the container's writable layer, docker's SizeRw). */
export async function removeContainer(engine: Engine, ref: string, o: { force?: boolean; volumes?: boolean } = {}): Promise<number> {
  const store = engine.containers;
  const rec = store.get(ref);
  const st = store.state(rec.Id);
  if (st.Running || st.Restarting) {
    if (st.Paused && !o.force) {
      throw new WharfError(
        'CONFLICT',
        `You cannot remove a paused container ${rec.Id}. Unpause and then stop the container before attempting removal or force remove`,
      );
    }
    if (!o.force) {
      throw new WharfError(
        'CONFLICT',
        `You cannot remove a running container ${rec.Id}. Stop the container before attempting removal or force remove`,
      );
    }
    await stopContainer(engine, rec.Id, 0, 'SIGKILL');
  }
  const { rw } = containerSizes(store.dir(rec.Id), rec);
  await removeContainerFiles(engine, rec, { volumes: !!o.volumes });
  return rw;
}
