/**
 * The data root's layout, in one place: every store finds its directory here rather than
 * joining names itself, so the layout can be read (and changed) in one module.
 *
 *   wharf.db                       SQLite: images, tags, layers, leases
 *   blobs/sha256/<hex>, ingest/    the content store
 *   layers/<chain id hex>/         unpacked layers (overlay lower dirs)
 *   containers/<id>/               record, state, log, upper/work/merged
 *   container-names/<name>         name reservations (exclusive create)
 *   volumes/<name>/_data           local volumes
 *   network/                       IPAM files and per-container network records
 */
import { join } from 'node:path';

export interface DataLayout {
  readonly root: string;
  readonly database: string;
  readonly blobs: string;
  readonly ingest: string;
  readonly layers: string;
  readonly containers: string;
  readonly containerNames: string;
  readonly volumes: string;
  readonly network: string;
  container(id: string): string;
  volume(name: string): string;
}

export function dataLayout(root: string): DataLayout {
  return {
    root,
    database: join(root, 'wharf.db'),
    blobs: join(root, 'blobs'),
    ingest: join(root, 'ingest'),
    layers: join(root, 'layers'),
    containers: join(root, 'containers'),
    containerNames: join(root, 'container-names'),
    volumes: join(root, 'volumes'),
    network: join(root, 'network'),
    container: (id) => join(root, 'containers', id),
    volume: (name) => join(root, 'volumes', name),
  };
}
