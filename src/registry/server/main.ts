/**
 * Standalone entry: `npx tsx src/registry/server/main.ts [serve flags]` runs the registry
 * without the wharf CLI, so the server can be deployed and tested on its own.
 */
import { Command } from 'commander';
import { registerRegistryServerCommands } from '../../cli/commands/registry-server.js';

const program = new Command('wharf-registry');
registerRegistryServerCommands(program);
const argv = process.argv.slice(2);
// Bare flags mean `registry serve`.
const args = argv[0] === 'registry' ? argv : ['registry', ...(argv.length === 0 || argv[0]!.startsWith('-') ? ['serve', ...argv] : argv)];
program.parseAsync(['node', 'wharf-registry', ...args]).catch((err: Error) => {
  process.stderr.write(`Error: ${err.message}\n`);
  process.exit(1);
});
