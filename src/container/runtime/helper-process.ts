/**
 * Starting wharf's own helper programs (the per-container monitor, the port proxy) as node
 * processes (located by core/helpers.ts), and the small environment every child of the
 * runtime gets.
 */
import { processEnv } from '../../core/process.js';

export { helperArgs } from '../../core/helpers.js';

/**
 * V8 flags for helpers: a monitor or proxy holds a few buffers, never much more. A tiny young
 * generation, no background GC tasks and V8's lite mode (no optimising tiers; wasm off, which
 * lite mode needs) cut its private memory; helpers do little work, so peak speed does not matter.
 */
export const HELPER_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=32', '--single-threaded', '--lite-mode', '--no-expose-wasm'];

/**
 * The environment for runtime children (monitor, runc, mount, proxy): PATH and wharf's own
 * settings only. Copying the caller's whole environment costs time on every spawn and leaks
 * the user's variables into long-lived helpers.
 */
export function childEnv(): NodeJS.ProcessEnv {
  return processEnv('wharf');
}
