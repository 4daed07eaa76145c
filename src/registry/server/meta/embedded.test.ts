import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemDriver } from '../storage/fs.js';
import { EmbeddedMetadata } from './embedded.js';
import { metadataStoreContract } from './testsuite.js';

metadataStoreContract('embedded metadata', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-embmeta-'));
  return { store: new EmbeddedMetadata(new FilesystemDriver(dir)), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
