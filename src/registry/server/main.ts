/**
 * Standalone entry: `node dist/registry/server/main.js --addr 127.0.0.1:5000 --root DIR`
 * runs the registry without the wharf CLI (it depends only on core/), so the server can
 * be deployed on its own.
 */
import { createRegistryServer } from './server.js';
import { resolveConfig } from './config.js';

/** Flags that take no value (`--quiet`), so they never swallow the next argument. */
const BOOLEAN_FLAGS = new Set(['quiet', 's3Redirect']);
const flags: Record<string, string> = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const m = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(argv[i]!);
  if (!m) continue;
  const key = m[1]!.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  if (BOOLEAN_FLAGS.has(key)) flags[key] = m[2] ?? 'true';
  else flags[key] = m[2] ?? argv[++i] ?? '';
}
try {
  const server = await createRegistryServer(resolveConfig(flags as never), { log: (line: string) => process.stderr.write(line + '\n') });
  process.stderr.write(`wharf registry listening on ${server.url}\n`);
} catch (err) {
  process.stderr.write(`Error: ${(err as Error).message}\n`);
  process.exit(1);
}
