/**
 * docker's global options: `--config DIR` (as DOCKER_CONFIG), `-l/--log-level` (checked as docker
 * checks it), `-D/--debug`, `-v/--version`, and `-H/--host` / `--context`, which need a daemon to
 * talk to: wharf runs in-process until `wharf serve` exists, so only the one `default` context is
 * accepted and `-H` is refused with a clear error rather than ignored.
 */
import { CliError } from './context.js';
import { WHARF_VERSION } from '../engine/version.js';

export interface GlobalOptions {
  config?: string;
  context?: string;
  debug?: boolean;
  host?: string;
  logLevel?: string;
  version?: boolean;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'panic', 'trace', 'warning'];

export function applyGlobalOptions(o: GlobalOptions): void {
  if (o.logLevel !== undefined && !LEVELS.includes(o.logLevel.toLowerCase())) throw new CliError(`Unable to parse logging level: ${o.logLevel}`, 1, true);
  if (o.config !== undefined) process.env.DOCKER_CONFIG = o.config;
  if (o.debug) process.env.WHARF_DEBUG = '1';
  if (o.host !== undefined) {
    throw new CliError(`-H/--host ${o.host}: wharf runs its engine in this process and cannot connect to a daemon yet (there is no \`wharf serve\`)`, 125, true);
  }
  const context = o.context ?? process.env.DOCKER_CONTEXT;
  if (context !== undefined && context !== 'default') throw new CliError(`unable to resolve docker endpoint: context "${context}" does not exist`, 1, true);
}

/** `docker --version`'s line. */
export function versionLine(): string {
  return `wharf version ${WHARF_VERSION}`;
}
