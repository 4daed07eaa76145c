/**
 * `inspect`'s HostConfig: every field dockerd 20.10 sends, in its order, with the values wharf
 * keeps in the record and docker's defaults for the settings wharf does not offer (so a
 * template such as `{{.HostConfig.CpuQuota}}` works as it does with docker).
 */
import type { HostConfig } from '../../container/types.js';

/** docker's /dev/shm size. */
export const DEFAULT_SHM_SIZE = 64 << 20;

const MASKED_PATHS = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function hostConfigView(h: HostConfig): Record<string, unknown> {
  return {
    Binds: h.Binds,
    ContainerIDFile: '',
    LogConfig: h.LogConfig,
    NetworkMode: h.NetworkMode,
    PortBindings: h.PortBindings,
    RestartPolicy: h.RestartPolicy,
    AutoRemove: h.AutoRemove,
    VolumeDriver: '',
    VolumesFrom: null,
    CapAdd: h.CapAdd ?? null,
    CapDrop: h.CapDrop ?? null,
    CgroupnsMode: 'host',
    Dns: h.Dns ?? [],
    DnsOptions: h.DnsOptions ?? [],
    DnsSearch: h.DnsSearch ?? [],
    ExtraHosts: h.ExtraHosts ?? null,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: h.PublishAllPorts,
    ReadonlyRootfs: !!h.ReadonlyRootfs,
    SecurityOpt: h.SecurityOpt ?? null,
    ...(h.Tmpfs && Object.keys(h.Tmpfs).length ? { Tmpfs: h.Tmpfs } : {}),
    UTSMode: '',
    UsernsMode: '',
    ShmSize: h.ShmSize || DEFAULT_SHM_SIZE,
    Runtime: h.Runtime,
    ConsoleSize: [0, 0],
    Isolation: '',
    CpuShares: 0,
    Memory: h.Memory,
    NanoCpus: h.NanoCpus,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    KernelMemory: 0,
    KernelMemoryTCP: 0,
    MemoryReservation: 0,
    // docker's default swap limit: as much again as the memory limit.
    MemorySwap: h.Memory > 0 ? h.Memory * 2 : 0,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: h.PidsLimit,
    Ulimits: h.Ulimits ?? [],
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    ...(h.Mounts?.length ? { Mounts: h.Mounts } : {}),
    MaskedPaths: MASKED_PATHS,
    ReadonlyPaths: READONLY_PATHS,
    ...(h.Init ? { Init: true } : {}),
  };
}
