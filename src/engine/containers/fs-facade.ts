/**
 * The filesystem operations of fs.ts (diff, export, cp both ways and through tar streams)
 * with the engine as their first argument, as every other container operation takes it.
 */
import type { Readable } from 'node:stream';
import type { Change } from '../../snapshot/archive-bridge.js';
import type { Engine } from '../engine.js';
import * as fs from './fs.js';

export const containerChanges = (engine: Engine, ref: string): Promise<Change[]> => fs.containerChanges(engine.root, ref);
export const exportContainer = (engine: Engine, ref: string, sink: (tar: Readable) => Promise<void>): Promise<void> => fs.exportContainer(engine.root, ref, sink);
export const copyFromContainer = (engine: Engine, ref: string, path: string, hostDst: string, o: fs.CopyOptions = {}): Promise<void> =>
  fs.copyFromContainer(engine.root, ref, path, hostDst, o);
export const copyToContainer = (engine: Engine, ref: string, hostSrc: string, path: string): Promise<void> => fs.copyToContainer(engine.root, ref, hostSrc, path);
export const tarFromContainer = (engine: Engine, ref: string, path: string, sink: (tar: Readable) => Promise<void>, o: fs.CopyOptions = {}): Promise<void> =>
  fs.tarFromContainer(engine.root, ref, path, sink, o);
export const untarIntoContainer = (engine: Engine, ref: string, path: string, tar: Readable): Promise<void> => fs.untarIntoContainer(engine.root, ref, path, tar);
