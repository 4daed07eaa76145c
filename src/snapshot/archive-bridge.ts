/**
 * The one place the snapshotter and container commands reach the archive module
 * (confined layer apply and tars, overlay upper -> layer, change lists, directory tars).
 */
export { applyLayer } from '../archive/apply.js';
export { confine, confinedTar, tarOf } from '../archive/confined.js';
export { changes, tarDirectory, tarOverlayUpper, type Change, type OwnerNames } from '../archive/diff.js';
