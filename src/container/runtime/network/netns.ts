/**
 * Network namespaces and veth pairs. A container's namespace is a named netns
 * (`wharf-<first 12 of id>`, bind-mounted under /run/netns by ip(8)); in bridge mode a veth
 * pair joins it to the bridge: the host end `veth<7 of id>` on the bridge, the peer created
 * directly inside the namespace as eth0, so no temporary name ever appears on the host.
 */
import { GONE, mustRun, run } from './exec.js';

export const netnsName = (containerId: string) => `wharf-${containerId.slice(0, 12)}`;
export const netnsPath = (containerId: string) => `/run/netns/${netnsName(containerId)}`;
export const vethName = (containerId: string) => `veth${containerId.slice(0, 7)}`;

/** Create the namespace with only lo, up. */
export async function createNetns(containerId: string): Promise<string> {
  const ns = netnsName(containerId);
  await mustRun('ip', ['netns', 'add', ns]);
  await mustRun('ip', ['-n', ns, 'link', 'set', 'dev', 'lo', 'up']);
  return netnsPath(containerId);
}

export interface VethConfig {
  containerId: string;
  bridge: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
}

/** Create the veth pair, attach the host end to the bridge and configure eth0 in the netns. */
export async function attachVeth(cfg: VethConfig): Promise<void> {
  const ns = netnsName(cfg.containerId);
  const host = vethName(cfg.containerId);
  const hostBatch = [
    `link add name ${host} type veth peer name eth0 address ${cfg.mac} netns ${ns}`,
    `link set dev ${host} master ${cfg.bridge}`,
    `link set dev ${host} up`,
    '',
  ].join('\n');
  await mustRun('ip', ['-batch', '-'], { input: hostBatch });
  const nsBatch = [
    `addr add ${cfg.ip}/${cfg.prefixLen} dev eth0`,
    'link set dev eth0 up',
    `route add default via ${cfg.gateway} dev eth0`,
    '',
  ].join('\n');
  await mustRun('ip', ['-n', ns, '-batch', '-'], { input: nsBatch });
}

/** Delete the veth (if still there) and the namespace; missing pieces are fine. */
export async function destroyNetns(containerId: string): Promise<void> {
  await mustRun('ip', ['link', 'del', 'dev', vethName(containerId)], { ignore: GONE });
  const del = await run('ip', ['netns', 'del', netnsName(containerId)]);
  if (del.code !== 0 && !GONE.test(del.stderr)) {
    throw new Error(`ip netns del ${netnsName(containerId)}: ${del.stderr.trim()}`);
  }
}

/** Whether a named netns / link exists (tests and leak checks). */
export async function netnsExists(containerId: string): Promise<boolean> {
  const res = await run('ip', ['netns', 'list']);
  return res.stdout.split('\n').some((l) => l.split(' ')[0] === netnsName(containerId));
}

export async function linkExists(name: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', name])).code === 0;
}
