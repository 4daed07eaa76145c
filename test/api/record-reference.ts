/**
 * Records dockerd's answers to the reference conversation (reference.ts) into
 * fixtures/dockerd.json: `DOCKER_SOCK=/tmp/d/docker.sock npx tsx test/api/record-reference.ts IMAGE`
 * with a busybox IMAGE tagged on that dockerd.
 */
import { writeFileSync } from 'node:fs';
import { converse } from './reference.js';

const sock = process.env.DOCKER_SOCK ?? '/var/run/docker.sock';
const image = process.argv[2] ?? 'api-bb:latest';
const steps = await converse(sock, image);
writeFileSync(new URL('./fixtures/dockerd.json', import.meta.url), JSON.stringify(steps, null, 1) + '\n');
console.log(`${steps.length} steps recorded`);
