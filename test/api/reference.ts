/**
 * One scripted conversation with a Docker Engine API server, run against dockerd to record
 * the reference (record-reference.ts) and against `wharf serve` to compare (protocol.test.ts).
 * Each step keeps what must match: the status, the headers Docker's clients read, and the
 * body (exactly, with IDs replaced by <ID>, or only its shape: sorted keys, for data that
 * differs between engines like sizes and times).
 */
import { request } from 'node:http';

export interface Step {
  name: string;
  status: number;
  headers: Record<string, string>;
  /** Exact body (normalized), or the sorted keys of a JSON object body. */
  body?: string;
  keys?: string[];
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function call(socketPath: string, method: string, path: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = request({ socketPath, method, path, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(30000, () => req.destroy(new Error(`${method} ${path}: no answer in 30s`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Headers Docker's clients read: kept by name (values of the version ones too). */
const KEPT = ['api-version', 'content-type', 'docker-experimental', 'ostype', 'cache-control', 'pragma'];

const normalize = (s: string, ids: string[]) => ids.reduce((t, id) => t.split(id).join('<ID>'), s).replace(/\b[0-9a-f]{64}\b/g, '<ID>');

/** Decode Docker's 8-byte multiplexed frames into `stream:text` lines. */
export function demux(buf: Buffer): string {
  const out: string[] = [];
  for (let i = 0; i + 8 <= buf.length; ) {
    const len = buf.readUInt32BE(i + 4);
    out.push(`${buf[i]}:${buf.subarray(i + 8, i + 8 + len).toString()}`);
    i += 8 + len;
  }
  return out.join('');
}

/** The conversation; `image` is a busybox image tag present on the server. */
export async function converse(sock: string, image: string): Promise<Step[]> {
  const steps: Step[] = [];
  const ids: string[] = [];
  const keep = (name: string, r: Reply, mode: 'body' | 'keys' | 'status' | 'demux' = 'body') => {
    const headers: Record<string, string> = {};
    for (const k of KEPT) if (r.headers[k] !== undefined) headers[k] = k === 'api-version' || k === 'docker-experimental' || k === 'ostype' || k === 'content-type' ? String(r.headers[k]) : 'present';
    const step: Step = { name, status: r.status, headers };
    const text = r.body.toString();
    if (mode === 'body') step.body = normalize(text.trim(), ids);
    if (mode === 'demux') step.body = demux(r.body);
    if (mode === 'keys') step.keys = Object.keys(JSON.parse(text) as object).sort();
    steps.push(step);
    return r;
  };
  keep('HEAD /_ping', await call(sock, 'HEAD', '/_ping'));
  keep('GET /_ping', await call(sock, 'GET', '/_ping'));
  keep('client too old', await call(sock, 'GET', '/v1.11/version'));
  keep('client too new', await call(sock, 'GET', '/v1.99/version'));
  keep('no such route', await call(sock, 'GET', '/v1.41/nonexistent'));
  keep('GET /version', await call(sock, 'GET', '/v1.41/version'), 'keys');
  keep('GET /info (unversioned)', await call(sock, 'GET', '/info'), 'status');
  keep('no such container', await call(sock, 'GET', '/v1.41/containers/nosuch/json'));
  keep('rm no such container', await call(sock, 'DELETE', '/v1.41/containers/nosuch'));
  keep('no such image', await call(sock, 'GET', '/v1.41/images/nosuch:1/json'));
  keep('rmi no such image', await call(sock, 'DELETE', '/v1.41/images/nosuch:1'));
  keep('create from a missing image', await call(sock, 'POST', '/v1.41/containers/create', { Image: 'nosuch:1' }));
  keep('image inspect', await call(sock, 'GET', `/v1.41/images/${image}/json`), 'keys');
  const list = await call(sock, 'GET', '/v1.41/images/json');
  steps.push({ name: 'images/json row', status: list.status, headers: {}, keys: Object.keys((JSON.parse(list.body.toString()) as object[])[0] ?? {}).sort() });
  const hist = await call(sock, 'GET', `/v1.41/images/${image}/history`);
  steps.push({ name: 'history row', status: hist.status, headers: {}, keys: Object.keys((JSON.parse(hist.body.toString()) as object[])[0] ?? {}).sort() });
  keep('volume inspect missing', await call(sock, 'GET', '/v1.41/volumes/api-nosuch'));
  keep('network inspect missing', await call(sock, 'GET', '/v1.41/networks/api-nosuch'));
  keep('bad JSON body', await call(sock, 'POST', '/v1.41/containers/create', '{bad'), 'status');

  const created = await call(sock, 'POST', '/v1.41/containers/create?name=api-ref-c', { Image: image, Cmd: ['sh', '-c', 'echo out; sleep 0.2; echo err >&2; sleep 30'] });
  const id = (JSON.parse(created.body.toString()) as { Id: string }).Id;
  ids.push(id);
  keep('create', created, 'keys');
  keep('create with a taken name', await call(sock, 'POST', '/v1.41/containers/create?name=api-ref-c', { Image: image }), 'status');
  keep('exec in a created container', await call(sock, 'POST', `/v1.41/containers/${id}/exec`, { Cmd: ['true'] }));
  keep('kill a created container', await call(sock, 'POST', `/v1.41/containers/${id}/kill`));
  keep('inspect', await call(sock, 'GET', `/v1.41/containers/${id}/json`), 'keys');
  keep('start', await call(sock, 'POST', `/v1.41/containers/${id}/start`));
  keep('start again', await call(sock, 'POST', `/v1.41/containers/${id}/start`));
  const ps = await call(sock, 'GET', '/v1.41/containers/json');
  steps.push({ name: 'containers/json row', status: ps.status, headers: {}, keys: Object.keys((JSON.parse(ps.body.toString()) as object[])[0] ?? {}).sort() });
  keep('rm a running container', await call(sock, 'DELETE', `/v1.41/containers/${id}`));
  // Output is in the log once the shell has run its echos.
  for (let i = 0; i < 50 && demux((await call(sock, 'GET', `/v1.41/containers/${id}/logs?stdout=1&stderr=1`)).body).split(':').length < 3; i++) await new Promise((r) => setTimeout(r, 100));
  keep('logs', await call(sock, 'GET', `/v1.41/containers/${id}/logs?stdout=1&stderr=1`), 'demux');
  keep('logs stdout only', await call(sock, 'GET', `/v1.41/containers/${id}/logs?stdout=1`), 'demux');
  keep('logs without streams', await call(sock, 'GET', `/v1.41/containers/${id}/logs`), 'status');
  keep('stop', await call(sock, 'POST', `/v1.41/containers/${id}/stop?t=0`));
  keep('stop again', await call(sock, 'POST', `/v1.41/containers/${id}/stop?t=0`));
  keep('wait', await call(sock, 'POST', `/v1.41/containers/${id}/wait`));
  keep('kill a stopped container', await call(sock, 'POST', `/v1.41/containers/${id}/kill`));
  keep('rename to itself', await call(sock, 'POST', `/v1.41/containers/${id}/rename?name=api-ref-c`), 'status');
  keep('remove', await call(sock, 'DELETE', `/v1.41/containers/${id}`));
  keep('remove again', await call(sock, 'DELETE', `/v1.41/containers/${id}`));
  return steps;
}
