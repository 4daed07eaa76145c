/**
 * Local volumes: `<root>/volumes/<name>/_data` plus a small JSON record (labels, creation
 * time, whether the volume is anonymous). A volume in use by any container cannot be removed.
 */
import { randomBytes } from '../core/random.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dataLayout } from '../core/layout.js';
import { conflict, invalidArgument, notFound } from '../core/errors.js';
import { ContainerStore, writeJsonAtomic } from './store.js';

export interface VolumeRecord {
  Name: string;
  Driver: 'local';
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Scope: 'local';
  Options: Record<string, string> | null;
  Anonymous?: boolean;
}

const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export class VolumeStore {
  /** `containers`: whose mounts say which volumes are in use (default: the same root's). */
  constructor(
    readonly root: string,
    private readonly containers: ContainerStore = new ContainerStore(root),
  ) {}

  private dir(name: string): string {
    return dataLayout(this.root).volume(name);
  }

  create(name?: string, labels: Record<string, string> = {}, anonymous = false): VolumeRecord {
    const n = name || randomBytes(32).toString('hex');
    if (!VOLUME_NAME.test(n)) {
      throw invalidArgument(`create ${n}: "${n}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    }
    const existing = this.get(n);
    if (existing) return existing;
    mkdirSync(join(this.dir(n), '_data'), { recursive: true });
    const rec: VolumeRecord = {
      Name: n,
      Driver: 'local',
      Mountpoint: join(this.dir(n), '_data'),
      CreatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      Labels: labels,
      Scope: 'local',
      Options: null,
      ...(anonymous ? { Anonymous: true } : {}),
    };
    writeJsonAtomic(join(this.dir(n), 'volume.json'), rec);
    return rec;
  }

  get(name: string): VolumeRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir(name), 'volume.json'), 'utf8')) as VolumeRecord;
    } catch {
      return undefined;
    }
  }

  inspect(name: string): VolumeRecord {
    const v = this.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  list(): VolumeRecord[] {
    const base = dataLayout(this.root).volumes;
    if (!existsSync(base)) return [];
    return readdirSync(base)
      .map((n) => this.get(n))
      .filter((v): v is VolumeRecord => !!v);
  }

  /** Containers whose mounts use the volume. */
  users(name: string): string[] {
    return this.containers
      .list()
      .filter((c) => c.Mounts.some((m) => m.Type === 'volume' && m.Name === name))
      .map((c) => c.Id);
  }

  remove(name: string, force = false): void {
    if (!this.get(name)) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    const users = this.users(name);
    if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    rmSync(this.dir(name), { recursive: true, force: true });
  }

  /** Remove unused volumes (anonymous ones only unless `all`); returns names and bytes freed. */
  prune(all = false): { names: string[] } {
    const names: string[] = [];
    for (const v of this.list()) {
      if (!all && !v.Anonymous) continue;
      if (this.users(v.Name).length) continue;
      rmSync(this.dir(v.Name), { recursive: true, force: true });
      names.push(v.Name);
    }
    return { names };
  }
}
