import type { Logger } from 'pino';
import { UNDO_DELETE_SECONDS } from '../../../shared/portfolio.ts';
import type { Db } from '../../db/database.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { noteBlobKeys } from '../../storage/noted-blob-store.ts';

const BATCH = 100;

/** Deletes blobs noted in pending_blobs (and the notes), one by one, so a failure leaves the note for next time. */
async function deleteNoted(db: Db, blobs: BlobStore, keys: readonly string[], logger: Logger): Promise<number> {
  let deleted = 0;
  for (const key of keys) {
    try {
      await blobs.delete(key);
      await db.deleteFrom('pendingBlobs').where('key', '=', key).execute();
      deleted++;
    } catch (err) {
      logger.warn({ err, key }, 'could not delete a blob; will retry');
    }
  }
  return deleted;
}

/**
 * Removes for good the artefacts deleted longer ago than the undo window, in batches until none is
 * left: each batch's rows in one transaction (their blob keys noted first), then its blobs. Safe to
 * run in several processes at once. Returns how many artefacts it purged (a blob that could not be
 * deleted yet stays noted for the sweeper).
 */
export async function purgeDeletedArtefacts(db: Db, blobs: BlobStore, logger: Logger, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - UNDO_DELETE_SECONDS * 1000);
  let total = 0;
  for (;;) {
    const purged = await purgeBatch(db, blobs, logger, cutoff);
    total += purged;
    if (purged < BATCH) return total;
  }
}

async function purgeBatch(db: Db, blobs: BlobStore, logger: Logger, cutoff: Date): Promise<number> {
  const { purged, keys } = await db.transaction().execute(async (trx) => {
    const doomed = await trx.selectFrom('artefacts').select('id').where('deletedAt', '<', cutoff).limit(BATCH).forUpdate().skipLocked().execute();
    if (doomed.length === 0) return { purged: 0, keys: [] };
    const ids = doomed.map((d) => d.id);
    const media = await trx.selectFrom('mediaItems').select('variants').where('artefactId', 'in', ids).execute();
    const noted = media.flatMap((m) => Object.values(m.variants)).filter((k): k is string => typeof k === 'string');
    await noteBlobKeys(trx, noted);
    const deleted = await trx.deleteFrom('artefacts').where('id', 'in', ids).executeTakeFirst();
    return { purged: Number(deleted.numDeletedRows), keys: noted };
  });
  await deleteNoted(db, blobs, keys, logger);
  return purged;
}

/** Blobs whose rows never came (a crash between storing and committing), older than `maxAgeMs`. */
export async function sweepOrphanBlobs(db: Db, blobs: BlobStore, logger: Logger, maxAgeMs: number): Promise<number> {
  const rows = await db
    .selectFrom('pendingBlobs')
    .select('key')
    .where('createdAt', '<', new Date(Date.now() - maxAgeMs))
    .limit(1000)
    .execute();
  return deleteNoted(
    db,
    blobs,
    rows.map((r) => r.key),
    logger,
  );
}
