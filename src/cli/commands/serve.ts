/**
 * `wharf serve`: the Docker Engine API in the foreground, on unix sockets (0660, owned by
 * root and the docker or wharf group, as docker.sock is) and TCP. TCP without TLS listens
 * on loopback only unless told otherwise (`--tls=false`), with Docker's warning.
 */
import type { Command } from 'commander';
import { chmodSync, chownSync, readFileSync, unlinkSync } from 'node:fs';
import { connect, type Server } from 'node:net';
import type { CliContext } from '../context.js';
import { CliError } from '../context.js';
import { collect } from '../output.js';
import { ApiServer, type TlsFiles } from '../../api/server.js';

interface ServeOptions {
  host?: string[];
  tls?: string | boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
  group?: string;
  liveRestore?: boolean;
}

export const DEFAULT_SOCKET = '/run/wharf.sock';

/** The gid of the first of `names` in /etc/group. */
function groupId(names: string[]): { name: string; gid: number } | undefined {
  let text = '';
  try {
    text = readFileSync('/etc/group', 'utf8');
  } catch {
    return undefined;
  }
  for (const want of names) {
    const line = text.split('\n').find((l) => l.split(':')[0] === want);
    if (line) return { name: want, gid: Number(line.split(':')[2]) };
  }
  return undefined;
}

/** A socket path nobody answers on is stale (a killed server's): remove it. A live one is an error. */
async function clearStaleSocket(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
  if (alive) throw new CliError(`failed to load listeners: listen unix ${path}: bind: address already in use`);
  try {
    unlinkSync(path);
  } catch {
    /* not there */
  }
}

const isLoopback = (host: string) => host === 'localhost' || host.startsWith('127.') || host === '::1' || host === '[::1]';

function listen(server: Server, args: Parameters<Server['listen']>[0]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(args, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program.command('serve').description('Serve the Docker Engine API (the docker CLI, docker compose and SDKs drive wharf through it)')
    .option('-H, --host <list>', `Daemon socket(s) to listen on (unix:///path, tcp://host:port, fd:// from systemd; default unix://${DEFAULT_SOCKET})`, collect)
    .option('--tls [bool]', 'Use TLS; implied by --tlsverify (--tls=false allows plain TCP on a non-loopback address)')
    .option('--tlsverify', 'Use TLS and verify the remote (clients need a certificate signed by --tlscacert)')
    .option('--tlscacert <path>', 'Trust certs signed only by this CA')
    .option('--tlscert <path>', 'Path to TLS certificate file')
    .option('--tlskey <path>', 'Path to TLS key file')
    .option('--group <name>', 'Group for the unix socket (default docker, else wharf)')
    .option('--live-restore', 'Keep containers running when the server stops (each under its own monitor process)')
    .action(async (o: ServeOptions) => {
      const tlsOff = o.tls === 'false' || o.tls === '0';
      const useTls = !!o.tlsverify || (o.tls !== undefined && !tlsOff);
      let tls: TlsFiles | undefined;
      if (useTls) {
        if (!o.tlscert || !o.tlskey) throw new CliError('--tlscert and --tlskey are needed for TLS');
        if (o.tlsverify && !o.tlscacert) throw new CliError('--tlsverify needs --tlscacert');
        tls = { cert: readFileSync(o.tlscert), key: readFileSync(o.tlskey), ca: o.tlscacert ? readFileSync(o.tlscacert) : undefined, verify: !!o.tlsverify };
      }
      const api = new ApiServer(ctx.engine(), { liveRestore: !!o.liveRestore });
      const hosts = o.host?.length ? o.host : [`unix://${DEFAULT_SOCKET}`];
      const sockets: string[] = [];
      for (const h of hosts) {
        if (h === 'fd://' || h.startsWith('fd://')) {
          // systemd socket activation (wharf.socket): the listening sockets are fds 3.. (LISTEN_FDS of them).
          const count = Number(process.env.LISTEN_FDS ?? 0);
          if (!count || Number(process.env.LISTEN_PID ?? process.pid) !== process.pid) throw new CliError('no sockets found via socket activation: make sure the service was started by systemd');
          for (let fd = 3; fd < 3 + count; fd++) await listen(api.server(tls), { fd });
          ctx.err(`API listen on ${count} socket(s) from systemd`);
          continue;
        }
        if (h.startsWith('unix://') || h.startsWith('/')) {
          const path = h.replace(/^unix:\/\//, '');
          await clearStaleSocket(path);
          const server = api.server();
          await listen(server, { path });
          sockets.push(path);
          chmodSync(path, 0o660);
          const group = groupId(o.group ? [o.group] : ['docker', 'wharf']);
          if (o.group && !group) throw new CliError(`group ${o.group} not found`);
          if (group) chownSync(path, 0, group.gid);
          ctx.err(`API listen on ${path}`);
          continue;
        }
        const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(h);
        if (!m) throw new CliError(`invalid argument "${h}" for "-H, --host" flag: Invalid bind address format: ${h}`);
        const host = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
        const port = Number(m[2] ?? (tls ? 2376 : 2375));
        if (!tls) {
          ctx.err(`[!] DON'T BIND ON ANY IP ADDRESS WITHOUT setting --tlsverify IF YOU DON'T KNOW WHAT YOU'RE DOING [!]`);
          if (!isLoopback(host) && !tlsOff) {
            throw new CliError(`refusing to listen on tcp://${host}:${port} without TLS: binding to a non-loopback address without --tlsverify gives root access on this machine to everyone who can reach it; pass --tls=false to do it anyway`);
          }
        }
        const server = api.server(tls);
        await listen(server, { host, port });
        ctx.err(`API listen on ${host.includes(':') ? `[${host}]` : host}:${port}`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await api.close();
      for (const s of sockets) {
        try {
          unlinkSync(s);
        } catch {
          /* already gone */
        }
      }
    });
}
