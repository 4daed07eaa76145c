/**
 * The monitor's control channel: an abstract unix socket (`@wharf-<id>`, no path-length or
 * stale-file issues) speaking length-prefixed frames. Requests (attach, stop, kill, resize)
 * are JSON; attached clients get stdout/stderr frames and an exit event, and may send stdin.
 */
import { connect, type Socket } from 'node:net';
import { WharfError } from '../../core/errors.js';

export const enum Frame {
  Stdin = 0,
  Stdout = 1,
  Stderr = 2,
  Event = 3,
  Request = 4,
  StdinEof = 5,
}

export const controlAddress = (id: string) => `\0wharf-${id}`;

export function encodeFrame(type: Frame, payload: Buffer | string | object): Buffer {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const head = Buffer.alloc(5);
  head.writeUInt8(type, 0);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** Feed socket chunks in, get whole frames out. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly onFrame: (type: Frame, body: Buffer) => void) {}
  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) break;
      const type = this.buf.readUInt8(0) as Frame;
      const body = this.buf.subarray(5, 5 + len);
      this.buf = this.buf.subarray(5 + len);
      this.onFrame(type, body);
    }
  }
}

export interface ControlEvent {
  event: 'started' | 'exit' | 'error' | 'ok' | 'stopped';
  exitCode?: number;
  message?: string;
}

export function connectControl(id: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(controlAddress(id));
    s.once('connect', () => resolve(s));
    s.once('error', (err) => reject(new WharfError('UNAVAILABLE', `container ${id.slice(0, 12)} has no monitor: ${err.message}`)));
  });
}

/** One request, one event answer (the connection is closed afterwards). */
export async function controlRequest(id: string, req: Record<string, unknown>): Promise<ControlEvent> {
  const sock = await connectControl(id);
  return new Promise((resolve, reject) => {
    let done = false;
    const dec = new FrameDecoder((type, body) => {
      if (type !== Frame.Event || done) return;
      done = true;
      sock.end();
      const ev = JSON.parse(body.toString()) as ControlEvent;
      if (ev.event === 'error') reject(new WharfError('INTERNAL', ev.message ?? 'error', { exitCode: ev.exitCode }));
      else resolve(ev);
    });
    sock.on('data', (c: Buffer) => dec.push(c));
    sock.on('close', () => {
      if (!done) resolve({ event: 'stopped' });
    });
    sock.on('error', () => undefined);
    sock.write(encodeFrame(Frame.Request, req));
  });
}
