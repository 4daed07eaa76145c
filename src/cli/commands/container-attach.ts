/**
 * The client side of attaching to a container's monitor: stdout/stderr frames to this
 * terminal, stdin (and terminal size) to the container, raw mode for TTYs, and the
 * Ctrl-P Ctrl-Q detach sequence. Resolves with the exit code, or 'detached'.
 */
import type { CliContext } from '../context.js';
import { ExitError } from '../context.js';
import { WharfError } from '../../core/errors.js';
import { connectControl, encodeFrame, Frame, FrameDecoder, type ControlEvent } from '../../container/runtime/control.js';

export interface AttachOptions {
  tty: boolean;
  stdin: boolean;
  /** Called on the 'started' event (run -it waits for it before anything else). */
  onStarted?: () => void;
}

const DETACH = [0x10, 0x11]; // Ctrl-P Ctrl-Q

export async function attachSession(id: string, o: AttachOptions): Promise<number | 'detached'> {
  const sock = await connectControl(id);
  const stdin = process.stdin;
  const raw = o.tty && o.stdin && stdin.isTTY;
  const size = () => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 });
  return new Promise((resolve, reject) => {
    let finished = false;
    let matched = 0;
    const cleanup = () => {
      if (finished) return false;
      finished = true;
      if (raw) stdin.setRawMode(false);
      stdin.off('data', onStdin);
      stdin.off('end', onEnd);
      stdin.pause();
      process.stdout.off('resize', onResize);
      return true;
    };
    const onStdin = (d: Buffer) => {
      if (o.tty) {
        for (let i = 0; i < d.length; i++) {
          if (d[i] === DETACH[matched]) {
            matched++;
            if (matched === DETACH.length) {
              const before = d.subarray(0, Math.max(0, i + 1 - DETACH.length));
              if (before.length) sock.write(encodeFrame(Frame.Stdin, before));
              cleanup();
              sock.end();
              return resolve('detached');
            }
          } else matched = d[i] === DETACH[0] ? 1 : 0;
        }
      }
      sock.write(encodeFrame(Frame.Stdin, d));
    };
    const onEnd = () => sock.write(encodeFrame(Frame.StdinEof, Buffer.alloc(0)));
    const onResize = () => sock.write(encodeFrame(Frame.Request, { op: 'resize', ...size() }));
    const dec = new FrameDecoder((type, body) => {
      if (type === Frame.Stdout) process.stdout.write(body);
      else if (type === Frame.Stderr) process.stderr.write(body);
      else if (type === Frame.Event) {
        const ev = JSON.parse(body.toString()) as ControlEvent;
        if (ev.event === 'started') o.onStarted?.();
        else if (ev.event === 'exit') {
          cleanup();
          resolve(ev.exitCode ?? 0);
        } else if (ev.event === 'error') {
          cleanup();
          reject(new WharfError('INTERNAL', ev.message ?? 'error', { exitCode: ev.exitCode ?? 125 }));
        }
      }
    });
    sock.on('data', (c: Buffer) => dec.push(c));
    sock.on('error', () => undefined);
    sock.on('close', () => {
      if (cleanup()) resolve(-1);
    });
    sock.write(encodeFrame(Frame.Request, { op: 'attach', stdin: o.stdin, ...(o.tty ? size() : {}) }));
    if (o.stdin) {
      if (raw) stdin.setRawMode(true);
      stdin.on('data', onStdin);
      stdin.on('end', onEnd);
      stdin.resume();
    }
    if (o.tty) process.stdout.on('resize', onResize);
  });
}

/** Docker's client-side check: `-it` needs a terminal on stdin ("the input device is not a TTY", exit 1). */
export function requireTtyStdin(ctx: CliContext, interactive: boolean | undefined, tty: boolean | undefined): void {
  if (interactive && tty && !process.stdin.isTTY) {
    ctx.err('the input device is not a TTY');
    throw new ExitError(1);
  }
}
