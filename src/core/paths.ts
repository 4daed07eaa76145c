/** Where wharf keeps its state: `--root`, then WHARF_ROOT, then /var/lib/wharf for root. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WHARF_ROOT) return env.WHARF_ROOT;
  if (process.getuid?.() === 0) return '/var/lib/wharf';
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'wharf');
}

/** Docker-format client config (credentials), shared with docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG ?? join(homedir(), '.docker');
}

export function daemonConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.WHARF_CONFIG ?? '/etc/wharf/daemon.json';
}
