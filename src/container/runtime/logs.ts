/**
 * Docker's json-file log driver: one `{"log":"...","stream":"stdout","time":"..."}` line per
 * output line, rotated by size (`max-size`, `max-file` log options) as `<id>-json.log.1`, ...
 * Reading supports --tail, --since, -t and -f.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync, watch } from 'node:fs';
import { rfc3339Nano, parseRamSize } from '../../core/units.js';

export interface LogLine {
  log: string;
  stream: 'stdout' | 'stderr';
  time: string;
}

export class JsonLogWriter {
  private fd: number;
  private size: number;
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  private readonly maxSize: number;
  private readonly maxFile: number;

  constructor(private readonly path: string, opts: Record<string, string> = {}) {
    this.maxSize = opts['max-size'] ? parseRamSize(opts['max-size']) : -1;
    this.maxFile = Math.max(1, Number(opts['max-file'] ?? 1));
    this.fd = openSync(path, 'a');
    this.size = statSync(path).size;
  }

  write(stream: 'stdout' | 'stderr', chunk: Buffer | string): void {
    const text = this.partial[stream] + chunk.toString();
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const p of parts) this.emit(stream, p + '\n');
    if (this.partial[stream].length >= 16384) {
      this.emit(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  private emit(stream: 'stdout' | 'stderr', log: string): void {
    const line = JSON.stringify({ log, stream, time: rfc3339Nano(new Date()) }) + '\n';
    const buf = Buffer.from(line);
    if (this.maxSize > 0 && this.size + buf.length > this.maxSize && this.size > 0) this.rotate();
    writeSync(this.fd, buf);
    this.size += buf.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    if (this.maxFile <= 1) rmSync(this.path, { force: true });
    else {
      for (let i = this.maxFile - 1; i >= 1; i--) {
        const from = i === 1 ? this.path : `${this.path}.${i - 1}`;
        if (existsSync(from)) renameSync(from, `${this.path}.${i}`);
      }
    }
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }

  close(): void {
    for (const s of ['stdout', 'stderr'] as const) if (this.partial[s]) this.emit(s, this.partial[s]);
    this.partial.stdout = this.partial.stderr = '';
    closeSync(this.fd);
  }
}

export interface ReadLogOptions {
  tail?: number;
  since?: number; // epoch ms
  until?: number;
  timestamps?: boolean;
}

function parse(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const l of text.split('\n')) {
    if (!l) continue;
    try {
      out.push(JSON.parse(l) as LogLine);
    } catch {
      /* torn last line while writing */
    }
  }
  return out;
}

/** Every stored line, oldest first (rotated files included), filtered by the options. */
export function readLogLines(path: string, opts: ReadLogOptions = {}): LogLine[] {
  const files: string[] = [];
  for (let i = 9; i >= 1; i--) if (existsSync(`${path}.${i}`)) files.push(`${path}.${i}`);
  if (existsSync(path)) files.push(path);
  let lines = files.flatMap((f) => parse(readFileSync(f, 'utf8')));
  if (opts.since) lines = lines.filter((l) => Date.parse(l.time) >= opts.since!);
  if (opts.until) lines = lines.filter((l) => Date.parse(l.time) < opts.until!);
  if (opts.tail !== undefined && opts.tail >= 0) lines = opts.tail === 0 ? [] : lines.slice(-opts.tail);
  return lines;
}

export function formatLogLine(l: LogLine, timestamps?: boolean): string {
  return timestamps ? `${l.time} ${l.log}` : l.log;
}

/** Follow a log file: call `onLine` for each line appended from now on until `isDone()` says so. */
export function followLog(path: string, onLine: (l: LogLine) => void, isDone: () => boolean): Promise<void> {
  let offset = existsSync(path) ? statSync(path).size : 0;
  return new Promise((resolve) => {
    const poll = () => {
      try {
        const size = existsSync(path) ? statSync(path).size : 0;
        if (size < offset) offset = 0; // rotated
        if (size > offset) {
          const fd = openSync(path, 'r');
          const buf = Buffer.alloc(size - offset);
          const n = readSync(fd, buf, 0, buf.length, offset);
          closeSync(fd);
          const text = buf.subarray(0, n).toString();
          const end = text.lastIndexOf('\n') + 1;
          offset += Buffer.byteLength(text.slice(0, end));
          for (const l of parse(text.slice(0, end))) onLine(l);
        }
      } catch {
        /* file replaced mid-read; retry next tick */
      }
      if (isDone()) {
        watcher?.close();
        clearInterval(timer);
        resolve();
      }
    };
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(path, poll);
    } catch {
      watcher = undefined;
    }
    const timer = setInterval(poll, 200);
  });
}
