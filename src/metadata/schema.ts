/**
 * The metadata schema, versioned. Each migration runs once, in order, inside a
 * transaction; `schema_version` records how far a database has come. Never edit a
 * shipped migration: add a new one.
 */
export const migrations: readonly string[] = [
  // 1: images, layers, tags and leases.
  `
  CREATE TABLE layers (
    diff_id TEXT PRIMARY KEY,          -- digest of the uncompressed tar (also its blob digest)
    size INTEGER NOT NULL              -- bytes of regular-file content, as Docker counts
  );
  CREATE TABLE images (
    id TEXT PRIMARY KEY,               -- sha256 of the config bytes
    parent TEXT NOT NULL DEFAULT '',
    size INTEGER NOT NULL,
    created TEXT,                      -- config.created
    labels TEXT NOT NULL DEFAULT '{}', -- config.config.Labels as JSON, for filters
    loaded_at TEXT NOT NULL,
    last_tag_time TEXT
  );
  CREATE INDEX images_parent ON images(parent);
  CREATE TABLE image_layers (
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    diff_id TEXT NOT NULL REFERENCES layers(diff_id),
    chain_id TEXT NOT NULL,            -- OCI ChainID of the layers up to and including this one
    PRIMARY KEY (image_id, idx)
  );
  CREATE INDEX image_layers_diff ON image_layers(diff_id);
  CREATE INDEX image_layers_chain ON image_layers(chain_id);
  CREATE TABLE tags (
    ref TEXT PRIMARY KEY,              -- fully-qualified name:tag
    repo TEXT NOT NULL,
    image_id TEXT NOT NULL REFERENCES images(id),
    created TEXT NOT NULL
  );
  CREATE INDEX tags_image ON tags(image_id);
  CREATE TABLE repo_digests (
    repo TEXT NOT NULL,                -- fully-qualified repository
    digest TEXT NOT NULL,              -- manifest digest
    image_id TEXT NOT NULL REFERENCES images(id),
    PRIMARY KEY (repo, digest)
  );
  CREATE INDEX repo_digests_image ON repo_digests(image_id);
  -- A compressed form of a layer as some registry knows it, so a re-push sends nothing.
  CREATE TABLE layer_blobs (
    diff_id TEXT NOT NULL,
    digest TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    PRIMARY KEY (diff_id, digest)
  );
  -- Leases protect blobs that work in progress has written but not yet referenced.
  CREATE TABLE leases (
    id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    expires INTEGER NOT NULL
  );
  CREATE TABLE lease_blobs (
    lease_id TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
    digest TEXT NOT NULL,
    PRIMARY KEY (lease_id, digest)
  );
  `,
  // 2: which repositories of which registry hold a blob, so a push can mount instead of upload.
  `
  CREATE TABLE IF NOT EXISTS blob_sources (
    digest TEXT NOT NULL,
    registry TEXT NOT NULL,
    repo TEXT NOT NULL,
    seen INTEGER NOT NULL,
    PRIMARY KEY (digest, registry, repo)
  );
  `,
];
