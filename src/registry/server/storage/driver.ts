/**
 * The storage-driver contract: a small key/blob namespace that the registry layout sits on.
 * It speaks paths (`/blobs/sha256/ab/...`) and byte streams only, so a filesystem driver and an
 * object-store driver (S3 and friends: put, get with range, list by prefix, multipart writer)
 * can both implement it. Writes are atomic: a reader sees a whole object or none.
 */
import type { Readable } from 'node:stream';

export interface FileInfo {
  path: string;
  size: number;
  modTime: Date;
  isDir: boolean;
}

/** An append-only writer for large objects (uploads); `commit` makes the bytes durable. */
export interface FileWriter {
  readonly size: number;
  write(chunk: Buffer): Promise<void>;
  /** Flush and fsync; the object keeps its path. */
  commit(): Promise<void>;
  /**
   * Make the bytes written so far durable without closing, so a large upload's write-back
   * overlaps its transfer and `commit` only waits for the tail.
   */
  sync(): Promise<void>;
  /** Close without flushing guarantees (after an aborted request). */
  close(): Promise<void>;
}

export interface StorageDriver {
  readonly name: string;
  getContent(path: string): Promise<Buffer>;
  /** Atomic replace of a small object. */
  putContent(path: string, data: Buffer | string): Promise<void>;
  /** null when the path does not exist. */
  stat(path: string): Promise<FileInfo | null>;
  /** Names of direct children, sorted; [] when the directory does not exist. */
  list(path: string): Promise<string[]>;
  /** Recursive; a missing path is not an error. */
  delete(path: string): Promise<void>;
  /** Atomic rename; replaces the destination. */
  move(source: string, dest: string): Promise<void>;
  /**
   * Read bytes [start, end] inclusive (end defaults to the last byte), in pieces of about
   * `chunkSize` bytes (a hint: larger is faster for one stream, smaller keeps many cheap).
   */
  reader(path: string, start?: number, end?: number, chunkSize?: number): Readable;
  /** Open for append (`append`) or truncate. */
  writer(path: string, append: boolean): Promise<FileWriter>;
  /** Mark an object as recently used (GC grace periods read modTime). */
  touch(path: string): Promise<void>;
}

export class PathNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`path not found: ${path}`);
    this.name = 'PathNotFoundError';
  }
}

export class InvalidPathError extends Error {
  constructor(readonly path: string) {
    super(`invalid storage path: ${JSON.stringify(path)}`);
    this.name = 'InvalidPathError';
  }
}
