/**
 * Attach for callers that are not a terminal (the API's hijacked connections), on top of
 * attach.ts's session. An attach made before the container starts (docker run: create,
 * attach, wait, start) is registered as pending, so the start runs the monitor in
 * wait-for-attach mode (run.ts's startAttached) and no early output is lost.
 */
import { WharfError } from '../../core/errors.js';
import type { Engine } from '../engine.js';
import { attachContainer, type AttachSession } from './attach.js';
import { startDetached } from './lifecycle.js';
import { startAttached } from './run.js';
import { startResident } from './resident.js';

export interface AttachHandle {
  /** Resolves once the container's process runs; rejects with its start error. */
  readonly started: Promise<void>;
  /** The exit code, or -1 when the monitor went away or the handle was closed. */
  readonly done: Promise<number>;
  write(data: Buffer): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
  /** Leave the container running; nothing more goes to it. */
  close(): void;
}

export interface AttachRequest {
  stdin: boolean;
  size?: { cols: number; rows: number };
  onOutput(stream: 1 | 2, data: Buffer): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Containers with an attach waiting for their start. */
const pending = new Map<string, number>();

async function open(id: string, req: AttachRequest, running: boolean): Promise<AttachHandle> {
  let startedOk!: () => void;
  const started = new Promise<void>((res) => (startedOk = res));
  if (running) startedOk();
  const session: AttachSession = await attachContainer(id, {
    stdin: req.stdin,
    size: req.size,
    onOutput: (s, d) => req.onOutput(s === 'stdout' ? 1 : 2, d),
    onStarted: () => startedOk(),
  });
  let live = true;
  const done = session.done.then((v) => (typeof v === 'number' ? v : -1), () => 125);
  const startedOrFailed = Promise.race([started, session.done.then(() => undefined, (err: unknown) => Promise.reject(err))]);
  startedOrFailed.catch(() => undefined);
  void done.then(() => startedOk());
  return {
    started: startedOrFailed,
    done,
    write: (d) => void (live && session.write(d)),
    endStdin: () => void (live && session.endStdin()),
    resize: (c, r) => void (live && session.resize(c, r)),
    close: () => {
      live = false;
      session.detach();
    },
  };
}

/** Attach to a running container, or to one about to start (`aborted()` gives up waiting). */
export async function attachStream(engine: Engine, ref: string, req: AttachRequest, aborted: () => boolean): Promise<AttachHandle> {
  const store = engine.containers;
  const rec = store.get(ref);
  const st = store.state(rec.Id);
  if (st.Paused) throw new WharfError('CONFLICT', 'You cannot attach to a paused container, unpause it first');
  if (st.Running) return open(rec.Id, req, true);
  pending.set(rec.Id, (pending.get(rec.Id) ?? 0) + 1);
  try {
    while (!aborted()) {
      if (!store.record(rec.Id)) throw new WharfError('NOT_FOUND', `No such container: ${ref}`);
      try {
        return await open(rec.Id, req, false);
      } catch {
        await sleep(15);
      }
    }
    throw new WharfError('INTERNAL', 'attach cancelled');
  } finally {
    const n = (pending.get(rec.Id) ?? 1) - 1;
    if (n > 0) pending.set(rec.Id, n);
    else pending.delete(rec.Id);
  }
}

/**
 * Start for the API: with an attach waiting, under a monitor that waits for it (resolving
 * once the process runs, or throwing its start error); else detached. 'already' for a
 * running container (docker's 304). `resident`: supervised by this process (resident.ts), not
 * by a detached monitor.
 */
export async function startForApi(engine: Engine, ref: string, o: { resident?: boolean } = {}): Promise<'started' | 'already'> {
  const store = engine.containers;
  const rec = store.get(ref);
  const st = store.state(rec.Id);
  if (st.Paused) throw new WharfError('CONFLICT', 'cannot start a paused container, try unpause instead');
  if (st.Running) return 'already';
  if (!pending.has(rec.Id)) {
    if (o.resident) await startResident(engine, rec.Id);
    else await startDetached(engine, rec.Id);
    return 'started';
  }
  if (o.resident) await startResident(engine, rec.Id, { waitAttach: true });
  else await startAttached(engine, rec.Id);
  // The attach connects to the waiting monitor; the state then says whether the start worked.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const s = store.record(rec.Id) ? store.state(rec.Id) : undefined;
    if (!s || s.Running) return 'started';
    if (s.FinishedAt !== st.FinishedAt) {
      if (s.Error) throw new WharfError('INTERNAL', s.Error, { exitCode: s.ExitCode || 125 });
      return 'started';
    }
    await sleep(10);
  }
  return 'started';
}
