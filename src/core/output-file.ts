/**
 * Writing a file the user named (`save -o`, `export -o`, `--cidfile`, ...). The archive is written
 * beside the target and renamed over it, so a failed write never leaves half a file; but a rename
 * replaces whatever is at the path, so it is allowed only for a regular file or a path that does
 * not exist yet. `-o /dev/null` must never delete the device node. The checks and their messages
 * are the ones Docker's CLI makes (moby/sys atomicwriter), in the same order; the file is 0600
 * whatever the umask, as Docker's, since it may hold a whole filesystem.
 */
import { closeSync, createWriteStream, fchmodSync, fsyncSync, lstatSync, openSync, renameSync, rmSync, statSync, type Stats, type WriteStream } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { getSystemErrorMap } from 'node:util';

/** An errno as Go prints it: "no such file or directory", "permission denied". */
export function goErrnoText(err: NodeJS.ErrnoException): string {
  const entry = typeof err.errno === 'number' ? getSystemErrorMap().get(err.errno) : undefined;
  return entry?.[1] ?? err.message;
}

function kindProblem(st: Stats): string | undefined {
  const mode = st.mode;
  if (st.isFile() && (mode & 0o7000) === 0) return undefined;
  if (st.isDirectory()) return 'cannot write to a directory';
  if (st.isSymbolicLink()) return 'cannot write to a symbolic link directly';
  if (st.isFIFO()) return 'cannot write to a named pipe (FIFO)';
  if (st.isSocket()) return 'cannot write to a socket';
  if (st.isCharacterDevice()) return 'cannot write to a character device file';
  if (st.isBlockDevice()) return 'cannot write to a block device file';
  if (mode & 0o4000) return 'cannot write to a setuid file';
  if (mode & 0o2000) return 'cannot write to a setgid file';
  return 'cannot write to a sticky bit file';
}

/** Why `path` may not be replaced by a rename, in Docker's words; undefined when it may. */
export function outputPathProblem(path: string): string | undefined {
  if (path === '') return 'file name is empty';
  const dir = dirname(path);
  if (dir !== '.' && dir !== '..') {
    let st: Stats;
    try {
      st = statSync(dir);
    } catch (err) {
      return `invalid output path: stat ${dir}: ${goErrnoText(err as NodeJS.ErrnoException)}`;
    }
    if (!st.isDirectory()) return `invalid output path: stat ${dir}: not a directory`;
  }
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return undefined;
    return `failed to stat output path: lstat ${path}: ${goErrnoText(e)}`;
  }
  return kindProblem(st);
}

/** Thrown when a user-named output path may not be written; `message` is Docker's sentence. */
export class OutputPathError extends Error {}

export function checkOutputPath(path: string): void {
  const problem = outputPathProblem(path);
  if (problem) throw new OutputPathError(problem);
}

/**
 * Write `path` through `write` atomically: checked first, written to a 0600 temporary file in the
 * same directory, synced, then renamed over the target only when `write` succeeded.
 */
export async function writeOutputFile(path: string, write: (out: WriteStream) => Promise<void>, mode = 0o600): Promise<void> {
  checkOutputPath(path);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  fchmodSync(fd, mode);
  const out = createWriteStream('', { fd, autoClose: false });
  try {
    await write(out);
    if (!out.writableEnded) out.end();
    if (!out.writableFinished) await once(out, 'finish');
    fsyncSync(fd);
    closeSync(fd);
    // Checked again: the path must not have become something else while we wrote.
    checkOutputPath(path);
    renameSync(tmp, path);
  } catch (err) {
    out.destroy();
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw err;
  }
}
