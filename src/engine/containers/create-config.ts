/**
 * A container's Config from its image's and the request's, by dockerd's merge rules: what the
 * request leaves empty comes from the image (user, working dir, env merged by name, labels
 * merged, health check field by field); an entrypoint given (even [""]: none) drops the image's
 * command; the request's volumes and exposed ports join the image's. The builder's RUN steps
 * need exactly this, without any flags.
 */
import { WharfError } from '../../core/errors.js';
import type { ContainerConfig } from '../../image/types.js';
import type { ContainerRecord } from '../../container/types.js';
import { mergeEnv } from '../../container/runtime/prepare.js';

/** The Engine API's Config of a create request (the fields wharf applies). */
export interface CreateConfig extends ContainerConfig {
  /** The image, as the user named it. */
  Image: string;
}

/** docker's JSON for an empty list it never filled: null. */
export const nullIfEmpty = <T>(list: T[]): T[] | null => (list.length ? list : null);

function mergeHealth(image: ContainerConfig['Healthcheck'], user: ContainerConfig['Healthcheck']): ContainerConfig['Healthcheck'] {
  if (!user) return image;
  if (!image || user.Test?.length) return { ...image, ...user };
  return { ...image, ...Object.fromEntries(Object.entries(user).filter(([, v]) => v)) };
}

export interface MergedConfig {
  config: ContainerRecord['Config'];
  /** The process to run: entrypoint and command together. */
  argv: string[];
}

/**
 * Merge; `volumes` are the container's volume mount points as Config.Volumes lists them (null
 * for none), `hostname` the default hostname (the ID's first 12 characters).
 */
export function mergeConfig(image: ContainerConfig, user: CreateConfig, o: { hostname: string; volumes: Record<string, object> | null }): MergedConfig {
  const given = user.Entrypoint && user.Entrypoint.length > 0;
  const entrypoint = !given ? (image.Entrypoint ?? []) : user.Entrypoint!.length === 1 && user.Entrypoint![0] === '' ? [] : user.Entrypoint!;
  const cmd = user.Cmd?.length ? user.Cmd : given ? [] : (image.Cmd ?? []);
  const argv = [...entrypoint, ...cmd];
  if (!argv.length) throw new WharfError('INVALID_ARGUMENT', 'No command specified', { exitCode: 125 });
  const exposed: Record<string, object> = { ...(image.ExposedPorts ?? {}), ...(user.ExposedPorts ?? {}) };
  const health = mergeHealth(image.Healthcheck, user.Healthcheck);
  const stopSignal = user.StopSignal || image.StopSignal;
  const config: ContainerRecord['Config'] = {
    Hostname: user.Hostname || o.hostname,
    Domainname: user.Domainname ?? '',
    User: user.User ?? image.User ?? '',
    AttachStdin: user.AttachStdin ?? false,
    AttachStdout: user.AttachStdout ?? false,
    AttachStderr: user.AttachStderr ?? false,
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    Tty: !!user.Tty,
    OpenStdin: !!user.OpenStdin,
    StdinOnce: !!user.StdinOnce,
    Env: nullIfEmpty(mergeEnv(image.Env ?? [], user.Env ?? [])),
    Cmd: cmd.length ? cmd : null,
    ...(health ? { Healthcheck: health } : {}),
    Image: user.Image,
    Volumes: o.volumes,
    WorkingDir: user.WorkingDir ?? image.WorkingDir ?? '',
    Entrypoint: entrypoint.length ? entrypoint : null,
    OnBuild: image.OnBuild ?? null,
    Labels: { ...(image.Labels ?? {}), ...(user.Labels ?? {}) },
    ...(stopSignal ? { StopSignal: stopSignal } : {}),
    ...(user.StopTimeout !== undefined ? { StopTimeout: user.StopTimeout } : {}),
  };
  return { config, argv };
}
