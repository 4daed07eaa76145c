/**
 * The registry's services in one bag, handed to every route module: storage, uploads,
 * authorisation, notifications, and the short-lived pin set that keeps online GC away from
 * blobs a manifest was just pushed against.
 */
import type { Digest } from '../../core/digest.js';
import type { Authorizer } from './auth/index.js';
import type { RegistryConfig } from './config.js';
import type { RequestContext } from './http.js';
import type { Metrics } from './metrics.js';
import type { RegistryStore } from './store.js';
import type { UploadManager } from './uploads.js';
import type { Notifier } from './webhooks.js';

export interface Registry {
  config: RegistryConfig;
  store: RegistryStore;
  uploads: UploadManager;
  auth: Authorizer;
  notifier: Notifier;
  metrics: Metrics;
  /** Digests a request is about to reference, with the time; GC never sweeps these. */
  pins: Map<Digest, number>;
}

export function needRepo(reg: Registry, ctx: RequestContext, name: string, ...actions: string[]): Promise<void> {
  return reg.auth.authorize(ctx, [{ type: 'repository', name, actions }]);
}

export function pin(reg: Registry, digests: Iterable<Digest>): void {
  const now = Date.now();
  for (const d of digests) reg.pins.set(d, now);
  if (reg.pins.size > 100_000) {
    for (const [d, t] of reg.pins) if (now - t > 3600_000) reg.pins.delete(d);
  }
}
