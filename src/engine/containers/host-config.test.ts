import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostConfigView } from './host-config.js';

// The keys of `docker inspect` (dockerd 20.10) for a container, in the daemon's order.
const DOCKER_KEYS = 'Binds ContainerIDFile LogConfig NetworkMode PortBindings RestartPolicy AutoRemove VolumeDriver VolumesFrom CapAdd CapDrop CgroupnsMode Dns DnsOptions DnsSearch ExtraHosts GroupAdd IpcMode Cgroup Links OomScoreAdj PidMode Privileged PublishAllPorts ReadonlyRootfs SecurityOpt UTSMode UsernsMode ShmSize Runtime ConsoleSize Isolation CpuShares Memory NanoCpus CgroupParent BlkioWeight BlkioWeightDevice BlkioDeviceReadBps BlkioDeviceWriteBps BlkioDeviceReadIOps BlkioDeviceWriteIOps CpuPeriod CpuQuota CpuRealtimePeriod CpuRealtimeRuntime CpusetCpus CpusetMems Devices DeviceCgroupRules DeviceRequests KernelMemory KernelMemoryTCP MemoryReservation MemorySwap MemorySwappiness OomKillDisable PidsLimit Ulimits CpuCount CpuPercent IOMaximumIOps IOMaximumBandwidth MaskedPaths ReadonlyPaths';

test("HostConfig has docker's keys in docker's order, wharf's settings and docker's defaults", () => {
  const view = hostConfigView({
    Binds: ['/a:/b'],
    NetworkMode: 'none',
    PortBindings: {},
    RestartPolicy: { Name: 'always', MaximumRetryCount: 0 },
    AutoRemove: true,
    PublishAllPorts: false,
    Memory: 1 << 20,
    NanoCpus: 5e8,
    PidsLimit: 10,
    Runtime: 'runc',
    LogConfig: { Type: 'json-file', Config: {} },
  });
  assert.equal(Object.keys(view).join(' '), DOCKER_KEYS);
  assert.deepEqual([view.Binds, view.NetworkMode, view.AutoRemove, view.NanoCpus, view.PidsLimit], [['/a:/b'], 'none', true, 5e8, 10]);
  assert.equal(view.MemorySwap, 2 << 20);
  assert.deepEqual([view.ExtraHosts, view.CpuQuota, view.Ulimits, view.CgroupnsMode], [null, 0, [], 'host']);
});
