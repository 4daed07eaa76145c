/**
 * The engine's container and volume facade: everything the CLI (and the coming API server
 * and builder) call for containers, in one module. Every operation takes the Engine first;
 * the work lives in engine/containers/* and engine/volumes.ts. (Images have their own
 * facade modules under engine/images/, so a container command never loads image code it
 * does not use, and the other way round: start-up time.)
 */
export { createContainer, type ContainerCreateRequest, type CreateConfig, type NetworkingConfig } from './containers/create.js';
export { mergeConfig } from './containers/create-config.js';
export { inspectContainer, portsMap } from './containers/inspect.js';
export { listContainers, type ContainerPort, type ContainerSummary, type PsOptions } from './containers/list.js';
export {
  startDetached,
  runInProcess,
  stopContainer,
  killContainer,
  pauseContainer,
  unpauseContainer,
  restartContainer,
  waitContainer,
  removeContainer,
  type InProcessRun,
} from './containers/lifecycle.js';
export { needsMonitor, startAttached } from './containers/run.js';
export { attachContainer, type AttachSession } from './containers/attach.js';
export { execContainer, ExecRefusedError, type ExecOptions } from './containers/exec.js';
export { containerLogs, type LogLine, type LogsOptions } from './containers/logs.js';
export { renameContainer, pruneContainers, checkPruneFilters, containerPortLines, topContainer, type ContainerTop, type PruneReport } from './containers/manage.js';
export { sampleStats, type StatsSample } from './containers/stats.js';
export { commitContainer, type CommitOptions } from './containers/commit-leased.js';
export { containerChanges, exportContainer, copyFromContainer, copyToContainer, tarFromContainer, untarIntoContainer } from './containers/fs-facade.js';
export { bootContainers } from './containers/boot.js';
export { createVolume, listVolumes, inspectVolume, removeVolume, pruneVolumes, type Volume, type VolumePruneReport } from './volumes.js';

// Types of the records and the parsers of docker's flag syntax that the CLI's flag parser uses.
export type { ContainerRecord, PortBinding, RestartPolicy } from '../container/types.js';
export { parsePortSpec } from '../container/runtime/network/ports.js';
export { parseSecurityOpts } from '../container/runtime/seccomp.js';
export { parseUlimit } from '../container/runtime/limits.js';
export type { ContainerInspect, ImageInspect, Config, HostConfig } from './api-types.js';
