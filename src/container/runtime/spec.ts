/**
 * The OCI runtime spec (bundle config.json) for a container: namespaces, the standard kernel
 * filesystems, generated /etc files, Docker's default capabilities, masked and read-only paths,
 * rlimits clamped to the host's hard limits and cgroup resources from the run flags.
 */
import { readFileSync } from 'node:fs';
import type { HostMount, MountPoint } from '../types.js';
import type { ResolvedUser } from './user.js';
import { defaultSeccomp, type SecurityOptions } from './seccomp.js';
import { effectiveCaps, rlimits, type Ulimit } from './limits.js';

export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** docker's default masked and read-only paths, and /dev/shm size (inspect shows them too). */
export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
];
export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
export const DEFAULT_SHM_SIZE = 64 << 20;

export interface SpecInput {
  id: string;
  rootfs: string;
  /** A mount of the whole root at "/" (snapshot/snapshotter.ts RuntimeMount), made first. */
  rootMount?: Record<string, unknown>;
  args: string[];
  env: string[];
  cwd: string;
  user: ResolvedUser;
  terminal: boolean;
  hostname: string;
  /** Absolute network namespace path; undefined with `hostNetwork` or for a fresh empty netns. */
  netnsPath?: string;
  hostNetwork: boolean;
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  mounts: MountPoint[];
  memory: number;
  nanoCpus: number;
  pidsLimit: number | null;
  /** From `--security-opt` (seccomp.ts); docker's defaults when absent. */
  security?: SecurityOptions;
  /** `--cap-add`/`--cap-drop`, normalised (limits.ts). */
  capAdd?: string[];
  capDrop?: string[];
  readonlyRoot?: boolean;
  /** `--tmpfs`: mount point -> extra options. */
  tmpfs?: Record<string, string>;
  ulimits?: Ulimit[];
  /** Bytes of /dev/shm; 0 for docker's 64 MiB. */
  shmSize?: number;
  /** `--init`: the host's static init binary, mounted as docker mounts its docker-init. */
  init?: string;
}

/** A `--mount type=tmpfs`'s options as docker passes them to the kernel. */
export function tmpfsOptions(m: HostMount): string {
  const size = m.TmpfsOptions?.SizeBytes;
  const mode = m.TmpfsOptions?.Mode;
  return [size ? `size=${size}` : '', mode !== undefined ? `mode=${mode.toString(8)}` : ''].filter(Boolean).join(',');
}

/** Where `--init`'s binary appears in the container, as with docker. */
export const INIT_PATH = '/sbin/docker-init';

/** The host's hard limit for a resource, from /proc/self/limits (Infinity when unlimited). */
export function hostHardLimit(label: string): number {
  for (const line of readFileSync('/proc/self/limits', 'utf8').split('\n')) {
    if (!line.startsWith(label)) continue;
    const hard = line.slice(label.length).trim().split(/\s+/)[1];
    return hard === 'unlimited' || hard === undefined ? Infinity : Number(hard);
  }
  return Infinity;
}

const bind = (destination: string, source: string, ro = false) => ({
  destination,
  type: 'bind',
  source,
  options: ['rbind', 'rprivate', ro ? 'ro' : 'rw'],
});

export function buildSpec(i: SpecInput): Record<string, unknown> {
  const nofile = Math.min(1048576, hostHardLimit('Max open files'));
  const caps = effectiveCaps(DEFAULT_CAPS, i.capAdd, i.capDrop);
  const namespaces: Record<string, string>[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (!i.hostNetwork) namespaces.push(i.netnsPath ? { type: 'network', path: i.netnsPath } : { type: 'network' });
  const mounts: Record<string, unknown>[] = [
    ...(i.rootMount ? [i.rootMount] : []),
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${i.shmSize || DEFAULT_SHM_SIZE}`] },
    // docker's --tmpfs defaults, then the user's options (which may override them).
    ...Object.entries(i.tmpfs ?? {}).map(([destination, opts]) => ({ destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...(opts ? opts.split(',') : [])] })),
  ];
  const userDests = new Set(i.mounts.map((m) => m.Destination));
  const binds: Record<string, unknown>[] = [];
  for (const [dest, src] of [
    ['/etc/resolv.conf', i.etcFiles.resolvConf],
    ['/etc/hostname', i.etcFiles.hostname],
    ['/etc/hosts', i.etcFiles.hosts],
  ] as const) {
    if (!userDests.has(dest)) binds.push(bind(dest, src));
  }
  for (const m of i.mounts) if (m.Type !== 'tmpfs') binds.push(bind(m.Destination, m.Source, !m.RW));
  if (i.init) binds.push(bind(INIT_PATH, i.init, true));
  // Docker's sortMounts: shallower destinations first, so `-v vol:/etc` never hides /etc/hosts.
  const depth = (m: Record<string, unknown>) => String(m.destination).split('/').filter(Boolean).length;
  mounts.push(...binds.sort((a, b) => depth(a) - depth(b)));

  const resources: Record<string, unknown> = {
    devices: [
      { allow: false, access: 'rwm' },
      ...[[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2]].map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
      { allow: true, type: 'c', major: 136, access: 'rwm' },
      { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
    ],
  };
  if (i.memory > 0) resources.memory = { limit: i.memory, swap: i.memory * 2 };
  if (i.nanoCpus > 0) resources.cpu = { quota: Math.round((i.nanoCpus / 1e9) * 100000), period: 100000 };
  if (i.pidsLimit && i.pidsLimit > 0) resources.pids = { limit: i.pidsLimit };

  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: i.terminal,
      user: { uid: i.user.uid, gid: i.user.gid, ...(i.user.additionalGids.length ? { additionalGids: i.user.additionalGids } : {}) },
      args: i.init ? [INIT_PATH, '--', ...i.args] : i.args,
      env: i.env,
      cwd: i.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      rlimits: rlimits(i.ulimits ?? [], nofile),
      noNewPrivileges: i.security?.noNewPrivileges ?? false,
      oomScoreAdj: 0,
    },
    root: { path: i.rootfs, readonly: !!i.readonlyRoot },
    hostname: i.hostname,
    mounts,
    linux: {
      resources,
      cgroupsPath: `/wharf/${i.id}`,
      namespaces,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
      ...(i.security?.seccomp === false ? {} : { seccomp: defaultSeccomp() }),
    },
  };
}
