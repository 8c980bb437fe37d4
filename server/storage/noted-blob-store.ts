import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Db } from '../db/database.ts';
import type { BlobInfo, BlobStore, ByteRange, PutOptions, SignedUrlOptions } from './blob-store.ts';

/** This process, as written in pending_blobs.owner: a pid alone can come back after a restart (pid 1 in a container). */
export const PROCESS_OWNER = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/**
 * The blob store every writer uses: each key is noted in pending_blobs *before* its bytes are written,
 * so no crash can leave a blob (or a driver's partial temp file) that the sweeper does not know about.
 * The writer clears the note in the transaction that writes the row pointing at the blob; until
 * then the blob is pending, and a note whose process is gone, or which is old, is swept.
 */
export class NotedBlobStore implements BlobStore {
  constructor(
    readonly inner: BlobStore,
    private readonly db: Db,
  ) {}

  get kind() {
    return this.inner.kind;
  }

  async putStream(key: string, body: Readable, options: PutOptions): Promise<BlobInfo> {
    try {
      await this.db
        .insertInto('pendingBlobs')
        .values({ key, owner: PROCESS_OWNER })
        .onConflict((oc) => oc.column('key').doUpdateSet({ owner: PROCESS_OWNER }))
        .execute();
    } catch (err) {
      body.destroy();
      throw err;
    }
    return this.inner.putStream(key, body, options);
  }

  getStream(key: string, range?: ByteRange): Promise<Readable> {
    return this.inner.getStream(key, range);
  }
  head(key: string): Promise<BlobInfo | null> {
    return this.inner.head(key);
  }
  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
  signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    return this.inner.signedUrl(key, options);
  }
  ping(): Promise<void> {
    return this.inner.ping();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** True when `owner` names a process on this host that no longer runs (or an earlier life of this pid). */
export function ownerIsGone(owner: string, self = PROCESS_OWNER): boolean {
  const [host, pidText] = owner.split(':');
  const [selfHost, selfPid] = self.split(':');
  if (host !== selfHost || !pidText) return false;
  const pid = Number(pidText);
  if (String(pid) === selfPid) return owner !== self;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/**
 * Blobs noted by processes of this host that died: deleted with their notes, at once (their writer
 * can no longer claim them). Run at start, before this process takes any job over.
 */
export async function sweepDeadWriters(db: Db, blobs: BlobStore, logger: Logger): Promise<number> {
  const rows = await db.selectFrom('pendingBlobs').select(['key', 'owner']).where('owner', 'is not', null).execute();
  let deleted = 0;
  for (const { key, owner } of rows) {
    if (!owner || !ownerIsGone(owner)) continue;
    try {
      await blobs.delete(key);
      await db.deleteFrom('pendingBlobs').where('key', '=', key).where('owner', '=', owner).execute();
      deleted++;
    } catch (err) {
      logger.warn({ err, key }, 'could not delete a blob left by a stopped process; will retry');
    }
  }
  return deleted;
}

/**
 * Notes keys in `pending_blobs` (in the caller's transaction when it passes one): until a row claims
 * them, the sweeps treat them as leftovers. A key already noted stays as it is.
 */
export async function noteBlobKeys(db: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await db
    .insertInto('pendingBlobs')
    .values(keys.map((key) => ({ key })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}
