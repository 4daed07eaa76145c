/**
 * The PostgreSQL schema, as numbered migrations applied in order (`wharf registry migrate up`),
 * each in its own transaction and recorded in `schema_migrations`. A replica refuses to start
 * on a database that is behind, so replicas of one version never disagree about the schema.
 *
 * GC follows GitLab's container registry: blobs and manifests that may have lost their last
 * reference go into review queues with a `review_after` time (the grace period); the GC worker
 * takes queue rows and the blob's row lock, re-checks references, and only then deletes.
 */
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'repositories, blobs, manifests, tags, uploads',
    sql: `
CREATE TABLE repositories (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  description text NOT NULL DEFAULT '',
  stars integer NOT NULL DEFAULT 0,
  official boolean NOT NULL DEFAULT false,
  automated boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE blobs (
  digest text PRIMARY KEY,
  size bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE repository_blobs (
  repository_id bigint NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest text NOT NULL REFERENCES blobs(digest) ON DELETE CASCADE,
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository_id, digest)
);
CREATE INDEX repository_blobs_digest ON repository_blobs(digest);
CREATE TABLE manifests (
  repository_id bigint NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
  digest text NOT NULL,
  media_type text NOT NULL,
  payload bytea NOT NULL,
  subject text,
  referrer jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository_id, digest)
);
CREATE INDEX manifests_subject ON manifests(repository_id, subject) WHERE subject IS NOT NULL;
CREATE TABLE manifest_blobs (
  repository_id bigint NOT NULL,
  manifest_digest text NOT NULL,
  blob_digest text NOT NULL REFERENCES blobs(digest),
  PRIMARY KEY (repository_id, manifest_digest, blob_digest),
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_blobs_blob ON manifest_blobs(blob_digest);
CREATE TABLE manifest_children (
  repository_id bigint NOT NULL,
  parent_digest text NOT NULL,
  child_digest text NOT NULL,
  PRIMARY KEY (repository_id, parent_digest, child_digest),
  FOREIGN KEY (repository_id, parent_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE,
  FOREIGN KEY (repository_id, child_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX manifest_children_child ON manifest_children(repository_id, child_digest);
CREATE TABLE tags (
  repository_id bigint NOT NULL,
  name text NOT NULL,
  manifest_digest text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (repository_id, name),
  FOREIGN KEY (repository_id, manifest_digest) REFERENCES manifests(repository_id, digest) ON DELETE CASCADE
);
CREATE INDEX tags_manifest ON tags(repository_id, manifest_digest);
CREATE TABLE uploads (
  id uuid PRIMARY KEY,
  repository text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  record jsonb NOT NULL,
  version integer NOT NULL DEFAULT 0
);
`,
  },
  {
    version: 2,
    name: 'online GC review queues',
    sql: `
CREATE TABLE gc_blob_review_queue (
  digest text PRIMARY KEY,
  review_after timestamptz NOT NULL,
  event text NOT NULL
);
CREATE INDEX gc_blob_review_queue_due ON gc_blob_review_queue(review_after);
CREATE TABLE gc_manifest_review_queue (
  repository_id bigint NOT NULL,
  digest text NOT NULL,
  review_after timestamptz NOT NULL,
  event text NOT NULL,
  PRIMARY KEY (repository_id, digest)
);
CREATE TABLE gc_runs (
  id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  deleted_blobs integer NOT NULL,
  deleted_manifests integer NOT NULL,
  freed_bytes bigint NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'webhook queue and delivery log',
    sql: `
CREATE TABLE webhook_events (
  id bigserial PRIMARY KEY,
  endpoint text NOT NULL,
  event jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_due ON webhook_events(next_attempt_at);
CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  endpoint text NOT NULL,
  event_id text NOT NULL,
  action text NOT NULL,
  attempt integer NOT NULL,
  status integer,
  error text,
  ok boolean NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  duration_ms integer NOT NULL
);
`,
  },
];

export const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

const TRACK = `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;

/** Versions applied so far. */
export async function appliedVersions(client: pg.ClientBase): Promise<number[]> {
  const r = await client.query<{ exists: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS exists`);
  if (!r.rows[0]?.exists) return [];
  return (await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows.map((x) => x.version);
}

/**
 * Apply every migration not applied yet; returns the versions applied now. An advisory lock
 * keeps two replicas migrating at the same moment from both trying.
 */
export async function migrateUp(client: pg.ClientBase, log: (line: string) => void = () => {}): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock(7216001)');
  try {
    await client.query(TRACK);
    const done = new Set(await appliedVersions(client));
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`);
      }
      log(`applied migration ${m.version}: ${m.name}`);
      applied.push(m.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock(7216001)');
  }
}
