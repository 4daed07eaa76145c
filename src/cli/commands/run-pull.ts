/**
 * `run`/`create --pull always|missing|never`: docker's CLI, not its daemon, pulls an image that
 * is not there ("Unable to find image 'X:latest' locally", then the pull's progress on stderr)
 * and creates again; `always` pulls first, `never` reports the daemon's "No such image".
 */
import type { CliContext } from '../context.js';
import { CliError } from '../context.js';
import { hasReason, WharfError } from '../../core/errors.js';
import { parseNormalizedTagged } from '../../core/reference.js';
import { pullImages } from '../../engine/images/pull.js';
import { ProgressRenderer } from '../progress/renderer.js';

export type PullPolicy = 'always' | 'missing' | 'never';

export function parsePullPolicy(value: string | undefined): PullPolicy {
  const v = value ?? 'missing';
  if (v === 'always' || v === 'missing' || v === 'never') return v;
  throw new CliError(`invalid pull option: '${v}': must be one of "always", "missing" or "never"`, 125, true);
}

/** The image as docker names it in these messages: familiar, with `:latest` when untagged. */
function tagged(image: string): string {
  try {
    return parseNormalizedTagged(image).familiarString();
  } catch {
    throw new WharfError('INVALID_REFERENCE', 'invalid reference format', { exitCode: 125 });
  }
}

async function pullForRun(ctx: CliContext, image: string): Promise<void> {
  const renderer = new ProgressRenderer(ctx.stderr, !!ctx.stderr.isTTY);
  try {
    await pullImages(ctx.engine(), image, { progress: renderer });
  } finally {
    renderer.close();
  }
}

/** `create` under the pull policy: pulls as docker's CLI does and creates again. */
export async function withPullPolicy<T>(ctx: CliContext, image: string, policy: PullPolicy, create: () => Promise<T>): Promise<T> {
  if (policy === 'always') await pullForRun(ctx, tagged(image));
  try {
    return await create();
  } catch (err) {
    if (policy !== 'missing' || !hasReason(err, 'NO_SUCH_IMAGE')) throw err;
  }
  const name = tagged(image);
  ctx.err(`Unable to find image '${name}' locally`);
  await pullForRun(ctx, name);
  return create();
}
