/**
 * Attaching to a container's monitor: the frame protocol of its control socket (output
 * frames out, stdin and terminal size in, the monitor's started/exit/error events). The
 * terminal side (raw mode, the detach keys, SIGWINCH) belongs to the front end, which feeds
 * `write`, `endStdin` and `resize` and reads `onOutput`.
 */
import { WharfError } from '../../core/errors.js';
import { connectControl, encodeFrame, Frame, FrameDecoder, type ControlEvent } from '../../container/runtime/control.js';

export interface AttachOptions {
  /** Attach stdin (the monitor forwards it when the container keeps stdin open). */
  stdin: boolean;
  /** A TTY's size to set at once. */
  size?: { cols: number; rows: number };
  onOutput(stream: 'stdout' | 'stderr', data: Buffer): void;
  /** The monitor's 'started' event (a `run -it` waits for it). */
  onStarted?(): void;
}

export interface AttachSession {
  write(data: Buffer): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
  /** Leave the container running (the detach keys). */
  detach(): void;
  /**
   * The container's exit code; 'detached' after `detach`; 'closed' when the monitor went
   * away without an exit event. Rejects with the monitor's error event.
   */
  readonly done: Promise<number | 'detached' | 'closed'>;
}

export async function attachContainer(id: string, o: AttachOptions): Promise<AttachSession> {
  const sock = await connectControl(id);
  let settle!: (v: number | 'detached' | 'closed') => void;
  let fail!: (err: Error) => void;
  let settled = false;
  const done = new Promise<number | 'detached' | 'closed'>((resolve, reject) => {
    settle = (v) => {
      if (!settled) (settled = true), resolve(v);
    };
    fail = (err) => {
      if (!settled) (settled = true), reject(err);
    };
  });
  const dec = new FrameDecoder((type, body) => {
    if (type === Frame.Stdout) o.onOutput('stdout', body);
    else if (type === Frame.Stderr) o.onOutput('stderr', body);
    else if (type === Frame.Event) {
      const ev = JSON.parse(body.toString()) as ControlEvent;
      if (ev.event === 'started') o.onStarted?.();
      else if (ev.event === 'exit') settle(ev.exitCode ?? 0);
      else if (ev.event === 'error') fail(new WharfError('INTERNAL', ev.message ?? 'error', { exitCode: ev.exitCode ?? 125 }));
    }
  });
  sock.on('data', (c: Buffer) => dec.push(c));
  sock.on('error', () => undefined);
  sock.on('close', () => settle('closed'));
  sock.write(encodeFrame(Frame.Request, { op: 'attach', stdin: o.stdin, ...(o.size ?? {}) }));
  return {
    write: (data) => void sock.write(encodeFrame(Frame.Stdin, data)),
    endStdin: () => void sock.write(encodeFrame(Frame.StdinEof, Buffer.alloc(0))),
    resize: (cols, rows) => void sock.write(encodeFrame(Frame.Request, { op: 'resize', cols, rows })),
    detach: () => {
      settle('detached');
      sock.end();
    },
    done,
  };
}
