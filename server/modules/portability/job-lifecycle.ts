import type { Updateable } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import type { PortabilityJobsTable } from '../../db/schema.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { progressTracker } from './job-progress.ts';
import type { JobView } from './portability.repo.ts';

/**
 * The steps every claimed export or import job goes through: announced as running with live
 * progress, then done (only while this worker still holds the claim) or failed.
 */

/** Marks the job's view running, announces it, and returns a tracker whose every emitted step updates the view and is announced. */
export function startRunning(options: { db: Db; logger: Logger; workerId: string; view: JobView; announce: () => void }) {
  const { view, announce } = options;
  view.row = { ...view.row, status: 'running' };
  announce();
  return progressTracker({
    db: options.db,
    logger: options.logger,
    jobId: view.row.id,
    workerId: options.workerId,
    emit: (p) => {
      view.row = { ...view.row, progress: p };
      announce();
    },
  });
}

/**
 * Marks the job done with its results, kept for `retentionMs`. False when this worker no longer holds
 * the claim (another process took the job over, or it was deleted): the row is then not ours to finish.
 */
export async function markDone(
  trx: Db,
  job: { id: string; workerId: string; retentionMs: number },
  results: Omit<Updateable<PortabilityJobsTable>, 'status' | 'finishedAt' | 'expiresAt' | 'updatedAt' | 'worker' | 'heartbeatAt'>,
): Promise<boolean> {
  const finishedAt = new Date();
  const updated = await trx
    .updateTable('portabilityJobs')
    .set({
      ...results,
      status: 'done',
      finishedAt,
      expiresAt: new Date(finishedAt.getTime() + job.retentionMs),
      updatedAt: finishedAt,
      worker: null,
      heartbeatAt: null,
    })
    .where('id', '=', job.id)
    .where('worker', '=', job.workerId)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Marks the job failed; with a `workerId`, only while that worker holds the claim. False when no row was ours to fail. */
export async function fail(db: Db, workerId: string | null, jobId: string, error: { code: string; message: string; params?: unknown }): Promise<boolean> {
  let query = db
    .updateTable('portabilityJobs')
    .set({ status: 'failed', error: JSON.stringify(error), finishedAt: new Date(), updatedAt: new Date(), worker: null, heartbeatAt: null })
    .where('id', '=', jobId);
  if (workerId) query = query.where('worker', '=', workerId).where('status', '=', 'running');
  const updated = await query.executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** Deletes a blob noted in pending_blobs, then its note: a failure leaves the note for the orphan sweeper. */
export async function deleteNoted(db: Db, blobs: BlobStore, key: string): Promise<void> {
  await blobs.delete(key);
  await db.deleteFrom('pendingBlobs').where('key', '=', key).execute();
}
