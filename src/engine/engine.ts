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
  readonly content: ContentStore;
  readonly images: ImageStore;

  private constructor(
    readonly root: string,
    readonly db: DB,
  ) {
    this.content = new ContentStore(root);
    this.images = new ImageStore(db, this.content);
  }

  static open(opts: EngineOptions = {}): Engine {
    const root = resolve(opts.root ?? defaultDataRoot());
    mkdirSync(root, { recursive: true });
    const db = openDatabase(join(root, 'wharf.db'));
    return new Engine(root, db);
  }

  close(): void {
    this.db.close();
  }
}
