/** /_ping, /version, /info, /auth and /system/df. */
import type { Engine } from '../../engine/engine.js';
import type { Router } from '../router.js';
import { readJson, sendJson, type ApiRequest } from '../http.js';
import { engineInfo, versionInfo } from '../../engine/system.js';
import { checkLogin } from '../../engine/registry-access.js';
import { systemDiskUsage } from '../../engine/disk-usage.js';
import { arch, release } from 'node:os';
import { WharfError } from '../../core/errors.js';

function ping(r: ApiRequest): void {
  r.res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Builder-Version': '1',
    'Content-Length': r.method === 'HEAD' ? 0 : 2,
  });
  r.res.end(r.method === 'HEAD' ? undefined : 'OK');
}

const goArch = () => (arch() === 'x64' ? 'amd64' : arch());

function version(): Record<string, unknown> {
  const s = versionInfo().Server;
  const details = { ApiVersion: s.ApiVersion, Arch: goArch(), MinAPIVersion: s.MinAPIVersion, Os: s.Os, KernelVersion: release(), Experimental: 'false', GitCommit: '', GoVersion: s.NodeVersion };
  return {
    Platform: { Name: '' },
    Components: s.Components.map((c) => (c.Name === 'Engine' ? { ...c, Details: details } : { ...c, Details: { GitCommit: '' } })),
    Version: s.Version,
    ApiVersion: s.ApiVersion,
    MinAPIVersion: s.MinAPIVersion,
    GitCommit: '',
    GoVersion: s.NodeVersion,
    Os: s.Os,
    Arch: goArch(),
    KernelVersion: release(),
    BuildTime: '',
  };
}

/** /info: wharf's facts plus the fields docker's CLI reads (zero values where wharf has no such thing). */
function info(engine: Engine): Record<string, unknown> {
  const i = engineInfo(engine);
  return {
    ...i,
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
    MemoryLimit: true, SwapLimit: false, KernelMemory: false, CpuCfsPeriod: true, CpuCfsQuota: true, CPUShares: true, CPUSet: true, PidsLimit: true,
    IPv4Forwarding: true, BridgeNfIptables: false, BridgeNfIp6tables: false, OomKillDisable: false,
    NFd: 0, NGoroutines: 0, SystemTime: new Date().toISOString(), NEventsListener: 0,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: { AllowNondistributableArtifactsCIDRs: [], AllowNondistributableArtifactsHostnames: [], InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: [] },
    GenericResources: null, HttpProxy: '', HttpsProxy: '', NoProxy: '', Labels: [], ExperimentalBuild: false,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true, Isolation: '', InitBinary: 'docker-init',
    ContainerdCommit: { ID: '', Expected: '' }, RuncCommit: { ID: '', Expected: '' }, InitCommit: { ID: '', Expected: '' },
    SecurityOptions: ['name=seccomp,profile=default'], Warnings: [],
  };
}

export function registerSystemRoutes(router: Router, engine: Engine): void {
  router.get('/_ping', ping).head('/_ping', ping);
  router.get('/version', (r) => sendJson(r, 200, version()));
  router.get('/info', (r) => sendJson(r, 200, info(engine)));
  router.get('/system/df', async (r) => sendJson(r, 200, await systemDiskUsage(engine)));
  router.post('/auth', async (r) => {
    const body = await readJson<{ username?: string; password?: string; serveraddress?: string; identitytoken?: string }>(r.req);
    if (!body.username && !body.identitytoken) throw new WharfError('INVALID_ARGUMENT', 'Username is required');
    try {
      await checkLogin(body.serveraddress, { username: body.username, password: body.password, identityToken: body.identitytoken });
    } catch (err) {
      throw new WharfError('UNAUTHORIZED', `login attempt to ${body.serveraddress || 'https://registry-1.docker.io/v2/'} failed with status: ${(err as Error).message}`);
    }
    sendJson(r, 200, { Status: 'Login Succeeded', IdentityToken: '' });
  });
}
