/**
 * PostgreSQL metadata (node-postgres), for several stateless replicas: every change of
 * references is one transaction, so a tag pushed through one replica is visible through all at
 * once, two pushes of one tag end with one winner, and an upload begun on one replica continues
 * on another. Blobs are rows too (`tracksBlobs`): a manifest PUT checks its blobs with
 * `FOR SHARE` row locks in the transaction that stores it, and GC deletes a blob only holding
 * `FOR UPDATE` on the same row, so the two can never interleave (see postgres-gc.ts). Every
 * change that may leave a blob or manifest unreferenced queues it for GC review.
 */
import pg from 'pg';
import type { Digest } from '../../../core/digest.js';
import { BackendUnavailableError } from '../blobs/store.js';
import { regError } from '../errors.js';
import { appliedVersions, LATEST, migrateUp } from './migrations.js';
import type { Dated, ManifestRecord, MetadataStore, ReferrerDescriptor, RepoMeta, UploadRecord } from './store.js';

export interface PostgresOptions {
  url: string;
  /** A schema to work in (created by migrations); default the connection's search_path. */
  schema?: string;
  /** Seconds new blobs and manifests are safe from GC (default one hour). */
  gracePeriod?: number;
  poolSize?: number;
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);

/** Is this a lost or refused database connection (rather than a bad query)? */
export function connectionLost(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (CONNECTION_CODES.has(e?.code ?? '')) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/i.test(e?.message ?? '');
}

type Q = pg.PoolClient | pg.Pool;
const REPO = '(SELECT id FROM repositories WHERE name = $1)';

export class PostgresMetadata implements MetadataStore {
  readonly kind = 'postgres';
  readonly tracksBlobs = true;
  readonly pool: pg.Pool;
  readonly grace: string;
  readonly graceSeconds: number;

  constructor(readonly opts: PostgresOptions) {
    if (opts.schema && !/^[a-z_][a-z0-9_]*$/.test(opts.schema)) throw new Error(`invalid schema name ${opts.schema}`);
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 20,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      options: opts.schema ? `-c search_path=${opts.schema}` : undefined,
    });
    // An idle client whose server went away: the pool drops it; the next query reconnects.
    this.pool.on('error', () => {});
    this.graceSeconds = Math.max(0, opts.gracePeriod ?? 3600);
    this.grace = `${this.graceSeconds} seconds`;
  }

  private fail(err: unknown): unknown {
    return connectionLost(err) ? new BackendUnavailableError('database', err) : err;
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = [], on: Q = this.pool): Promise<pg.QueryResult<R>> {
    try {
      return await on.query<R>(sql, params);
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Run `fn` in a transaction; deadlocks and serialisation failures are retried. */
  async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let c: pg.PoolClient;
      try {
        c = await this.pool.connect();
      } catch (err) {
        throw this.fail(err);
      }
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const r = await fn(c);
        await c.query('COMMIT');
        return r;
      } catch (err) {
        if (connectionLost(err)) broken = err as Error;
        else await c.query('ROLLBACK').catch(() => {});
        const code = (err as { code?: string }).code;
        if (attempt < 4 && (code === '40P01' || code === '40001')) continue;
        throw this.fail(err);
      } finally {
        c.release(broken);
      }
    }
  }

  /** Refuse a database whose schema is behind this version (run `wharf registry migrate up`). */
  async init(): Promise<void> {
    const c = await this.pool.connect().catch((err) => {
      throw this.fail(err);
    });
    try {
      const applied = await appliedVersions(c);
      const top = applied.length ? Math.max(...applied) : 0;
      if (top < LATEST) throw new Error(`the metadata database is at schema version ${top}, this registry needs ${LATEST}: run 'wharf registry migrate up --metadata URL'`);
    } finally {
      c.release();
    }
  }

  /** Apply pending migrations (creating the schema first when one is named). */
  async migrate(log?: (line: string) => void): Promise<number[]> {
    const c = await this.pool.connect().catch((err) => {
      throw this.fail(err);
    });
    try {
      if (this.opts.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.opts.schema}`);
      return await migrateUp(c, log);
    } finally {
      c.release();
    }
  }

  async health(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async ensureRepo(c: Q, name: string): Promise<number> {
    const r = await this.query<{ id: string }>(`INSERT INTO repositories (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, [name], c);
    return Number(r.rows[0]!.id);
  }

  private async reviewBlobs(c: Q, digests: Digest[], event: string, delay: string): Promise<void> {
    if (!digests.length) return;
    await this.query(
      `INSERT INTO gc_blob_review_queue (digest, review_after, event) SELECT d, now() + $2::interval, $3 FROM unnest($1::text[]) AS d
       ON CONFLICT (digest) DO UPDATE SET review_after = GREATEST(gc_blob_review_queue.review_after, EXCLUDED.review_after), event = EXCLUDED.event`,
      [digests, delay, event], c);
  }

  private async reviewManifests(c: Q, repoId: number, digests: Digest[], event: string, delay: string): Promise<void> {
    if (!digests.length) return;
    await this.query(
      `INSERT INTO gc_manifest_review_queue (repository_id, digest, review_after, event) SELECT $1, d, now() + $3::interval, $4 FROM unnest($2::text[]) AS d
       ON CONFLICT (repository_id, digest) DO UPDATE SET review_after = GREATEST(gc_manifest_review_queue.review_after, EXCLUDED.review_after), event = EXCLUDED.event`,
      [repoId, digests, delay, event], c);
  }

  async commitBlob(digest: Digest, size: number, write: () => Promise<void>): Promise<void> {
    await this.tx(async (c) => {
      // The row lock taken here is held while the bytes go in place: GC waits for it.
      await this.query(`INSERT INTO blobs (digest, size) VALUES ($1, $2) ON CONFLICT (digest) DO UPDATE SET size = EXCLUDED.size`, [digest, size], c);
      await this.reviewBlobs(c, [digest], 'blob_upload', this.grace);
      await write();
    });
  }

  async blobSize(digest: Digest): Promise<number | null> {
    const r = await this.query<{ size: string }>('SELECT size FROM blobs WHERE digest = $1', [digest]);
    return r.rows[0] ? Number(r.rows[0].size) : null;
  }

  async linkLayer(repo: string, digest: Digest): Promise<boolean> {
    return this.tx(async (c) => {
      if (!(await this.query('SELECT 1 FROM blobs WHERE digest = $1 FOR SHARE', [digest], c)).rowCount) return false;
      const id = await this.ensureRepo(c, repo);
      await this.query(`INSERT INTO repository_blobs (repository_id, digest) VALUES ($1, $2) ON CONFLICT (repository_id, digest) DO UPDATE SET linked_at = now()`, [id, digest], c);
      await this.reviewBlobs(c, [digest], 'blob_link', this.grace);
      return true;
    });
  }

  async hasLayer(repo: string, digest: Digest): Promise<boolean> {
    return !!(await this.query(`SELECT 1 FROM repository_blobs WHERE repository_id = ${REPO} AND digest = $2`, [repo, digest])).rowCount;
  }

  async unlinkLayer(repo: string, digest: Digest): Promise<void> {
    await this.tx(async (c) => {
      await this.query(`DELETE FROM repository_blobs WHERE repository_id = ${REPO} AND digest = $2`, [repo, digest], c);
      await this.reviewBlobs(c, [digest], 'layer_delete', '0 seconds');
    });
  }

  async listLayers(repo: string): Promise<Dated[]> {
    const r = await this.query<{ digest: Digest; at: Date }>(`SELECT digest, linked_at AS at FROM repository_blobs WHERE repository_id = ${REPO} ORDER BY digest`, [repo]);
    return r.rows;
  }

  async putManifest(repo: string, m: ManifestRecord, tag?: string): Promise<void> {
    await this.tx(async (c) => {
      const id = await this.ensureRepo(c, repo);
      const blobs = [...new Set(m.blobs)];
      if (blobs.length) {
        const found = await this.query<{ digest: string }>(
          `SELECT b.digest FROM blobs b JOIN repository_blobs rb ON rb.digest = b.digest AND rb.repository_id = $1 WHERE b.digest = ANY($2::text[]) FOR SHARE OF b`,
          [id, blobs], c);
        const have = new Set(found.rows.map((r) => r.digest));
        const missing = blobs.find((b) => !have.has(b));
        if (missing) throw regError('MANIFEST_BLOB_UNKNOWN', { digest: missing });
      }
      const children = [...new Set(m.manifests)];
      if (children.length) {
        const found = await this.query<{ digest: string }>(`SELECT digest FROM manifests WHERE repository_id = $1 AND digest = ANY($2::text[]) FOR SHARE`, [id, children], c);
        const have = new Set(found.rows.map((r) => r.digest));
        const missing = children.find((d) => !have.has(d));
        if (missing) throw regError('MANIFEST_BLOB_UNKNOWN', { digest: missing });
      }
      const inserted = await this.query(
        `INSERT INTO manifests (repository_id, digest, media_type, payload, subject, referrer) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (repository_id, digest) DO NOTHING`,
        [id, m.digest, m.mediaType, m.body, m.subject ?? null, m.referrer ? JSON.stringify(m.referrer) : null], c);
      if (inserted.rowCount) {
        if (blobs.length) await this.query(`INSERT INTO manifest_blobs (repository_id, manifest_digest, blob_digest) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`, [id, m.digest, blobs], c);
        if (children.length) await this.query(`INSERT INTO manifest_children (repository_id, parent_digest, child_digest) SELECT $1, $2, unnest($3::text[]) ON CONFLICT DO NOTHING`, [id, m.digest, children], c);
        if (!tag) await this.reviewManifests(c, id, [m.digest], 'manifest_upload', this.grace);
      }
      if (tag) await this.tagIn(c, id, tag, m.digest);
    });
  }

  /** Point a tag at a manifest; the manifest it leaves is queued for review. */
  private async tagIn(c: pg.PoolClient, repoId: number, tag: string, digest: Digest): Promise<void> {
    const old = await this.query<{ manifest_digest: Digest }>(`SELECT manifest_digest FROM tags WHERE repository_id = $1 AND name = $2 FOR UPDATE`, [repoId, tag], c);
    await this.query(
      `INSERT INTO tags (repository_id, name, manifest_digest) VALUES ($1, $2, $3) ON CONFLICT (repository_id, name) DO UPDATE SET manifest_digest = EXCLUDED.manifest_digest, updated_at = now()`,
      [repoId, tag, digest], c);
    const before = old.rows[0]?.manifest_digest;
    if (before && before !== digest) await this.reviewManifests(c, repoId, [before], 'tag_switch', this.grace);
  }

  async getManifest(repo: string, digest: Digest): Promise<{ mediaType: string; body: Buffer } | null> {
    const r = await this.query<{ media_type: string; payload: Buffer }>(`SELECT media_type, payload FROM manifests WHERE repository_id = ${REPO} AND digest = $2`, [repo, digest]);
    return r.rows[0] ? { mediaType: r.rows[0].media_type, body: r.rows[0].payload } : null;
  }

  async hasManifest(repo: string, digest: Digest): Promise<boolean> {
    return !!(await this.query(`SELECT 1 FROM manifests WHERE repository_id = ${REPO} AND digest = $2`, [repo, digest])).rowCount;
  }

  /** Delete a manifest row (tags, references cascade) inside a transaction; queue what it referenced. */
  async deleteManifestIn(c: pg.PoolClient, repoId: number, digest: Digest): Promise<boolean> {
    const blobs = await this.query<{ blob_digest: Digest }>(`SELECT blob_digest FROM manifest_blobs WHERE repository_id = $1 AND manifest_digest = $2`, [repoId, digest], c);
    const children = await this.query<{ child_digest: Digest }>(`SELECT child_digest FROM manifest_children WHERE repository_id = $1 AND parent_digest = $2`, [repoId, digest], c);
    const del = await this.query(`DELETE FROM manifests WHERE repository_id = $1 AND digest = $2`, [repoId, digest], c);
    if (!del.rowCount) return false;
    await this.reviewBlobs(c, blobs.rows.map((r) => r.blob_digest), 'manifest_delete', '0 seconds');
    await this.reviewManifests(c, repoId, children.rows.map((r) => r.child_digest), 'manifest_delete', '0 seconds');
    return true;
  }

  async deleteManifest(repo: string, digest: Digest): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await this.query<{ id: string }>('SELECT id FROM repositories WHERE name = $1', [repo], c);
      return r.rows[0] ? this.deleteManifestIn(c, Number(r.rows[0].id), digest) : false;
    });
  }

  async listManifests(repo: string): Promise<Dated[]> {
    return (await this.query<Dated>(`SELECT digest, created_at AS at FROM manifests WHERE repository_id = ${REPO} ORDER BY digest`, [repo])).rows;
  }

  async setTag(repo: string, tag: string, digest: Digest): Promise<void> {
    await this.tx(async (c) => {
      const id = await this.ensureRepo(c, repo);
      if (!(await this.query('SELECT 1 FROM manifests WHERE repository_id = $1 AND digest = $2 FOR SHARE', [id, digest], c)).rowCount) throw regError('MANIFEST_UNKNOWN', { digest });
      await this.tagIn(c, id, tag, digest);
    });
  }

  async resolveTag(repo: string, tag: string): Promise<Digest | null> {
    const r = await this.query<{ manifest_digest: Digest }>(`SELECT manifest_digest FROM tags WHERE repository_id = ${REPO} AND name = $2`, [repo, tag]);
    return r.rows[0]?.manifest_digest ?? null;
  }

  async deleteTag(repo: string, tag: string): Promise<boolean> {
    return this.tx(async (c) => {
      const r = await this.query<{ repository_id: string; manifest_digest: Digest }>(`DELETE FROM tags WHERE repository_id = ${REPO} AND name = $2 RETURNING repository_id, manifest_digest`, [repo, tag], c);
      const row = r.rows[0];
      if (row) await this.reviewManifests(c, Number(row.repository_id), [row.manifest_digest], 'tag_delete', this.grace);
      return !!row;
    });
  }

  async listTags(repo: string): Promise<string[]> {
    return (await this.query<{ name: string }>(`SELECT name FROM tags WHERE repository_id = ${REPO} ORDER BY name COLLATE "C"`, [repo])).rows.map((r) => r.name);
  }

  async tagsOf(repo: string, digest: Digest): Promise<string[]> {
    return (await this.query<{ name: string }>(`SELECT name FROM tags WHERE repository_id = ${REPO} AND manifest_digest = $2 ORDER BY name COLLATE "C"`, [repo, digest])).rows.map((r) => r.name);
  }

  async listReferrers(repo: string, subject: Digest): Promise<ReferrerDescriptor[]> {
    const r = await this.query<{ referrer: ReferrerDescriptor }>(`SELECT referrer FROM manifests WHERE repository_id = ${REPO} AND subject = $2 AND referrer IS NOT NULL`, [repo, subject]);
    return r.rows.map((x) => x.referrer);
  }

  async repositoryExists(repo: string): Promise<boolean> {
    return !!(await this.query('SELECT 1 FROM repositories WHERE name = $1', [repo])).rowCount;
  }

  async listRepositories(): Promise<string[]> {
    return (await this.query<{ name: string }>('SELECT name FROM repositories ORDER BY name COLLATE "C"')).rows.map((r) => r.name);
  }

  async deleteRepository(repo: string): Promise<void> {
    await this.tx(async (c) => {
      const r = await this.query<{ id: string }>('SELECT id FROM repositories WHERE name = $1 FOR UPDATE', [repo], c);
      if (!r.rows[0]) return;
      const id = Number(r.rows[0].id);
      const blobs = await this.query<{ digest: Digest }>(
        `SELECT digest FROM repository_blobs WHERE repository_id = $1 UNION SELECT blob_digest FROM manifest_blobs WHERE repository_id = $1`, [id], c);
      await this.query('DELETE FROM repositories WHERE id = $1', [id], c);
      await this.reviewBlobs(c, blobs.rows.map((x) => x.digest), 'repository_delete', '0 seconds');
    });
  }

  async getMeta(repo: string): Promise<RepoMeta> {
    const r = await this.query<{ description: string; stars: number; official: boolean; automated: boolean }>('SELECT description, stars, official, automated FROM repositories WHERE name = $1', [repo]);
    const row = r.rows[0];
    if (!row) return {};
    const out: RepoMeta = {};
    if (row.description) out.description = row.description;
    if (row.stars) out.stars = row.stars;
    if (row.official) out.official = true;
    if (row.automated) out.automated = true;
    return out;
  }

  async setMeta(repo: string, meta: RepoMeta): Promise<void> {
    await this.query('UPDATE repositories SET description = $2, stars = $3, official = $4, automated = $5 WHERE name = $1', [
      repo, meta.description ?? '', meta.stars ?? 0, meta.official ?? false, meta.automated ?? false,
    ]);
  }

  async createUpload(rec: UploadRecord): Promise<void> {
    const { version, ...record } = rec;
    await this.query('INSERT INTO uploads (id, repository, started_at, record, version) VALUES ($1, $2, $3, $4, $5)', [rec.id, rec.repository, rec.startedAt, JSON.stringify(record), version]);
  }

  async getUpload(id: string): Promise<UploadRecord | null> {
    const r = await this.query<{ record: Omit<UploadRecord, 'version'>; version: number }>('SELECT record, version FROM uploads WHERE id = $1', [id]);
    return r.rows[0] ? { ...r.rows[0].record, version: r.rows[0].version } : null;
  }

  async saveUpload(rec: UploadRecord): Promise<boolean> {
    const { version, ...record } = rec;
    const r = await this.query('UPDATE uploads SET record = $2, version = version + 1 WHERE id = $1 AND version = $3', [rec.id, JSON.stringify(record), version]);
    return r.rowCount === 1;
  }

  async deleteUpload(id: string): Promise<void> {
    await this.query('DELETE FROM uploads WHERE id = $1', [id]);
  }

  async listUploads(): Promise<UploadRecord[]> {
    const r = await this.query<{ record: Omit<UploadRecord, 'version'>; version: number }>('SELECT record, version FROM uploads ORDER BY started_at');
    return r.rows.map((x) => ({ ...x.record, version: x.version }));
  }
}
