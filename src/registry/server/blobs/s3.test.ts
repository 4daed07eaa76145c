import { randomUUID } from 'node:crypto';
import { S3BlobStore } from './s3.js';
import { blobStoreContract } from './testsuite.js';

const env = process.env;
const skip = env.WHARF_TEST_S3_ENDPOINT ? undefined : 'no S3 endpoint (WHARF_TEST_S3_ENDPOINT; scripts/test.sh starts Ceph RGW)';

blobStoreContract('S3 blob store', async () => {
  const store = new S3BlobStore({
    endpoint: env.WHARF_TEST_S3_ENDPOINT,
    region: env.WHARF_TEST_S3_REGION ?? 'us-east-1',
    bucket: 'wharf-contract',
    accessKey: env.WHARF_TEST_S3_ACCESS_KEY,
    secretKey: env.WHARF_TEST_S3_SECRET_KEY,
    rootDirectory: `t-${randomUUID()}`,
    chunkSize: 5 << 20,
  });
  await store.init();
  return { store, cleanup: () => store.close() };
}, skip);
