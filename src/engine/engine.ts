/**
 * The engine facade: one object the CLI (and later the API server) talks to. It owns
 * the data root and opens the stores below it; it holds no logic of its own beyond
 * wiring, so an over-HTTP implementation can stand in later.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ContentStore } from '../content/store.js';
import { openDatabase, type DB } from '../metadata/db.js';
import { ImageStore } from '../image/store.js';
import { defaultDataRoot } from '../core/paths.js';

export interface EngineOptions {
  root?: string;
}

export class Engine {
  private opened?: { db: DB; content: ContentStore; images: ImageStore };

  private constructor(readonly root: string) {}

  /**
   * The stores open on first use: commands that only read container records (`ps`, `exec`,
   * `stop`, `inspect` of a container) never open SQLite (~5 ms of a ~40 ms command).
   */
  private get stores(): { db: DB; content: ContentStore; images: ImageStore } {
    if (!this.opened) {
      const db = openDatabase(join(this.root, 'wharf.db'));
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

  static open(opts: EngineOptions = {}): Engine {
    const root = resolve(opts.root ?? defaultDataRoot());
    mkdirSync(root, { recursive: true });
    return new Engine(root);
  }

  close(): void {
    this.opened?.db.close();
  }
}
