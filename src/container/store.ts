/**
 * The container store: one directory per container under `<root>/containers/<id>/`, a JSON record
 * (`container.json`) and a state file (`state.json`), both written atomically (temp + rename).
 * Several processes write a state (its monitor, a CLI's pause or stop, a server): each change is
 * a read-modify-write under the container's lock file (exclusive create; a lock whose holder
 * died is taken over), so no writer's change is lost to another's. Names are reserved with
 * exclusive file creation under `<root>/container-names/`, so two concurrent creates can never
 * take the same name.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataLayout } from '../core/layout.js';
import { conflict, notFound, WharfError } from '../core/errors.js';
import { removeTree } from '../snapshot/remove-tree.js';
import { emptyState, type ContainerRecord, type ContainerState } from './types.js';

export function containersDir(root: string): string {
  return dataLayout(root).containers;
}

export function containerDir(root: string, id: string): string {
  return dataLayout(root).container(id);
}

/** Write JSON through a temp file and rename, so readers never see half a file. */
export function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, path);
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function pidAlive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Run `fn` holding `lock` (a file made with exclusive create, holding our pid). Node has no
 * flock; a holder keeps the lock for one small read and write, so waiting is short and
 * synchronous. A lock whose holder is dead, or older than the deadline, is taken over.
 */
export function withFileLock<T>(lock: string, fn: () => T, deadlineMs = 5000): T {
  const end = Date.now() + deadlineMs;
  for (;;) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = 0;
      try {
        holder = Number(readFileSync(lock, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      // An empty file is a holder between its create and its write: wait for it.
      if ((holder && !pidAlive(holder)) || Date.now() > end) rmSync(lock, { force: true });
      else Atomics.wait(pause, 0, 0, 1);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

export class ContainerStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return containerDir(this.root, id);
  }

  ids(): string[] {
    try {
      return readdirSync(containersDir(this.root)).filter((n) => /^[0-9a-f]{64}$/.test(n));
    } catch {
      return [];
    }
  }

  /** Records that exist (directories removed half-way are skipped). */
  list(): ContainerRecord[] {
    const out: ContainerRecord[] = [];
    for (const id of this.ids()) {
      const rec = this.record(id);
      if (rec) out.push(rec);
    }
    return out;
  }

  record(id: string): ContainerRecord | undefined {
    return readJson<ContainerRecord>(join(this.dir(id), 'container.json'));
  }

  /** Full ID for an ID, name (with or without `/`) or unique ID prefix; undefined when none. */
  resolve(ref: string): string | undefined {
    if (!ref) return undefined;
    const ids = this.ids();
    if (ids.includes(ref)) return ref;
    const name = ref.replace(/^\//, '');
    try {
      const id = readFileSync(join(dataLayout(this.root).containerNames, name), 'utf8').trim();
      if (ids.includes(id)) return id;
    } catch {
      /* not a name */
    }
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = ids.filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw new WharfError('INVALID_ARGUMENT', `Multiple IDs found with provided prefix: ${ref}`);
    return matches[0];
  }

  /** The record for a reference, or Docker's "No such container" error. */
  get(ref: string): ContainerRecord {
    const id = this.resolve(ref);
    const rec = id ? this.record(id) : undefined;
    if (!rec) throw notFound(`No such container: ${ref}`);
    return rec;
  }

  /** The state file as last written (no liveness correction): `system boot` needs what was running. */
  rawState(id: string): ContainerState {
    return readJson<ContainerState>(join(this.dir(id), 'state.json')) ?? emptyState();
  }

  /**
   * The state, corrected when the process that ran the container is gone (host reboot, crash,
   * a foreground `run` killed): exited with 255, finished when the loss was found. The
   * correction is written once, so the finish time stays put and `MonitorLost` tells the
   * engine to finish what the monitor could not (an `--rm` removal).
   */
  state(id: string): ContainerState {
    const st = readJson<ContainerState>(join(this.dir(id), 'state.json')) ?? emptyState();
    if (!(st.Running || st.Restarting) || pidAlive(st.MonitorPid)) return st;
    const lost = st.MonitorPid;
    const corrected = (s: ContainerState): ContainerState =>
      Object.assign(s, {
        Status: 'exited', Running: false, Restarting: false, Paused: false, Pid: 0, ExitCode: 255, MonitorPid: undefined, MonitorLost: true,
        FinishedAt: new Date().toISOString(), Health: s.Health ? { ...s.Health, Status: 'unhealthy' } : undefined,
      } satisfies Partial<ContainerState>);
    try {
      // Only if no one restarted it meanwhile (a new monitor's pid) or corrected it first.
      return this.updateState(id, (s) => void ((s.Running || s.Restarting) && s.MonitorPid === lost && corrected(s)));
    } catch {
      return corrected({ ...st }); // a directory being removed: report, do not write
    }
  }

  writeRecord(rec: ContainerRecord): void {
    mkdirSync(this.dir(rec.Id), { recursive: true });
    writeJsonAtomic(join(this.dir(rec.Id), 'container.json'), rec);
  }

  writeState(id: string, state: ContainerState): void {
    writeJsonAtomic(join(this.dir(id), 'state.json'), state);
  }

  /** Read-modify-write of the state file under the container's lock. */
  updateState(id: string, fn: (s: ContainerState) => void): ContainerState {
    const path = join(this.dir(id), 'state.json');
    return withFileLock(`${path}.lock`, () => {
      const st = readJson<ContainerState>(path) ?? emptyState();
      fn(st);
      writeJsonAtomic(path, st);
      return st;
    });
  }

  /** Reserve a name for an ID, or throw Docker's conflict error. */
  reserveName(name: string, id: string): void {
    const dir = dataLayout(this.root).containerNames;
    mkdirSync(dir, { recursive: true });
    const path = join(dir, name);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, id);
        closeSync(fd);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = readFileSync(path, 'utf8').trim();
        if (owner === id) return;
        // A name left behind by a container whose directory is gone is free again.
        if (owner && existsSync(join(this.dir(owner), 'container.json'))) {
          throw conflict(
            `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
            { exitCode: 125 },
          );
        }
        rmSync(path, { force: true });
      }
    }
    throw conflict(`Conflict. The container name "/${name}" is already in use.`, { exitCode: 125 });
  }

  releaseName(name: string, id: string): void {
    const path = join(dataLayout(this.root).containerNames, name);
    try {
      if (readFileSync(path, 'utf8').trim() === id) unlinkSync(path);
    } catch {
      /* already gone */
    }
  }

  /** Delete the record directory (the caller has unmounted and torn down everything first). */
  remove(id: string): void {
    const rec = this.record(id);
    if (rec) this.releaseName(rec.Name, id);
    removeTree(this.dir(id));
  }
}
