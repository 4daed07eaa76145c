/**
 * `system boot`: after a host or engine restart, start the containers whose restart policy
 * says so: always; unless-stopped unless stopped by hand; on-failure if it was running when
 * the host went down. Stale runtime state (mounts, netns) is cleaned first.
 */
import { ContainerStore, pidAlive } from '../../container/store.js';
import { cleanupStart } from '../../container/runtime/prepare.js';
import { startDetached } from './lifecycle.js';

export async function bootContainers(root: string, log: (line: string) => void): Promise<string[]> {
  const store = new ContainerStore(root);
  const started: string[] = [];
  for (const rec of store.list()) {
    const raw = store.rawState(rec.Id);
    if (pidAlive(raw.MonitorPid)) continue;
    const wasRunning = raw.Running || raw.Restarting;
    const policy = rec.HostConfig.RestartPolicy.Name;
    const want = policy === 'always' || (policy === 'unless-stopped' && !raw.ManuallyStopped) || (policy === 'on-failure' && wasRunning);
    if (wasRunning) {
      await cleanupStart(root, rec);
      store.updateState(rec.Id, (s) => Object.assign(s, { Status: 'exited', Running: false, Restarting: false, Pid: 0, ExitCode: 255, MonitorPid: undefined }));
    }
    if (!want) continue;
    try {
      await startDetached(root, rec.Id);
      started.push(rec.Id);
      log(rec.Name);
    } catch (err) {
      log(`${rec.Name}: ${(err as Error).message}`);
    }
  }
  return started;
}
