/** OCI content descriptor and platform. */
import type { Digest } from './digest.js';

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

/** The platform of this host, in Go's GOOS/GOARCH names. */
export function hostPlatform(): Platform {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

/** Parse `os/arch[/variant]` as `--platform` takes it. */
export function parsePlatform(spec: string): Platform {
  const [os, architecture, variant] = spec.toLowerCase().split('/');
  if (!os || !architecture) throw new Error(`invalid platform: ${spec}`);
  return variant ? { os, architecture, variant } : { os, architecture };
}
