/**
 * The one place the snapshotter and container commands reach the archive module
 * (layer apply with whiteouts, overlay upper -> layer, change lists, directory tars).
 */
export { applyLayer } from '../archive/apply.js';
export { changes, tarDirectory, tarOverlayUpper, type Change, type OwnerNames } from '../archive/diff.js';
