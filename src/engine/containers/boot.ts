/**
 * `system boot`: after a host or engine restart, start the containers whose restart policy
 * says so: always; unless-stopped unless stopped by hand; on-failure if it was running when
 * the host went down. Stale runtime state (mounts, netns) is cleaned first.
 */
import { pidAlive } from '../../container/store.js';
import type { Engine } from '../engine.js';
import { cleanupStart } from '../../container/runtime/prepare.js';
import { removeContainerFiles } from '../../container/runtime/remove.js';
import { startDetached } from './lifecycle.js';

export async function bootContainers(engine: Engine, log: (line: string) => void): Promise<string[]> {
  const store = engine.containers;
  const started: string[] = [];
  for (const rec of store.list()) {
    const raw = store.rawState(rec.Id);
    if (pidAlive(raw.MonitorPid)) continue;
    // Running when the host went down: still recorded so, or found with its monitor gone.
    const wasRunning = raw.Running || raw.Restarting || !!raw.MonitorLost;
    const policy = rec.HostConfig.RestartPolicy.Name;
    const want = policy === 'always' || (policy === 'unless-stopped' && !raw.ManuallyStopped) || (policy === 'on-failure' && wasRunning);
    if (wasRunning && rec.HostConfig.AutoRemove) {
      await removeContainerFiles(engine, rec, { volumes: true }); // what its monitor would have done
      continue;
    }
    if (wasRunning) {
      await cleanupStart(engine.root, rec);
      store.updateState(rec.Id, (s) => Object.assign(s, { Status: 'exited', Running: false, Restarting: false, Pid: 0, ExitCode: 255, MonitorPid: undefined, MonitorLost: undefined }));
    }
    if (!want) continue;
    try {
      await startDetached(engine, rec.Id);
      started.push(rec.Id);
      log(rec.Name);
    } catch (err) {
      log(`${rec.Name}: ${(err as Error).message}`);
    }
  }
  return started;
}
