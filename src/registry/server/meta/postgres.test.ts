import { randomBytes } from 'node:crypto';
import { PostgresMetadata } from './postgres.js';
import { metadataStoreContract } from './testsuite.js';

const url = process.env.WHARF_TEST_PG_URL;
const skip = url ? undefined : 'no PostgreSQL (WHARF_TEST_PG_URL; scripts/test.sh starts one)';

metadataStoreContract('PostgreSQL metadata', async () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const meta = new PostgresMetadata({ url: url!, schema });
  await meta.migrate();
  await meta.init();
  return {
    store: meta,
    async cleanup() {
      await meta.query(`DROP SCHEMA ${schema} CASCADE`);
      await meta.close();
    },
  };
}, skip);
