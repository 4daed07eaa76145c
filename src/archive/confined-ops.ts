/**
 * What the confined worker (confined-main.ts) does once chrooted: every path here is inside
 * the target root because the kernel resolves it there. The operations: apply a tar from
 * stdin (a layer, `cp` into a dir), write a tar of a path to stdout (`cp` out, `export`,
 * commit's diff), and count a tree (a layer's completeness record). `cp`'s destination rules
 * (docker's) are decided here too, since only the worker can look inside the root safely.
 */
import { lstatSync, mkdirSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, posix } from 'node:path';
import { invalidArgument, notFound, WharfError } from '../core/errors.js';
import { unpackTar, type ApplyOptions, type ApplyResult } from './apply.js';
import { tarDirectory, tarOverlayUpper, type TarOptions } from './diff.js';
import { ownerNamesIn } from './owner-names.js';
import type { Readable } from 'node:stream';

export type ConfinedOp =
  | { op: 'apply'; opts: ApplyOptions; count?: boolean }
  | { op: 'tar'; path: string; follow?: boolean; tolerant?: boolean; overlay?: boolean; whole?: boolean; content?: boolean; names?: boolean }
  | { op: 'copyIn'; path: string; srcName: string; srcIsDir: boolean }
  | { op: 'untar'; path: string }
  | { op: 'count' }
  /** A tar of the paths listed (JSON on stdin; see TarOptions.list). */
  | { op: 'tarList' };

/** What a tree holds: entries below the root, and bytes of regular files (each name). */
export interface TreeCount {
  entries: number;
  bytes: number;
}

export type OpResult = Partial<ApplyResult> & { count?: TreeCount; isDir?: boolean; name?: string };

export interface WorkerIo {
  stdin: AsyncIterable<Buffer>;
  /** Sends the tar produced; resolves once it is all written. */
  send(tar: Readable): Promise<void>;
  /** An early message to the parent (what a `tar` op found, before its bytes). */
  tell(msg: OpResult): void;
}

const statOrNull = (p: string, follow: boolean): Stats | null => {
  try {
    return follow ? statSync(p) : lstatSync(p);
  } catch {
    return null;
  }
};

export function countTree(dir: string): TreeCount {
  const out = { entries: 0, bytes: 0 };
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      out.entries++;
      const p = `${d === '/' ? '' : d}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.bytes += lstatSync(p).size;
    }
  };
  walk(dir);
  return out;
}

export async function runOp(op: ConfinedOp, io: WorkerIo): Promise<OpResult> {
  switch (op.op) {
    case 'apply': {
      const r = await unpackTar(io.stdin, '/', op.opts);
      return op.count ? { ...r, count: countTree('/') } : r;
    }
    case 'count':
      return { count: countTree('/') };
    case 'tar': {
      if (op.whole) {
        await io.send(op.overlay ? tarOverlayUpper('/') : tarDirectory('/', { tolerant: op.tolerant, names: op.names ? ownerNamesIn('/') : undefined }));
        return {};
      }
      const path = posix.resolve('/', op.path);
      const st = statOrNull(path, !!op.follow);
      if (!st) throw notFound(`no such file or directory: ${op.path}`);
      const real = op.follow ? realpathSync(path) : path;
      if (op.content && !st.isDirectory()) throw invalidArgument(`not a directory: ${op.path}`);
      const name = path === '/' || op.content ? '.' : basename(path);
      io.tell({ isDir: st.isDirectory(), name });
      await io.send(tarDirectory(real, { top: name, tolerant: op.tolerant }));
      return {};
    }
    case 'copyIn':
      return copyIn(op, io);
    case 'tarList': {
      const parts: Buffer[] = [];
      for await (const chunk of io.stdin) parts.push(chunk);
      const list = JSON.parse(Buffer.concat(parts).toString('utf8')) as TarOptions['list'];
      await io.send(tarDirectory('/', { list, tolerant: true }));
      return {};
    }
    case 'untar': {
      const dst = posix.resolve('/', op.path);
      if (!statOrNull(dst, true)?.isDirectory()) throw invalidArgument(`destination must be a directory`);
      return unpackTar(io.stdin, realpathSync(dst), { whiteouts: 'none' });
    }
  }
}

/**
 * docker's destination rule: into an existing dir (a link to one counts), else as the named
 * path, whose parent must exist; a trailing slash asks for a dir, made if missing.
 */
async function copyIn(op: Extract<ConfinedOp, { op: 'copyIn' }>, io: WorkerIo): Promise<OpResult> {
  const dst = posix.resolve('/', op.path);
  const st = statOrNull(dst, true);
  let into: string;
  let to = op.srcName;
  if (st?.isDirectory()) into = realpathSync(dst);
  else if (st && op.srcIsDir) throw invalidArgument('cannot copy directory to file');
  else if (op.srcName === '.') {
    if (!statOrNull(dirname(dst), true)?.isDirectory()) throw notFound('no such directory');
    mkdirSync(dst);
    into = realpathSync(dst);
  }
  else if (op.path.endsWith('/')) {
    if (!op.srcIsDir) throw notFound('no such directory');
    mkdirSync(dst, { recursive: true });
    into = realpathSync(dst);
  } else {
    const parent = dirname(dst);
    if (!statOrNull(parent, true)?.isDirectory()) throw notFound('no such directory');
    into = realpathSync(parent);
    // a final name that is a link to a file: write the file it names, as docker does
    const link = statOrNull(dst, false)?.isSymbolicLink() && st ? realpathSync(dst) : undefined;
    if (link) into = dirname(link);
    to = basename(link ?? dst);
  }
  if (!statOrNull(into, false)?.isDirectory()) throw new WharfError('INTERNAL', 'destination vanished');
  return unpackTar(io.stdin, into, { whiteouts: 'none', rename: { from: op.srcName, to } });
}
