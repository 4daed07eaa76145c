/**
 * Registry access for the front ends: the distribution client (login checks), search, and the
 * credential store shared with docker (~/.docker/config.json and its helpers). The front end
 * passes the environment it was started with; nothing here reads process.env itself.
 */
import { WharfError } from '../core/errors.js';
import type { Filters } from '../core/filters.js';
import { RegistryClient, type SearchResult } from '../registry/client/client.js';
import { CredentialStore } from '../registry/client/credentials.js';

export { RegistryClient, type SearchResult } from '../registry/client/client.js';
export { DOCKER_HUB_INDEX } from '../registry/client/config.js';
export { CredentialStore, credentialKey, hostOfKey, type AuthConfig } from '../registry/client/credentials.js';

export interface SearchRequest {
  /** 1 to 100 (docker's default 25); a flag's text is checked here too. */
  limit?: number | string;
  /** stars=N, is-official=BOOL, is-automated=BOOL. */
  filters?: Filters;
  /** Where the credential store is (DOCKER_CONFIG): the front end's environment. */
  env?: NodeJS.ProcessEnv;
}

const BOOLS = ['true', 'false', '1', '0'];

/** Search `registry` for `term`: the results the filters keep, most stars first. */
export async function searchRegistry(registry: string, term: string, o: SearchRequest = {}): Promise<SearchResult[]> {
  const limit = o.limit === undefined ? 25 : Number(o.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new WharfError('INVALID_ARGUMENT', `Limit ${o.limit} is outside the range of [1, 100]`);
  const tests: ((r: SearchResult) => boolean)[] = [];
  for (const key of o.filters?.keys() ?? []) {
    for (const value of o.filters!.get(key)) {
      const invalid = () => new WharfError('INVALID_ARGUMENT', `Invalid filter '${key}=${value}'`);
      if (key === 'stars') {
        if (!/^-?\d+$/.test(value)) throw invalid();
        tests.push((r) => r.star_count >= Number(value));
      } else if (key === 'is-official' || key === 'is-automated') {
        if (!BOOLS.includes(value.toLowerCase())) throw invalid();
        const want = value === 'true' || value === '1';
        tests.push((r) => (key === 'is-official' ? r.is_official : r.is_automated) === want);
      } else throw new WharfError('INVALID_ARGUMENT', `Invalid filter '${key}'`);
    }
  }
  const client = new RegistryClient(registry, { credentials: () => new CredentialStore({ env: o.env }).get(registry) });
  let results: SearchResult[];
  try {
    results = await client.search(term, limit);
  } finally {
    client.close();
  }
  return results.filter((r) => tests.every((t) => t(r))).sort((a, b) => b.star_count - a.star_count);
}
