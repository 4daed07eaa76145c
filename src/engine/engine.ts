/**
 * The engine: one object the CLI (and the coming API server and builder) talks to. It owns
 * the data root and the stores below it (content, images, containers, volumes), the storage
 * driver choice and the runtime root, all given as options: nothing below it reads the
 * process environment for its configuration, so two engines in one process (a test, a
 * server) never see each other's settings. Operations live in engine/images and
 * engine/containers and take the engine as their first argument.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ContentStore } from '../content/store.js';
import { openDatabase, type DB } from '../metadata/db.js';
import { ImageStore } from '../image/store.js';
import { ContainerStore } from '../container/store.js';
import { VolumeStore } from '../container/volumes.js';
import { configuredDriver, snapshotter, type DriverName, type Snapshotter } from '../snapshot/snapshotter.js';
import { defaultDataRoot } from '../core/paths.js';
import { dataLayout } from '../core/layout.js';

export interface EngineOptions {
  /** The data root (default: `WHARF_ROOT`, then /var/lib/wharf for root); read by the front end. */
  root?: string;
  /** `--storage-driver`: overlay2 (also "overlay") or vfs; default daemon.json's, then overlay2. */
  storageDriver?: string;
  /** Where runtime state that a reboot should forget lives (runc's state, bridge marks). */
  runtimeRoot?: string;
  /**
   * gzip level (1-9) for layers a push compresses: 1 by default (pigz -1 runs ~2.7x faster
   * than -6 here for ~10% larger blobs, which a push to a nearby registry repays many times).
   */
  pushGzipLevel?: number;
}

export class Engine {
  readonly containers: ContainerStore;
  readonly volumes: VolumeStore;
  readonly runtimeRoot: string;
  readonly pushGzipLevel: number;
  private driver?: DriverName;
  private opened?: { db: DB; content: ContentStore; images: ImageStore };

  private constructor(
    readonly root: string,
    private readonly opts: EngineOptions,
  ) {
    this.containers = new ContainerStore(root);
    this.volumes = new VolumeStore(root, this.containers);
    this.runtimeRoot = opts.runtimeRoot ?? '/run/wharf';
    const level = opts.pushGzipLevel;
    this.pushGzipLevel = level !== undefined && Number.isInteger(level) && level >= 1 && level <= 9 ? level : 1;
  }

  static open(opts: EngineOptions = {}): Engine {
    const root = resolve(opts.root ?? defaultDataRoot());
    mkdirSync(root, { recursive: true });
    return new Engine(root, opts);
  }

  /**
   * The stores open on first use: commands that only read container records (`ps`, `exec`,
   * `stop`, `inspect` of a container) never open SQLite (~5 ms of a ~40 ms command).
   */
  private get stores(): { db: DB; content: ContentStore; images: ImageStore } {
    if (!this.opened) {
      const db = openDatabase(dataLayout(this.root).database);
      const content = new ContentStore(this.root);
      this.opened = { db, content, images: new ImageStore(db, content) };
    }
    return this.opened;
  }

  get db(): DB {
    return this.stores.db;
  }

  get content(): ContentStore {
    return this.stores.content;
  }

  get images(): ImageStore {
    return this.stores.images;
  }

  /** The driver new containers get (decided on first use: a bad name fails the create, as dockerd's start does). */
  get storageDriver(): DriverName {
    return (this.driver ??= configuredDriver(this.opts.storageDriver));
  }

  /** The snapshotter of a container's driver (its record names it), or of the configured one. */
  snapshotter(driver: string = this.storageDriver): Snapshotter {
    return snapshotter(this.root, driver);
  }

  /**
   * Run `fn` holding a lease: layers it ingests (and blobs it leases to the id it gets) are
   * safe from `system check --prune` until it ends, whether it succeeds or throws.
   */
  withLease<T>(fn: (lease: string) => Promise<T>): Promise<T> {
    return this.images.withLease(fn);
  }

  close(): void {
    this.opened?.db.close();
  }
}
