/** attach, exec (create/start/inspect/resize), logs and resize: the routes that stream a container's I/O. */
import type { Engine } from '../../engine/engine.js';
import type { Router } from '../router.js';
import { badRequest, boolQuery, intQuery, readJson, sendJson, sendStatus, type ApiRequest } from '../http.js';
import { detachFilter, frame, hijack, parseDetachKeys } from '../streams.js';
import { attachStream } from '../../engine/containers/attach-stream.js';
import { containerLogs } from '../../engine/containers.js';
import { createExec, getExec, inspectExec, startExec, type ExecConfig } from '../../engine/containers/exec-instances.js';
import { resizeContainer } from '../../engine/containers/resize.js';

/** `since`/`until` as Docker's API sends them: Unix seconds, maybe with a fraction. */
function unixMs(v: string | null): number | undefined {
  if (!v || v === '0') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw badRequest(`failed to parse value ${v} as a timestamp`);
  return n * 1000;
}

function sizeOf(r: ApiRequest): { cols: number; rows: number } | undefined {
  const h = intQuery(r.query, 'h');
  const w = intQuery(r.query, 'w');
  return h && w ? { cols: w, rows: h } : undefined;
}

async function attach(r: ApiRequest, engine: Engine): Promise<void> {
  const rec = engine.containers.get(r.params.id!);
  const tty = !!rec.Config.Tty;
  const wantStdin = boolQuery(r.query, 'stdin') && !!rec.Config.OpenStdin;
  const wantOut = boolQuery(r.query, 'stdout');
  const wantErr = boolQuery(r.query, 'stderr');
  const keys = parseDetachKeys(r.query.get('detachKeys'));
  if (!boolQuery(r.query, 'stream') && !boolQuery(r.query, 'logs')) throw badRequest('at least one of stream or logs must be set');
  const conn = hijack(r, tty);
  if (boolQuery(r.query, 'logs')) {
    for await (const l of containerLogs(engine, rec.Id)) {
      if ((l.stream === 'stderr' ? wantErr : wantOut)) conn.send(l.stream === 'stderr' ? 2 : 1, Buffer.from(l.log));
    }
  }
  if (!boolQuery(r.query, 'stream')) return conn.end();
  const handle = await attachStream(engine, rec.Id, {
    stdin: wantStdin,
    onOutput: (s, d) => {
      if (s === 1 ? wantOut : wantErr) conn.send(s, d);
    },
  }, conn.closed);
  if (wantStdin) {
    // Input that came before the process runs waits in the socket: the monitor has nowhere to put it yet.
    await handle.started.catch(() => undefined);
    conn.onInput(detachFilter(keys, (d) => handle.write(d), () => {
      handle.close();
      conn.end();
    }), () => {
      // Docker closes the container's stdin at the client's EOF only without a TTY (a TTY client's EOF is a detach).
      if (rec.Config.StdinOnce && !tty) handle.endStdin();
    });
  }
  await handle.done;
  conn.end();
}

export function registerStreamRoutes(router: Router, engine: Engine): void {
  router.post('/containers/{id}/attach', (r) => attach(r, engine));

  router.post('/containers/{id}/resize', async (r) => {
    const size = sizeOf(r);
    if (!size) throw badRequest('height and width are required');
    await resizeContainer(engine, r.params.id!, size);
    sendStatus(r, 200);
  });

  router.get('/containers/{id}/logs', async (r) => {
    const rec = engine.containers.get(r.params.id!);
    const out = boolQuery(r.query, 'stdout');
    const err = boolQuery(r.query, 'stderr');
    if (!out && !err) throw badRequest('Bad parameters: you must choose at least one stream');
    const tailRaw = r.query.get('tail');
    const tail = !tailRaw || tailRaw === 'all' ? undefined : Number(tailRaw);
    if (tail !== undefined && !Number.isInteger(tail)) throw badRequest(`invalid tail value ${JSON.stringify(tailRaw)}`);
    const timestamps = boolQuery(r.query, 'timestamps');
    const opts = { tail: tail !== undefined && tail < 0 ? undefined : tail, since: unixMs(r.query.get('since')), until: unixMs(r.query.get('until')), follow: boolQuery(r.query, 'follow') };
    const tty = !!rec.Config.Tty;
    r.res.writeHead(200, { 'Content-Type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' });
    r.res.flushHeaders();
    const abort = new AbortController();
    r.res.on('close', () => abort.abort());
    for await (const l of containerLogs(engine, rec.Id, { ...opts, signal: abort.signal })) {
      const stream = l.stream === 'stderr' ? 2 : 1;
      if (stream === 1 ? !out : !err) continue;
      const data = Buffer.from(timestamps ? `${l.time} ${l.log}` : l.log);
      r.res.write(tty ? data : frame(stream, data));
    }
    r.res.end();
  });

  router.post('/containers/{id}/exec', async (r) => {
    const body = await readJson<ExecConfig>(r.req);
    sendJson(r, 201, { Id: createExec(engine, r.params.id!, body) });
  });

  router.get('/exec/{id}/json', (r) => sendJson(r, 200, inspectExec(r.params.id!)));

  router.post('/exec/{id}/resize', (r) => {
    getExec(r.params.id!);
    const size = sizeOf(r);
    if (size) execResizers.get(r.params.id!)?.(size.cols, size.rows);
    sendStatus(r, 201);
  });

  router.post('/exec/{id}/start', async (r) => {
    const body = await readJson<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] }>(r.req);
    const e = getExec(r.params.id!);
    const size = Array.isArray(body.ConsoleSize) && body.ConsoleSize[0] ? { rows: body.ConsoleSize[0], cols: body.ConsoleSize[1] } : undefined;
    if (body.Detach) {
      const proc = await startExec(engine, e.id, () => undefined, size);
      proc.endStdin();
      sendStatus(r, 200);
      return;
    }
    // Started before the connection is taken over, so a failure is still an HTTP error; early output waits.
    let conn: ReturnType<typeof hijack> | undefined;
    const early: [1 | 2, Buffer][] = [];
    const proc = await startExec(engine, e.id, (s, d) => (conn ? conn.send(s, d) : early.push([s, d])), size);
    conn = hijack(r, !!e.config.Tty);
    for (const [s, d] of early) conn.send(s, d);
    execResizers.set(e.id, proc.resize);
    if (e.config.AttachStdin) {
      const keys = parseDetachKeys(e.config.DetachKeys);
      const c = conn;
      c.onInput(detachFilter(keys, (d) => proc.write(d), () => c.end()), () => proc.endStdin());
    }
    await proc.done;
    execResizers.delete(e.id);
    conn.end();
  });
}

/** Live execs' pty resizers (POST /exec/{id}/resize). */
const execResizers = new Map<string, (cols: number, rows: number) => void>();
