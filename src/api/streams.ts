/**
 * The attach/exec/logs wire formats: a taken-over connection (`Upgrade: tcp` -> 101
 * UPGRADED, or a plain 200 stream for clients that do not ask to upgrade), Docker's 8-byte
 * multiplexed frames ([stream, 0, 0, 0, size BE32] + payload) when there is no TTY and raw
 * bytes when there is, and the detach-key sequence (ctrl-p,ctrl-q unless told otherwise).
 */
import type { Socket } from 'node:net';
import type { ApiRequest } from './http.js';
import { badRequest } from './http.js';

export function frame(stream: 0 | 1 | 2, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt8(stream, 0);
  head.writeUInt32BE(data.length, 4);
  return Buffer.concat([head, data]);
}

export interface Hijacked {
  /** Output to the client, framed unless TTY. */
  send(stream: 1 | 2, data: Buffer): void;
  /** Stdin from the client (only for upgraded connections). */
  onInput(fn: (d: Buffer) => void, onEnd: () => void): void;
  /** Called when the client went away. */
  readonly closed: () => boolean;
  end(): void;
}

/** Requests whose connection was taken over: an error after that can only close it. */
const taken = new WeakSet<ApiRequest>();
export const isHijacked = (r: ApiRequest) => taken.has(r);

export function hijack(r: ApiRequest, tty: boolean): Hijacked {
  taken.add(r);
  const encode = (stream: 1 | 2, d: Buffer) => (tty ? d : frame(stream, d));
  const contentType = tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream';
  if (r.upgrade) {
    const sock: Socket = r.upgrade.socket;
    let gone = false;
    sock.on('close', () => (gone = true));
    sock.on('error', () => (gone = true));
    sock.setNoDelay(true);
    sock.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    const head = r.upgrade.head;
    return {
      send: (s, d) => void (!gone && sock.write(encode(s, d))),
      onInput(fn, onEnd) {
        if (head.length) fn(head);
        sock.on('data', fn);
        sock.on('end', onEnd);
      },
      closed: () => gone,
      end: () => {
        if (!gone) sock.end();
      },
    };
  }
  let gone = false;
  r.res.on('close', () => (gone = true));
  r.res.writeHead(200, { 'Content-Type': contentType });
  r.res.flushHeaders();
  return {
    send: (s, d) => void (!gone && r.res.write(encode(s, d))),
    onInput() {},
    closed: () => gone,
    end: () => r.res.end(),
  };
}

/** Docker's detach-keys grammar: comma-separated `ctrl-<char>` or single characters. */
export function parseDetachKeys(spec: string | null | undefined): number[] {
  const s = spec || 'ctrl-p,ctrl-q';
  return s.split(',').map((k) => {
    if (k.length === 1) return k.charCodeAt(0);
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(k);
    if (!m) throw badRequest(`Invalid detach keys (${s}) provided`);
    const c = m[1]!;
    return c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : c.charCodeAt(0) - 64;
  });
}

/** Feed stdin through; calls `onDetach` (and passes nothing more) once the key sequence is typed. */
export function detachFilter(keys: number[], pass: (d: Buffer) => void, onDetach: () => void): (d: Buffer) => void {
  let matched = 0;
  let detached = false;
  return (d) => {
    if (detached) return;
    let from = 0;
    for (let i = 0; i < d.length; i++) {
      if (d[i] === keys[matched]) {
        matched++;
        if (matched === keys.length) {
          const before = d.subarray(from, Math.max(from, i + 1 - keys.length));
          if (before.length) pass(before);
          detached = true;
          return onDetach();
        }
      } else matched = d[i] === keys[0] ? 1 : 0;
    }
    if (from < d.length) pass(d.subarray(from));
  };
}
