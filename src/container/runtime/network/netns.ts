/**
 * Network namespaces and veth pairs. A container's namespace is a named netns
 * (`wharf-<first 12 of id>`, bind-mounted under /run/netns by ip(8)); in bridge mode a veth
 * pair joins it to the bridge: the host end `veth<7 of id>` on the bridge, the peer created
 * directly inside the namespace as eth0, so no temporary name ever appears on the host.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GONE, mustRun, run } from './exec.js';

const BATCH_DIR = '/run/wharf/netns';

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

/**
 * Create the namespace and join it to the bridge in one ip(8) run from here (each costs
 * node a fork of itself): in the host namespace it adds the netns and the veth pair (the
 * peer created directly inside it as eth0, so no temporary name ever appears on the host) and
 * puts the host end on the bridge; then `netns exec` runs a second ip inside the netns, which
 * reads its own batch (lo and eth0 up, address, route) from a file on /run's tmpfs.
 */
export async function createBridgedNetns(cfg: VethConfig): Promise<string> {
  const ns = netnsName(cfg.containerId);
  const host = vethName(cfg.containerId);
  const nsBatchFile = join(BATCH_DIR, `${ns}.batch`);
  const hostBatch = [
    `netns add ${ns}`,
    `link add name ${host} type veth peer name eth0 address ${cfg.mac} netns ${ns}`,
    `link set dev ${host} master ${cfg.bridge} up`,
    `netns exec ${ns} ip -batch ${nsBatchFile}`,
    '',
  ].join('\n');
  const nsBatch = [
    'link set dev lo up',
    `addr add ${cfg.ip}/${cfg.prefixLen} dev eth0`,
    'link set dev eth0 up',
    `route add default via ${cfg.gateway} dev eth0`,
    '',
  ].join('\n');
  mkdirSync(BATCH_DIR, { recursive: true });
  writeFileSync(nsBatchFile, nsBatch);
  try {
    await mustRun('ip', ['-batch', '-'], { input: hostBatch });
  } finally {
    rmSync(nsBatchFile, { force: true });
  }
  return netnsPath(cfg.containerId);
}

/**
 * Delete the namespace; missing pieces are fine. The kernel then destroys the veth pair with
 * the namespace, in the background: deleting the host end first would cost ~15 ms of waiting
 * for the network stack's grace period. Only a veth whose namespace is already gone (a
 * half-made setup) is deleted by name.
 */
export async function destroyNetns(containerId: string): Promise<void> {
  const del = await run('ip', ['netns', 'del', netnsName(containerId)]);
  if (del.code === 0) return;
  if (!GONE.test(del.stderr)) throw new Error(`ip netns del ${netnsName(containerId)}: ${del.stderr.trim()}`);
  await mustRun('ip', ['link', 'del', 'dev', vethName(containerId)], { ignore: GONE });
}

/** Whether a named netns / link exists (tests and leak checks). */
export async function netnsExists(containerId: string): Promise<boolean> {
  const res = await run('ip', ['netns', 'list']);
  return res.stdout.split('\n').some((l) => l.split(' ')[0] === netnsName(containerId));
}

export async function linkExists(name: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', 'dev', name])).code === 0;
}
