/**
 * `rmi` and `image prune` with Docker's rules: a name untags (and deletes only when it
 * was the last reference); an ID deletes; children and containers block deletion with
 * Docker's conflict wording; parents left unnamed and childless are pruned too.
 */
import type { ImageStore } from '../../image/store.js';
import { WharfError, notFound } from '../../core/errors.js';
import { parseReference } from '../../core/reference.js';
import { shortId, type Digest } from '../../core/digest.js';

export interface ContainerUser {
  id: string;
  running: boolean;
}
export type UsageLookup = (imageId: string) => ContainerUser[];

export type DeleteRecord = { Untagged: string } | { Deleted: string };

const CHILD = 1;
const RUNNING = 2;
const REFERENCED = 4;
const STOPPED = 8;
const HARD = CHILD | RUNNING;
const SOFT = REFERENCED | STOPPED;

interface Conflict {
  hard: boolean;
  used: boolean;
  message: string;
}

function conflictError(id: string, c: Conflict): WharfError {
  return new WharfError('CONFLICT', `conflict: unable to delete ${shortId(id)} (${c.hard ? 'cannot be forced' : 'must be forced'}) - ${c.message}`);
}

export class ImageDeleter {
  constructor(
    private readonly store: ImageStore,
    private readonly usage: UsageLookup,
    /** Called (after commit) for each layer chain no image uses any more. */
    private readonly chainRemoved: (chainId: string) => void = () => undefined,
  ) {}

  /** One `rmi` argument, as one transaction: a killed rmi leaves all of it or none. */
  remove(imageRef: string, opts: { force?: boolean; prune?: boolean } = {}): DeleteRecord[] {
    return this.store.transaction(() => this.removeInTransaction(imageRef, opts));
  }

  private removeInTransaction(imageRef: string, opts: { force?: boolean; prune?: boolean }): DeleteRecord[] {
    const force = opts.force ?? false;
    const prune = opts.prune ?? true;
    const id = this.store.resolveId(imageRef);
    if (!id) throw notFound(`No such image: ${imageRef}`);
    const records: DeleteRecord[] = [];
    let refs = this.store.refsOf(id);
    let quiet = false;
    if (!isIdPrefix(id, imageRef)) {
      const user = this.usage(id)[0];
      if (user && refs.length === 1 && !force) {
        throw new WharfError(
          'CONFLICT',
          `conflict: unable to remove repository reference "${imageRef}" (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(id)}`,
        );
      }
      const parsed = parseReference(imageRef);
      const ref = parsed.digest ? parsed : parsed.withDefaultTag();
      this.store.removeRef(ref);
      records.push({ Untagged: ref.familiarString() });
      refs = this.store.refsOf(id);
      if (!ref.digest && !refs.some((r) => !r.digest && r.name === ref.name)) {
        // The last tag of this repository went: its digest references go with it.
        for (const r of refs.filter((r) => r.digest && r.name === ref.name)) {
          this.store.removeRef(r);
          records.push({ Untagged: r.familiarString() });
        }
        refs = this.store.refsOf(id);
      }
      if (refs.length > 0) return records;
      quiet = true;
    } else if (isSingleRepository(refs)) {
      const conflict = this.conflict(id, force ? HARD : HARD | (SOFT & ~REFERENCED));
      if (conflict) throw conflictError(id, conflict);
      for (const r of refs) {
        this.store.removeRef(r);
        records.push({ Untagged: r.familiarString() });
      }
    }
    this.deleteHelper(id, records, force, prune, quiet);
    return records;
  }

  private deleteHelper(id: Digest, records: DeleteRecord[], force: boolean, prune: boolean, quiet: boolean): void {
    const conflict = this.conflict(id, force ? HARD : HARD | SOFT);
    if (conflict) {
      if (quiet && (!this.isDangling(id) || conflict.used)) return;
      throw conflictError(id, conflict);
    }
    const parent = this.store.record(id).parent;
    for (const r of this.store.refsOf(id)) {
      this.store.removeRef(r);
      records.push({ Untagged: r.familiarString() });
    }
    const removedChains = this.store.deleteImageRecord(id);
    records.push({ Deleted: id });
    for (const c of removedChains) {
      records.push({ Deleted: c });
      this.store.afterCommit(() => this.chainRemoved(c));
    }
    if (prune && parent && this.store.exists(parent)) this.deleteHelper(parent as Digest, records, false, true, true);
  }

  /** Docker's imageIsDangling: no references and no children (an intermediate image is not dangling). */
  private isDangling(id: string): boolean {
    return this.store.refsOf(id).length === 0 && this.store.children(id).length === 0;
  }

  private conflict(id: string, mask: number): Conflict | undefined {
    if (mask & CHILD && this.store.children(id).length > 0) return { hard: true, used: false, message: 'image has dependent child images' };
    const users = this.usage(id);
    const running = users.find((u) => u.running);
    if (mask & RUNNING && running) return { hard: true, used: true, message: `image is being used by running container ${shortId(running.id)}` };
    if (mask & REFERENCED && this.store.refsOf(id).length > 0) return { hard: false, used: false, message: 'image is referenced in multiple repositories' };
    const stopped = users.find((u) => !u.running);
    if (mask & STOPPED && stopped) return { hard: false, used: true, message: `image is being used by stopped container ${shortId(stopped.id)}` };
    return undefined;
  }
}

function isIdPrefix(id: string, candidate: string): boolean {
  return id.startsWith(candidate) || id.slice('sha256:'.length).startsWith(candidate);
}

/** At most one tag, and every reference within one repository. */
function isSingleRepository(refs: ReturnType<ImageStore['refsOf']>): boolean {
  if (refs.filter((r) => !r.digest).length > 1) return false;
  return new Set(refs.map((r) => r.name)).size <= 1;
}
