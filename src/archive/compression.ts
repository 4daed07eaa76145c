/**
 * Compression detection and streaming (de)compression for layers and archives.
 *
 * gzip uses pigz/unpigz when installed (as Docker does: they run on another core, in parallel
 * with our tar work, and pigz compresses on several), else node:zlib; compress() also takes
 * node:zlib when the caller has only one core to give (several layers compressing at once). bzip2, xz and zstd use
 * the `bzip2`, `xz` and `zstd` commands: Node 20's zlib has none of them, and the Debian tools
 * are fast, streaming and already a dependency. Every decoder failure becomes a 'CORRUPT'
 * WharfError, and no child process outlives its stream (aborted consumer or failed input).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { corrupt, WharfError } from '../core/errors.js';

export type CompressionKind = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const CHUNK = 256 * 1024;

export function detectCompression(head: Buffer): CompressionKind {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

const found = new Map<string, boolean>();
/** Whether a command is on PATH (cached: asked once per process). */
export function hasCommand(name: string): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    ok = (process.env.PATH ?? '/usr/bin:/bin').split(delimiter).some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    found.set(name, ok);
  }
  return ok;
}

/** Reads at least `n` bytes (or to EOF) without consuming them: they are unshifted back. */
async function peek(input: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let len = 0;
  while (len < n) {
    const chunk = input.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      len += chunk.length;
      continue;
    }
    if (input.readableEnded || input.destroyed) break;
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        input.off('readable', done).off('end', done).off('error', fail);
        resolve();
      };
      const fail = (err: Error) => {
        input.off('readable', done).off('end', done);
        reject(err);
      };
      input.on('readable', done).on('end', done).once('error', fail);
    });
  }
  const head = Buffer.concat(chunks);
  if (head.length) input.unshift(head);
  return head;
}

/** Detects the compression from the first bytes and returns the decoded stream. */
export async function decompress(input: Readable): Promise<{ kind: CompressionKind; stream: Readable }> {
  const kind = detectCompression(await peek(input, 6));
  return { kind, stream: decoderFor(kind, input) };
}

function decoderFor(kind: CompressionKind, input: Readable): Readable {
  switch (kind) {
    case 'none':
      return input;
    case 'gzip':
      return hasCommand('unpigz') ? viaCommand('unpigz', ['-dc'], input, kind) : viaZlib(createGunzip({ chunkSize: CHUNK }), input, kind);
    case 'bzip2':
      return viaCommand('bzip2', ['-dc'], input, kind);
    case 'xz':
      return viaCommand('xz', ['-dc'], input, kind);
    case 'zstd':
      return viaCommand('zstd', ['-dc', '-q'], input, kind);
  }
}

/**
 * Compresses a stream; the zstd command (zstd). gzip: pigz when installed and `threads` > 1
 * (it compresses one stream on several cores), else node:zlib on libuv's thread pool, which
 * is as fast as one pigz thread and spares piping every byte through a child process: the
 * right choice when several layers compress at once on few cores.
 */
export function compress(input: Readable, kind: 'gzip' | 'zstd', level?: number, threads = cpuCount()): Readable {
  if (kind === 'zstd') return viaCommand('zstd', ['-c', '-q', '-T0', `-${level ?? 3}`], input, kind, false);
  const lvl = level ?? 6;
  if (threads > 1 && hasCommand('pigz')) return viaCommand('pigz', ['-c', '-n', `-p${threads}`, `-${lvl}`], input, kind, false);
  // memLevel 9: a larger hash table, ~15% faster at level 1 for the same output size.
  return viaZlib(createGzip({ level: lvl, memLevel: 9, chunkSize: 1 << 20 }), input, kind, false);
}

/** Cores this process may use. */
export function cpuCount(): number {
  return Math.max(1, availableParallelism());
}

function failure(kind: CompressionKind, decoding: boolean, detail: string, cause?: unknown): WharfError {
  if (!decoding) return new WharfError('INTERNAL', `${kind} compression failed: ${detail}`, { cause });
  return corrupt(`corrupt ${kind} stream: ${detail}`, { cause });
}

/**
 * Wires input -> codec -> output with one owner for cleanup: an input error or an early close
 * of the output tears down the other two; a codec error becomes a typed error on the output.
 */
function wire(input: Readable, codecIn: NodeJS.WritableStream, codecOut: Readable, out: Transform, cleanup: () => void): void {
  input.on('error', (err) => {
    cleanup();
    out.destroy(err);
  });
  input.pipe(codecIn as NodeJS.WritableStream);
  codecOut.pipe(out);
  out.on('close', () => {
    if (!out.writableFinished) {
      cleanup();
      input.unpipe();
      input.destroy();
    }
  });
}

function viaZlib(codec: Transform, input: Readable, kind: CompressionKind, decoding = true): Readable {
  const out = new PassThrough({ highWaterMark: CHUNK });
  codec.on('error', (err) => out.destroy(failure(kind, decoding, (err as Error).message, err)));
  wire(input, codec, codec, out, () => codec.destroy());
  return out;
}

function viaCommand(cmd: string, args: string[], input: Readable, kind: CompressionKind, decoding = true): Readable {
  if (!hasCommand(cmd)) throw new WharfError('UNSUPPORTED', `${kind} needs the '${cmd}' command, which is not installed`);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));
  // the child may exit early on bad input: its closed stdin is then not our error to report
  child.stdin.on('error', () => {});
  const out = new PassThrough({
    highWaterMark: CHUNK,
    flush(cb) {
      void exited.then((code) => {
        if (code === 0) return cb();
        const detail = spawnError?.message ?? (stderr.trim().split('\n').pop() || `${cmd} exited with ${code}`);
        cb(failure(kind, decoding, detail.replace(/^[^:]*: \(stdin\): /, '')));
      });
    },
  });
  wire(input, child.stdin, child.stdout, out, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return out;
}
