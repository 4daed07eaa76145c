/**
 * The engine's container facade: what the CLI (and later the API server) calls. The work
 * lives in engine/containers/*; this module re-exports the entry points in one place.
 */
export { createContainer, type CreateOptions } from './containers/create.js';
export { inspectContainer } from './containers/inspect.js';
export { listContainers, type PsOptions, type PsRow } from './containers/list.js';
export { startDetached, runInProcess, stopContainer, killContainer, restartContainer, waitContainer, removeContainer } from './containers/lifecycle.js';
export { commitContainer, type CommitOptions } from './containers/commit.js';
export { containerChanges, exportContainer, copyFromContainer, copyToContainer } from './containers/fs.js';
export { bootContainers } from './containers/boot.js';
export { containersUsingImage } from '../container/store.js';
