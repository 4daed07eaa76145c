/**
 * What the Engine API's wait needs beyond `wait`: docker's conditions. `next-exit` waits for
 * an exit after the call (docker run asks before it starts the container), `removed` until
 * the record is gone (--rm), `not-running` returns at once for a stopped container.
 */
import type { ContainerState } from '../../container/types.js';
import { controlRequest } from '../../container/runtime/control.js';
import type { Engine } from '../engine.js';
import { residentExit } from './resident.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Resolve with the exit code once `condition` holds; `aborted()` ends the wait early. */
export async function waitForCondition(engine: Engine, ref: string, condition: WaitCondition, aborted: () => boolean): Promise<number> {
  const store = engine.containers;
  const rec = store.get(ref);
  const first = store.state(rec.Id);
  const baseline = first.FinishedAt;
  const down = (s: ContainerState) => !s.Running && !s.Restarting && !s.MonitorPid;
  if (condition === 'not-running' && down(first)) return first.ExitCode;
  let last = first;
  let exitSeen: number | undefined;
  while (!aborted()) {
    const current = store.record(rec.Id) ? store.state(rec.Id) : undefined;
    if (!current) return exitSeen ?? (await residentExit(rec.Id)?.catch(() => undefined)) ?? last.ExitCode;
    last = current;
    const exited = down(current) && current.FinishedAt && current.FinishedAt !== baseline;
    if (exited && condition !== 'removed') return current.ExitCode;
    if (current.Running && !exited) {
      // Wait on the monitor's exit event rather than polling while it runs.
      try {
        const ev = await controlRequest(rec.Id, { op: 'wait' });
        if (ev.event === 'exit' && ev.exitCode !== undefined) {
          exitSeen = ev.exitCode;
          if (condition !== 'removed') return ev.exitCode;
        }
        continue;
      } catch {
        /* no monitor (yet): poll */
      }
    }
    await sleep(exited ? 20 : 50);
  }
  return exitSeen ?? last.ExitCode;
}
