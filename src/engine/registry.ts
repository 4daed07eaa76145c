/**
 * Registry access for the front ends: the distribution client (login checks, search) and the
 * credential store shared with docker (~/.docker/config.json and its helpers). The front end
 * passes the environment it was started with; nothing here reads process.env itself.
 */
export { RegistryClient, type SearchResult } from '../registry/client/client.js';
export { DOCKER_HUB_INDEX } from '../registry/client/config.js';
export { CredentialStore, credentialKey, hostOfKey, type AuthConfig } from '../registry/client/credentials.js';
