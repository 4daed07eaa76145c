/**
 * A create request's mounts as the container records them: HostConfig.Binds (`-v`, parsed
 * here, the engine's side of docker's volume grammar), the request's and the image's
 * anonymous volumes (Config.Volumes), and HostConfig.Mounts (`--mount`, recorded as given, a
 * bind source that must exist). Named and anonymous volumes are created on the way.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { WharfError } from '../../core/errors.js';
import type { HostMount, MountPoint } from '../../container/types.js';
import type { VolumeStore } from '../../container/volumes.js';
import { checkHostMount, parseVolumeSpec, type VolumeSpec } from './volumes-spec.js';

export interface ResolvedMounts {
  mounts: MountPoint[];
  /** HostConfig.Binds as recorded: `-v` entries with a source, normalised. */
  binds: string[];
  /** HostConfig.Mounts as given. */
  hostMounts: HostMount[];
  /** Config.Volumes: the volume mount points, `--mount`'s excluded (docker's rule); null for none. */
  configVolumes: Record<string, object> | null;
}

/**
 * The volume specs of a request, in the order docker applies them: Binds (an entry without a
 * colon is an anonymous volume at that path), the request's own Config.Volumes, then Mounts.
 * Parse errors come out before anything is created.
 */
export function requestVolumes(binds: readonly string[] = [], volumes: Record<string, object> | null = null, mounts: readonly HostMount[] = []): VolumeSpec[] {
  const specs = binds.map(parseVolumeSpec);
  for (const dest of Object.keys(volumes ?? {})) if (!specs.some((s) => s.destination === dest)) specs.push(parseVolumeSpec(dest));
  for (const m of mounts) {
    checkHostMount(m);
    specs.push({ type: m.Type, source: m.Source ?? '', destination: m.Target, readOnly: !!m.ReadOnly, mode: '', mount: m });
  }
  return specs;
}

export function resolveMounts(volumes: VolumeStore, specs: readonly VolumeSpec[], imageVolumes: Record<string, object> | null | undefined): ResolvedMounts {
  const fromImage = { ...(imageVolumes ?? {}) };
  const out: ResolvedMounts = { mounts: [], binds: [], hostMounts: [], configVolumes: null };
  const bindText = (v: VolumeSpec) => `${v.source}:${v.destination}${v.mode ? `:${v.mode}` : ''}`;
  for (const v of specs) {
    if (v.mount) out.hostMounts.push(v.mount);
    if (v.type === 'tmpfs') {
      out.mounts.push({ Type: 'tmpfs', Source: '', Destination: v.destination, Mode: '', RW: true, Propagation: '' });
    } else if (v.type === 'bind') {
      if (v.mount && !existsSync(v.source)) {
        throw new WharfError('INVALID_ARGUMENT', `invalid mount config for type "bind": bind source path does not exist: ${v.source}`, { exitCode: 125 });
      }
      if (!existsSync(v.source)) mkdirSync(v.source, { recursive: true });
      out.mounts.push({ Type: 'bind', Source: v.source, Destination: v.destination, Mode: v.mode, RW: !v.readOnly, Propagation: 'rprivate' });
      if (!v.mount) out.binds.push(bindText(v));
    } else {
      const vol = volumes.create(v.source || undefined, {}, !v.source);
      out.mounts.push({ Type: 'volume', Name: vol.Name, Source: vol.Mountpoint, Destination: v.destination, Driver: 'local', Mode: v.mode || 'z', RW: !v.readOnly, Propagation: '' });
      if (v.source && !v.mount) out.binds.push(bindText(v));
    }
    delete fromImage[v.destination];
  }
  for (const dest of Object.keys(fromImage)) {
    const vol = volumes.create(undefined, {}, true);
    out.mounts.push({ Type: 'volume', Name: vol.Name, Source: vol.Mountpoint, Destination: dest, Driver: 'local', Mode: '', RW: true, Propagation: '' });
  }
  const byMount = new Set(out.hostMounts.map((m) => m.Target));
  const listed = out.mounts.filter((m) => m.Type === 'volume' && !byMount.has(m.Destination));
  out.configVolumes = Object.keys(imageVolumes ?? {}).length || listed.length ? Object.fromEntries(listed.map((m) => [m.Destination, {}])) : null;
  return out;
}
