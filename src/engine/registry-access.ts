/**
 * Registry access with credentials a caller supplies (the API's X-Registry-Auth header or
 * a POST /auth body) rather than the ones in ~/.docker/config.json: the clients pull and
 * push use, a login check, and search.
 */
import { RegistryClient, type SearchResult } from '../registry/client/client.js';
import type { AuthConfig } from '../registry/client/credentials.js';
import { DEFAULT_DOMAIN } from '../core/reference.js';

export type { AuthConfig, SearchResult };

/** A client for `registry`, using `auth` when given (else the stored credentials). */
export function registryClient(registry: string, auth?: AuthConfig, push = false): RegistryClient {
  return new RegistryClient(registry, { push, ...(auth && (auth.username || auth.identityToken) ? { credentials: auth } : {}) });
}

/** The registry host a login names: Docker Hub for empty or its index URL. */
export function loginRegistry(serverAddress: string | undefined): string {
  const s = (serverAddress ?? '').replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  return !s || s === 'index.docker.io' || s === 'registry-1.docker.io' ? DEFAULT_DOMAIN : s;
}

/** Check credentials against a registry (POST /auth). */
export async function checkLogin(serverAddress: string | undefined, auth: AuthConfig): Promise<void> {
  const client = registryClient(loginRegistry(serverAddress), auth);
  try {
    await client.login();
  } finally {
    client.close();
  }
}

/** `search TERM`: `registry/term` searches that registry, a bare term Docker Hub. */
export async function searchImages(term: string, limit: number, auth?: AuthConfig): Promise<SearchResult[]> {
  const slash = term.indexOf('/');
  const host = slash > 0 && /[.:]|^localhost$/.test(term.slice(0, slash)) ? term.slice(0, slash) : DEFAULT_DOMAIN;
  const client = registryClient(host, auth);
  try {
    return await client.search(host === DEFAULT_DOMAIN ? term : term.slice(slash + 1), limit);
  } finally {
    client.close();
  }
}
