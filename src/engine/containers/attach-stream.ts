/**
 * Attaching to a container's monitor as a stream of output chunks and a stdin sink, for
 * callers that are not a terminal (the API's hijacked connections). An attach made before
 * the container starts (docker run: create, attach, wait, start) is registered as pending,
 * so the start runs the monitor in wait-for-attach mode and no early output is lost.
 */
import type { Socket } from 'node:net';
import { WharfError } from '../../core/errors.js';
import { ContainerStore } from '../../container/store.js';
import { connectControl, encodeFrame, Frame, FrameDecoder, type ControlEvent } from '../../container/runtime/control.js';
import { spawnMonitor } from './monitor.js';
import { getContainer } from './api-ops.js';

export interface AttachHandle {
  /** Resolves once the container's process runs; rejects with the start error. */
  readonly started: Promise<void>;
  /** Resolves with the exit code, or -1 when the monitor went away or the handle was closed. */
  readonly done: Promise<number>;
  write(data: Buffer): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
  close(): void;
}

export interface AttachRequest {
  stdin: boolean;
  size?: { cols: number; rows: number };
  /** Output of the container: 1 stdout, 2 stderr. */
  onOutput(stream: 1 | 2, data: Buffer): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Containers with an attach waiting for their start, and that attach's handles. */
const pending = new Map<string, Set<AttachHandle>>();

function handleOn(sock: Socket, req: AttachRequest, alreadyRunning: boolean): AttachHandle {
  let startedOk!: () => void;
  let startFailed!: (e: Error) => void;
  let finish!: (code: number) => void;
  const started = new Promise<void>((res, rej) => ((startedOk = res), (startFailed = rej)));
  started.catch(() => undefined);
  const done = new Promise<number>((res) => (finish = res));
  if (alreadyRunning) startedOk();
  const dec = new FrameDecoder((type, body) => {
    if (type === Frame.Stdout) req.onOutput(1, body);
    else if (type === Frame.Stderr) req.onOutput(2, body);
    else if (type === Frame.Event) {
      const ev = JSON.parse(body.toString()) as ControlEvent;
      if (ev.event === 'started') startedOk();
      else if (ev.event === 'error') {
        startFailed(new WharfError('INTERNAL', ev.message ?? 'start failed', { exitCode: ev.exitCode ?? 125 }));
        finish(ev.exitCode ?? 125);
      } else if (ev.event === 'exit') {
        startedOk();
        finish(ev.exitCode ?? 0);
      }
    }
  });
  sock.on('data', (c: Buffer) => dec.push(c));
  sock.on('error', () => undefined);
  sock.on('close', () => {
    startFailed(new WharfError('INTERNAL', 'the container monitor went away'));
    finish(-1);
  });
  sock.write(encodeFrame(Frame.Request, { op: 'attach', stdin: req.stdin, ...(req.size ?? {}) }));
  // After close (a detach) nothing more goes to the container: no input, and no end of input.
  let open = true;
  const send = (type: Frame, payload: Buffer | object) => void (open && !sock.destroyed && sock.write(encodeFrame(type, payload)));
  return {
    started,
    done,
    write: (d) => send(Frame.Stdin, d),
    endStdin: () => send(Frame.StdinEof, Buffer.alloc(0)),
    resize: (cols, rows) => send(Frame.Request, { op: 'resize', cols, rows }),
    close: () => {
      open = false;
      sock.end();
    },
  };
}

/**
 * Attach to a running container, or to one that is about to start (`aborted()` gives up
 * waiting for that start). The first frame the monitor sends after the attach is output.
 */
export async function attachContainer(root: string, ref: string, req: AttachRequest, aborted: () => boolean): Promise<AttachHandle> {
  const { rec, st } = getContainer(root, ref);
  if (st.Running && !st.Paused) return handleOn(await connectControl(rec.Id), req, true);
  if (st.Paused) throw new WharfError('CONFLICT', `You cannot attach to a paused container, unpause it first`);
  const store = new ContainerStore(root);
  const waiting = pending.get(rec.Id) ?? new Set();
  pending.set(rec.Id, waiting);
  // A placeholder so start sees the attach before its monitor is reachable.
  const placeholder = {} as AttachHandle;
  waiting.add(placeholder);
  try {
    while (!aborted()) {
      if (!store.record(rec.Id)) throw new WharfError('NOT_FOUND', `No such container: ${ref}`);
      try {
        const sock = await connectControl(rec.Id);
        return handleOn(sock, req, false);
      } catch {
        await sleep(15);
      }
    }
    throw new WharfError('INTERNAL', 'attach cancelled');
  } finally {
    waiting.delete(placeholder);
    if (!waiting.size) pending.delete(rec.Id);
  }
}

/**
 * Start a container for the API: with an attach waiting, under a monitor that waits for it
 * (then this resolves once the process runs, or throws its start error); else detached.
 */
export async function startContainer(root: string, ref: string, size?: { cols: number; rows: number }): Promise<'started' | 'already'> {
  const { rec, st } = getContainer(root, ref);
  if (st.Paused) throw new WharfError('CONFLICT', 'cannot start a paused container, try unpause instead');
  if (st.Running) return 'already';
  const store = new ContainerStore(root);
  const waitAttach = pending.has(rec.Id);
  const { event } = await spawnMonitor(root, store.dir(rec.Id), rec.Id, { waitAttach, size: rec.Config.Tty ? size : undefined });
  if (event.event === 'error') throw new WharfError('INTERNAL', event.message ?? 'start failed', { exitCode: event.exitCode ?? 125 });
  if (!waitAttach) return 'started';
  // The attach connects to the waiting monitor; its 'started' or 'error' event answers the start.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const s = store.record(rec.Id) ? store.state(rec.Id) : undefined;
    if (!s) return 'started';
    if (s.Running || s.FinishedAt !== st.FinishedAt) {
      if (!s.Running && s.Error) throw new WharfError('INTERNAL', s.Error, { exitCode: s.ExitCode || 125 });
      return 'started';
    }
    await sleep(10);
  }
  return 'started';
}
