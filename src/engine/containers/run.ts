/**
 * Run orchestration the front ends share: which attached runs need a detached monitor (a
 * TTY, a restart policy or a health check outlive this process's simple supervision), and
 * starting a container under a monitor that waits for the attach before it starts, so no
 * output is lost. `--rm` is the monitor's (or the in-process runner's) job: it removes the
 * container after its final exit, and after a failed start.
 */
import { WharfError } from '../../core/errors.js';
import type { ContainerRecord } from '../../container/types.js';
import { removeContainerFiles } from '../../container/runtime/remove.js';
import type { Engine } from '../engine.js';
import { spawnMonitor } from './monitor.js';

export function needsMonitor(rec: ContainerRecord): boolean {
  return !!rec.Config.Tty || rec.HostConfig.RestartPolicy.Name !== 'no' || !!rec.Config.Healthcheck?.Test?.length;
}

/** Start under a monitor that starts the container once a client attached (or after 15 s). */
export async function startAttached(engine: Engine, id: string, o: { size?: { cols: number; rows: number } } = {}): Promise<void> {
  const { event } = await spawnMonitor(engine, id, { waitAttach: true, size: o.size }).catch(async (err: unknown) => {
    await removeIfMonitorless(engine, id);
    throw err;
  });
  if (event.event === 'error') throw new WharfError('INTERNAL', event.message ?? 'start failed', { exitCode: event.exitCode ?? 125 });
}

/**
 * A monitor that died before its handshake never ran the container, nor will it remove an
 * `--rm` one: the engine does, so a failed start leaves nothing behind either way.
 */
export async function removeIfMonitorless(engine: Engine, id: string): Promise<void> {
  const rec = engine.containers.record(id);
  if (rec?.HostConfig.AutoRemove && !engine.containers.state(id).Running) await removeContainerFiles(engine, rec, { volumes: true }).catch(() => undefined);
}

/**
 * Finish what dead monitors could not: an `--rm` container whose monitor (or foreground CLI)
 * was killed while it ran is removed, as its monitor would have removed it on exit. Reading
 * its state finds the loss (and records it); list operations call this first.
 */
export async function reapLostContainers(engine: Engine): Promise<void> {
  const store = engine.containers;
  for (const rec of store.list()) {
    if (!rec.HostConfig.AutoRemove || !store.state(rec.Id).MonitorLost) continue;
    await removeContainerFiles(engine, rec, { volumes: true }).catch(() => undefined);
  }
}
