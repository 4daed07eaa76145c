/**
 * Container operations the Engine API needs and the CLI does inline (so far): look-up,
 * waiting for a condition (`next-exit` before a start, `removed` for --rm), rename, top,
 * log entries (with follow) and prune. Each is one call for a thin handler.
 */
import { join } from 'node:path';
import { WharfError, isWharfError } from '../../core/errors.js';
import { ContainerStore } from '../../container/store.js';
import type { ContainerRecord, ContainerState } from '../../container/types.js';
import { validateName } from '../../container/names.js';
import { controlRequest } from '../../container/runtime/control.js';
import { runtimeCmd } from '../../container/runtime/runc.js';
import { followLog, readLogLines, type LogLine, type ReadLogOptions } from '../../container/runtime/logs.js';
import { removeContainerFiles } from '../../container/runtime/remove.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function getContainer(root: string, ref: string): { rec: ContainerRecord; st: ContainerState } {
  const store = new ContainerStore(root);
  const id = store.resolve(ref);
  const rec = id ? store.record(id) : undefined;
  if (!rec) throw new WharfError('NOT_FOUND', `No such container: ${ref}`);
  return { rec, st: store.state(rec.Id) };
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/**
 * Resolve with the exit code once `condition` holds. `next-exit` waits for an exit after
 * this call (docker run asks before it starts the container); `removed` until the record is
 * gone. `aborted()` ends the wait early (the client went away).
 */
export async function waitForCondition(root: string, ref: string, condition: WaitCondition, aborted: () => boolean): Promise<number> {
  const store = new ContainerStore(root);
  const { rec, st: first } = getContainer(root, ref);
  const baseline = first.FinishedAt;
  const down = (s: ContainerState) => !s.Running && !s.Restarting && !s.MonitorPid;
  if (condition === 'not-running' && down(first)) return first.ExitCode;
  let last = first;
  let exitSeen: number | undefined;
  while (!aborted()) {
    const current = store.record(rec.Id) ? store.state(rec.Id) : undefined;
    if (!current) return exitSeen ?? last.ExitCode;
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

export function renameContainer(root: string, ref: string, newName: string): void {
  const store = new ContainerStore(root);
  const { rec } = getContainer(root, ref);
  const name = validateName(newName);
  if (name === rec.Name) throw new WharfError('INVALID_ARGUMENT', 'Renaming a container with the same name as its current name');
  try {
    store.reserveName(name, rec.Id);
  } catch (err) {
    throw isWharfError(err, 'CONFLICT') ? new WharfError('CONFLICT', `Error when allocating new name: ${err.message}`) : err;
  }
  store.writeRecord({ ...rec, Name: name });
  store.releaseName(rec.Name, rec.Id);
}

/** `top`: the runtime's `ps` table as docker's API gives it (Titles, Processes). */
export async function topContainer(root: string, ref: string, psArgs: string[]): Promise<{ Titles: string[]; Processes: string[][] }> {
  const { rec, st } = getContainer(root, ref);
  if (!st.Running) throw new WharfError('CONFLICT', `Container ${rec.Id} is not running`);
  const r = await runtimeCmd(rec.HostConfig.Runtime || 'runc', ['ps', rec.Id, ...(psArgs.length ? psArgs : ['-ef'])]);
  if (r.code !== 0) throw new WharfError('INTERNAL', r.stderr.trim());
  const rows = r.stdout.trimEnd().split('\n');
  const titles = rows[0]!.trim().split(/\s+/);
  const processes = rows.slice(1).map((l) => {
    const f = l.trim().split(/\s+/);
    return [...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')];
  });
  return { Titles: titles, Processes: processes };
}

/** A container's log entries, oldest first; with `follow`, those written later too, until it stops or `aborted()`. */
export async function* containerLogs(root: string, ref: string, o: ReadLogOptions & { follow?: boolean }, aborted: () => boolean): AsyncGenerator<LogLine> {
  const store = new ContainerStore(root);
  const { rec } = getContainer(root, ref);
  const path = join(store.dir(rec.Id), `${rec.Id}-json.log`);
  for (const l of readLogLines(path, o)) yield l;
  if (!o.follow) return;
  const queue: LogLine[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const following = followLog(path, (l) => {
    if (o.until && Date.parse(l.time) >= o.until) return;
    queue.push(l);
    wake?.();
  }, () => {
    if (aborted()) return true;
    const s = store.record(rec.Id) ? store.state(rec.Id) : undefined;
    return !s || (!s.Running && !s.Restarting);
  }).then(() => {
    done = true;
    wake?.();
  });
  while (!done || queue.length) {
    if (!queue.length) await new Promise<void>((r) => (wake = r));
    wake = undefined;
    while (queue.length) yield queue.shift()!;
  }
  await following;
}

/** `container prune`: every stopped container matching `keep`; returns the IDs removed. */
export async function pruneContainers(root: string, selected: (rec: ContainerRecord) => boolean): Promise<string[]> {
  const store = new ContainerStore(root);
  const deleted: string[] = [];
  for (const rec of store.list()) {
    const st = store.state(rec.Id);
    if (st.Running || st.Restarting || !selected(rec)) continue;
    await removeContainerFiles(root, rec, { volumes: false });
    deleted.push(rec.Id);
  }
  return deleted;
}
