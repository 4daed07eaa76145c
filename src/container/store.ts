/**
 * The container store: one directory per container under `<root>/containers/<id>/`, a JSON record
 * (`container.json`) and a state file (`state.json`), both written atomically (temp + rename).
 * Names are reserved with exclusive file creation under `<root>/container-names/`, so two
 * concurrent creates can never take the same name.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, notFound, WharfError } from '../core/errors.js';
import { removeTree } from '../snapshot/remove-tree.js';
import { emptyState, type ContainerRecord, type ContainerState } from './types.js';

export function containersDir(root: string): string {
  return join(root, 'containers');
}

export function containerDir(root: string, id: string): string {
  return join(root, 'containers', id);
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
      const id = readFileSync(join(this.root, 'container-names', name), 'utf8').trim();
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

  /** The state, corrected when the process that ran the container is gone (host reboot, crash). */
  state(id: string): ContainerState {
    const st = readJson<ContainerState>(join(this.dir(id), 'state.json')) ?? emptyState();
    if ((st.Running || st.Restarting) && !pidAlive(st.MonitorPid)) {
      return { ...st, Status: 'exited', Running: false, Restarting: false, Paused: false, Pid: 0, ExitCode: 255, Health: st.Health ? { ...st.Health, Status: 'unhealthy' } : undefined };
    }
    return st;
  }

  writeRecord(rec: ContainerRecord): void {
    mkdirSync(this.dir(rec.Id), { recursive: true });
    writeJsonAtomic(join(this.dir(rec.Id), 'container.json'), rec);
  }

  writeState(id: string, state: ContainerState): void {
    writeJsonAtomic(join(this.dir(id), 'state.json'), state);
  }

  /** Read-modify-write of the state file. */
  updateState(id: string, fn: (s: ContainerState) => void): ContainerState {
    const path = join(this.dir(id), 'state.json');
    const st = readJson<ContainerState>(path) ?? emptyState();
    fn(st);
    writeJsonAtomic(path, st);
    return st;
  }

  /** Reserve a name for an ID, or throw Docker's conflict error. */
  reserveName(name: string, id: string): void {
    const dir = join(this.root, 'container-names');
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
    const path = join(this.root, 'container-names', name);
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

/** Containers (any state) created from an image: `rmi` refuses to delete such images. */
export function containersUsingImage(root: string, imageId: string): { id: string; name: string }[] {
  return new ContainerStore(root)
    .list()
    .filter((r) => r.Image === imageId)
    .map((r) => ({ id: r.Id, name: r.Name }));
}
