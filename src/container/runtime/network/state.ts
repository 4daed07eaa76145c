/**
 * The teardown record of one container's network, `<root>/network/<containerId>.json`:
 * everything setup created (mode, bridge, address, DNAT elements, proxy pid), written before
 * and during setup so an interrupted setup can still be undone.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DnatRule } from './bridge.js';
import type { PublishedPort } from './ports.js';
import { dataLayout } from '../../../core/layout.js';

export type NetworkMode = 'bridge' | 'host' | 'none';

/** What setupNetwork returns (and inspect/port read). */
export interface NetworkState {
  netnsPath?: string;
  ipAddress: string;
  ipPrefixLen: number;
  gateway: string;
  macAddress: string;
  bridge: string;
  ports: PublishedPort[];
  proxyPids: number[];
  /** Exposed ports ("80/tcp"), published or not, for NetworkSettings.Ports. */
  exposedPorts?: string[];
}

export interface NetworkRecord extends NetworkState {
  containerId: string;
  mode: NetworkMode;
  subnet?: string;
  dnat: DnatRule[];
  /** The netns name is deleted: the running container alone holds the namespace (releaseNetnsName). */
  netnsReleased?: boolean;
}

export const recordPath = (root: string, containerId: string) => join(dataLayout(root).network, `${containerId}.json`);

export function readRecord(root: string, containerId: string): NetworkRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(root, containerId), 'utf8')) as NetworkRecord;
  } catch {
    return undefined;
  }
}

export function writeRecord(root: string, record: NetworkRecord): void {
  const path = recordPath(root, record.containerId);
  mkdirSync(dataLayout(root).network, { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(record, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
}

export function removeRecord(root: string, containerId: string): void {
  rmSync(recordPath(root, containerId), { force: true });
}

/** The public part of a record. */
export function toState(r: NetworkRecord): NetworkState {
  const { containerId: _id, mode: _mode, subnet: _subnet, dnat: _dnat, ...state } = r;
  return state;
}
