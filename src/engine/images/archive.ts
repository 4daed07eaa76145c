/** Image archives for the engine's callers: `save` (docker-archive out) and `load` (in). */
export { resolveSaveItems, saveImages } from '../../transport/save.js';
export { loadArchive, type LoadedImage } from '../../transport/load.js';
