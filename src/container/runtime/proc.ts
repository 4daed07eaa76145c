/**
 * Spawn `runc run` in foreground mode for one container start, either with plain pipes
 * (runc hands them straight to the container process) or under a pseudo-terminal owned by
 * this process (node-pty; loaded only for TTY containers). Reports the container PID once
 * runc has written its pid file, or the runtime's error if it exits first.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WharfError } from '../../core/errors.js';
import { runtimeArgs, runtimeErrorMessage, runtimeStartError } from './runc.js';
import { childEnv } from './helper-process.js';

export interface ContainerProcess {
  /** Resolves with the container's init PID once running; rejects when the runtime failed to start it. */
  started: Promise<number>;
  /** Resolves with the exit code once runc (and so the container) has exited and output drained. */
  exited: Promise<number>;
  writeStdin(data: Buffer): void;
  endStdin(): void;
  resize(cols: number, rows: number): void;
}

export interface SpawnOptions {
  runtime: string;
  id: string;
  bundle: string;
  tty: boolean;
  openStdin: boolean;
  size?: { cols: number; rows: number };
  onOutput: (stream: 'stdout' | 'stderr', data: Buffer) => void;
  /**
   * A mount point (the overlay rootfs) to unmount as soon as the runtime exits. Without a TTY
   * a tiny sh runs the runtime and then umount, so the exit path spawns no process from node
   * (a fork of a big node process is the slow part of a short `run`).
   */
  unmountOnExit?: string;
}

/**
 * sh -c script: `$1` the mount point, the rest the runtime's command line. Exit 127 with no
 * output means the runtime is not installed. Signals from the terminal reach the runtime
 * (same process group), which forwards them; the trap keeps sh alive (a trapped signal is
 * reset to the default in children, an ignored one would not be) to report the exit code.
 */
const UNMOUNT_AFTER = `trap : HUP INT QUIT TERM; m=$1; shift; command -v "$1" >/dev/null 2>&1 || exit 127; "$@"; rc=$?; umount "$m" 2>/dev/null; exit $rc`;

/**
 * Until the container runs, the runtime's own error messages share the container's output
 * streams. Output is held until then: on success it goes on in order, on failure it is
 * dropped, since it is the runtime's error and becomes the start error (reported once).
 */
function holdUntilStarted(onOutput: SpawnOptions['onOutput']) {
  let held: [stream: 'stdout' | 'stderr', data: Buffer][] | undefined = [];
  return {
    write(stream: 'stdout' | 'stderr', data: Buffer): void {
      if (held) held.push([stream, data]);
      else onOutput(stream, data);
    },
    release(started: boolean): void {
      const pending = held ?? [];
      held = undefined;
      if (started) for (const [stream, data] of pending) onOutput(stream, data);
    },
  };
}

function runArgs(o: SpawnOptions, pidFile: string): string[] {
  return [...runtimeArgs(o.runtime), 'run', '--bundle', o.bundle, '--pid-file', pidFile, o.id];
}

/**
 * Wait for the pid file until it appears or `failed()` says the runtime is gone. runc renames
 * it into place, so an inotify watch on the bundle dir reports it at once (a short container
 * often exits within a millisecond of its start), and the runtime's exit ends the wait too;
 * a slow poll stays as the fallback.
 */
function waitPid(pidFile: string, failed: () => boolean, exited: Promise<unknown>): Promise<number | undefined> {
  return new Promise((resolve) => {
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const check = (): boolean => {
      if (done) return true;
      let pid = 0;
      try {
        pid = Number(readFileSync(pidFile, 'utf8').trim());
      } catch {
        /* not there yet */
      }
      if (pid > 0 || failed()) {
        done = true;
        watcher?.close();
        clearTimeout(timer);
        resolve(pid > 0 ? pid : undefined);
      }
      return done;
    };
    try {
      watcher = watch(dirname(pidFile), (_event, name) => {
        if (name === basename(pidFile)) check();
      });
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined;
    }
    const tick = (delay: number) => {
      if (!check()) timer = setTimeout(() => tick(Math.min(delay * 2, watcher ? 50 : 20)), delay);
    };
    tick(1);
    void exited.then(check);
  });
}

export async function spawnContainer(o: SpawnOptions): Promise<ContainerProcess> {
  const pidFile = join(o.bundle, 'init.pid');
  rmSync(pidFile, { force: true });
  return o.tty ? spawnPty(o, pidFile) : spawnPipes(o, pidFile);
}

function spawnPipes(o: SpawnOptions, pidFile: string): ContainerProcess {
  const args = runArgs(o, pidFile);
  const options = { stdio: [o.openStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] as ('pipe' | 'ignore')[], env: childEnv() };
  const child = o.unmountOnExit ? spawn('/bin/sh', ['-c', UNMOUNT_AFTER, 'sh', o.unmountOnExit, o.runtime, ...args], options) : spawn(o.runtime, args, options);
  let exitCode: number | undefined;
  let errText = '';
  let pidSeen = false;
  const output = holdUntilStarted(o.onOutput);
  child.stdout!.on('data', (d: Buffer) => output.write('stdout', d));
  child.stderr!.on('data', (d: Buffer) => {
    if (!pidSeen) errText += d.toString();
    output.write('stderr', d);
  });
  child.stdin?.on('error', () => undefined);
  let spawnError: Error | undefined;
  const exited = new Promise<number>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      exitCode = 125;
      resolve(125);
    });
    child.on('close', (code, signal) => {
      exitCode = code ?? (signal ? 128 + 9 : 1);
      if (o.unmountOnExit && exitCode === 127 && !pidSeen && !errText) spawnError = Object.assign(new Error('not found'), { code: 'ENOENT' });
      resolve(exitCode);
    });
  });
  const started = waitPid(pidFile, () => exitCode !== undefined, exited).then((pid) => {
    output.release(!!pid);
    if (pid) {
      pidSeen = true;
      return pid;
    }
    if (spawnError) {
      const why = (spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? 'executable file not found in $PATH' : spawnError.message;
      throw new WharfError('INTERNAL', `OCI runtime "${o.runtime}" cannot be started: ${why}`, { exitCode: 125 });
    }
    throw runtimeStartError(o.runtime, runtimeErrorMessage(errText) || `${o.runtime} exited with ${exitCode}`);
  });
  return {
    started,
    exited,
    writeStdin: (d) => void child.stdin?.write(d),
    endStdin: () => void child.stdin?.end(),
    resize: () => undefined,
  };
}

async function spawnPty(o: SpawnOptions, pidFile: string): Promise<ContainerProcess> {
  const pty = await import('node-pty');
  const term = pty.spawn(o.runtime, runArgs(o, pidFile), {
    name: 'xterm',
    cols: o.size?.cols || 80,
    rows: o.size?.rows || 24,
    cwd: o.bundle,
    env: childEnv() as Record<string, string>,
  });
  let exitCode: number | undefined;
  let early = '';
  let pidSeen = false;
  const output = holdUntilStarted(o.onOutput);
  term.onData((d) => {
    if (!pidSeen) early += d;
    output.write('stdout', Buffer.from(d));
  });
  const exited = new Promise<number>((resolve) => {
    term.onExit(({ exitCode: code, signal }) => {
      exitCode = signal ? 128 + signal : code;
      resolve(exitCode);
    });
  });
  const started = waitPid(pidFile, () => exitCode !== undefined, exited).then((pid) => {
    output.release(!!pid);
    if (pid) {
      pidSeen = true;
      return pid;
    }
    throw runtimeStartError(o.runtime, runtimeErrorMessage(early) || `${o.runtime} exited with ${exitCode}`);
  });
  return {
    started,
    exited,
    writeStdin: (d) => term.write(d),
    endStdin: () => term.write('\x04'),
    resize: (cols, rows) => {
      try {
        term.resize(Math.max(1, cols), Math.max(1, rows));
      } catch {
        /* already exited */
      }
    },
  };
}
