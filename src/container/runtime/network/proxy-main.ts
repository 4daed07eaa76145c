/**
 * The userland port proxy: one small detached process per container that listens on the
 * published host ports and relays TCP streams and UDP datagrams to the container's address.
 * It is what makes 127.0.0.1:HOSTPORT work (DNAT never sees loopback traffic).
 *
 * argv: `wharf-proxy <containerId> <json ProxySpec>`. It binds every port, then prints one JSON
 * line on stdout ({ok, ports} or {ok:false, error}) and keeps relaying until killed.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';

export interface ProxyPort {
  proto: 'tcp' | 'udp';
  /** Address to listen on ("0.0.0.0" for all). */
  hostIp: string;
  /** '' picks a free port; 'N'; or 'A-B' tries each port in turn. */
  hostPort: string;
  targetIp: string;
  targetPort: number;
  /** Listen on the port bound for the spec at this index (docker's [::] twin of 0.0.0.0). */
  samePortAs?: number;
  /** A failed bind leaves this spec out (port 0) rather than failing them all. */
  optional?: boolean;
}

const isV6 = (ip: string) => ip.includes(':');

const UDP_IDLE_MS = 90_000;

function candidates(hostPort: string): number[] {
  if (hostPort === '') return [0];
  const [a, b] = hostPort.split('-').map(Number) as [number, number | undefined];
  const out: number[] = [];
  for (let p = a; p <= (b ?? a); p++) out.push(p);
  return out;
}

function listenTcp(spec: ProxyPort, port: number): Promise<number> {
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: spec.targetIp, port: spec.targetPort, allowHalfOpen: true });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', () => upstream.end());
    upstream.on('close', () => client.end());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // v6-only, so [::]:P and 0.0.0.0:P are two sockets, as docker's proxies are.
    server.listen({ host: spec.hostIp, port, exclusive: true, ipv6Only: isV6(spec.hostIp) }, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function listenUdp(spec: ProxyPort, port: number): Promise<number> {
  const server = isV6(spec.hostIp) ? createSocket({ type: 'udp6', ipv6Only: true }) : createSocket('udp4');
  const flows = new Map<string, { sock: UdpSocket; timer: NodeJS.Timeout }>();
  server.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const sock = createSocket('udp4');
      const created = {
        sock,
        timer: setTimeout(() => {
          flows.delete(key);
          sock.close();
        }, UDP_IDLE_MS),
      };
      sock.on('message', (reply) => {
        server.send(reply, rinfo.port, rinfo.address);
        created.timer.refresh();
      });
      sock.on('error', () => undefined);
      flows.set(key, created);
      flow = created;
    }
    flow.timer.refresh();
    flow.sock.send(msg, spec.targetPort, spec.targetIp);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.bind({ address: spec.hostIp, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

async function bindOne(spec: ProxyPort): Promise<number> {
  const bind = spec.proto === 'udp' ? listenUdp : listenTcp;
  for (const port of candidates(spec.hostPort)) {
    try {
      return await bind(spec, port);
    } catch {
      /* try the next port of the range */
    }
  }
  throw new Error(`Bind for ${spec.hostIp}:${spec.hostPort} failed: port is already allocated`);
}

async function main(): Promise<void> {
  const specs = JSON.parse(process.argv[process.argv.length - 1] ?? '[]') as ProxyPort[];
  const ports: number[] = [];
  try {
    for (const spec of specs) {
      const twin = spec.samePortAs === undefined ? spec : { ...spec, hostPort: String(ports[spec.samePortAs]) };
      ports.push(await bindOne(twin).catch((err: unknown) => (spec.optional ? 0 : Promise.reject(err))));
    }
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: (err as Error).message }) + '\n', () => process.exit(1));
    return;
  }
  process.stdout.write(JSON.stringify({ ok: true, ports }) + '\n');
  process.stdout.on('error', () => undefined);
}

process.on('SIGHUP', () => undefined);
void main();
