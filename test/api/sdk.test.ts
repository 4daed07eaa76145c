/**
 * The SDKs' scripted scenarios against `wharf serve`: dockerode (npm) and docker-py
 * (Debian's python3-docker). Each pulls from a distribution registry on 127.0.0.1 (the
 * image pushed there first through the API), creates a container with a port binding,
 * starts it, demuxes its logs and attach stream, execs with output, inspects, stops and
 * removes it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import Docker from 'dockerode';
import { docker, DOCKER_CLI, serve, type Served } from './helpers.js';
import { distributionMissing, startDistribution, type Distribution } from '../registry/support.js';

const hasDockerPy = spawnSync('python3', ['-c', 'import docker']).status === 0;
// Quarantined with cli.test.ts: a full CI run hung here until the 10-minute test timeout (cause not yet found).
const quarantined = process.env.WHARF_TEST_API_CLI === '1' ? false : 'hung once in CI, cause unknown: WHARF_TEST_API_CLI=1 runs it';
const skip = process.getuid?.() !== 0 ? 'wharf serve runs containers as root' : distributionMissing ?? (!DOCKER_CLI ? 'no docker CLI (used to push the fixture)' : quarantined);
let s: Served;
let reg: Distribution;
let ref: string;

/** dockerode's followProgress as a promise of every message. */
const follow = (d: Docker, stream: NodeJS.ReadableStream) =>
  new Promise<{ status?: string; error?: string }[]>((resolve, reject) => d.modem.followProgress(stream, (err: Error | null, out: { status?: string }[]) => (err ? reject(err) : resolve(out))));

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    stream.on('end', () => resolve(text));
  });
}

describe('SDK scenarios against wharf serve', { skip }, () => {
  before(async () => {
    s = await serve();
    reg = await startDistribution(join(s.dir, 'registry'));
    ref = `${reg.host}/api/bb:1`;
    assert.equal(docker(s.host, ['tag', s.image, ref]).code, 0);
    const pushed = docker(s.host, ['push', ref]);
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(docker(s.host, ['rmi', ref]).code, 0);
  });
  after(async () => {
    reg?.stop();
    await s?.stop();
  });

  test('dockerode: pull, create with ports, attach, start, logs, exec, inspect, stop, remove', async () => {
    const d = new Docker({ socketPath: s.sock });
    const progress = await follow(d, await d.pull(ref));
    assert.ok(progress.some((m) => m.status?.startsWith('Status: ')), JSON.stringify(progress));
    const c = await d.createContainer({
      Image: ref, name: 'api-node', Cmd: ['sh', '-c', 'echo out; sleep 0.1; echo err >&2; httpd -f -p 80'],
      ExposedPorts: { '80/tcp': {} }, HostConfig: { PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    const attach = await c.attach({ stream: true, stdout: true, stderr: true, hijack: true });
    const out = new PassThrough();
    const err = new PassThrough();
    d.modem.demuxStream(attach, out, err);
    await c.start();
    const info = await c.inspect();
    assert.equal(info.State.Running, true);
    const port = info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort;
    assert.match(port ?? '', /^\d+$/);
    let page = '';
    for (let i = 0; i < 50 && !page; i++) {
      page = await fetch(`http://127.0.0.1:${port}/`).then((r) => String(r.status), () => '');
      if (!page) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(page, '404', 'busybox httpd answers through the published port');
    const logs = await c.logs({ stdout: true, stderr: true, follow: false });
    assert.match(logs.toString(), /out/);
    const exec = await c.exec({ Cmd: ['sh', '-c', 'echo eo; echo ee >&2; exit 2'], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const eo = new PassThrough();
    const ee = new PassThrough();
    d.modem.demuxStream(stream, eo, ee);
    const [eoText, eeText] = await Promise.all([collect(eo), collect(ee), new Promise((r) => stream.on('end', () => (eo.end(), ee.end(), r(undefined))))]);
    assert.equal(eoText, 'eo\n');
    assert.equal(eeText, 'ee\n');
    assert.equal((await exec.inspect()).ExitCode, 2);
    await c.stop({ t: 1 });
    assert.equal((await c.inspect()).State.Running, false);
    out.end();
    err.end();
    const [attachedOut, attachedErr] = await Promise.all([collect(out), collect(err)]);
    assert.equal(attachedOut, 'out\n');
    assert.equal(attachedErr, 'err\n');
    await c.remove();
    await assert.rejects(c.inspect(), /no such container/i);
  });

  test('docker-py: the same scenario', { skip: !hasDockerPy && 'python3-docker is not installed' }, () => {
    const r = spawnSync('python3', [join(import.meta.dirname, 'sdk-scenario.py'), s.sock, ref], { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'ping True', 'pulled True', 'status running', 'port True', 'stdout out', 'stderr err', 'exec 2 eo ee', 'image True', 'stopped exited', 'gone True',
    ]);
  });
});
