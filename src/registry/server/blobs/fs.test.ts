import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemDriver } from '../storage/fs.js';
import { FsBlobStore } from './fs.js';
import { blobStoreContract } from './testsuite.js';

blobStoreContract('filesystem blob store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-fsblobs-'));
  return { store: new FsBlobStore(new FilesystemDriver(dir)), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
