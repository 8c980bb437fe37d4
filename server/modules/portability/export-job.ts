import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { blobKey } from '../../storage/blob-store.ts';
import type { ArchiveContents } from './export/export-archive.ts';
import { noteBlobKeys } from '../../storage/noted-blob-store.ts';
import { writeExportArchive } from './engine.ts';
import { deleteNoted, fail, markDone, startRunning } from './job-lifecycle.ts';
import type { JobRow } from './jobs.ts';
import type { PortabilityDeps } from './portability.deps.ts';
import { loadJob, presentExport } from './portability.repo.ts';

const NOTE_REFRESH_MS = 10 * 60_000;

/**
 * Runs one export: the archive streams straight into the blob store under a key of this claim's own
 * (never a whole file in memory or on disk). The key waits in pending_blobs until the row points
 * at it, so a crash mid-way leaves nothing the orphan sweeper does not find.
 *
 * Each claim (attempt) writes its own key: a process that lost its claim, but has not noticed yet,
 * never overwrites or deletes the archive of the process that took the job over, and deletes only
 * what it wrote itself.
 */
export async function runExportJob(deps: PortabilityDeps, job: JobRow, signal: AbortSignal): Promise<void> {
  const { db, blobs, notifier, logger, workerId } = deps;
  const view = await loadJob(db, job.id, 'export');
  if (!view || !job.pupilId) return;
  const announce = (event: 'export.progress' | 'export.finished' | 'export.failed') => notifier.toUser(job.requestedBy, event, presentExport(view));
  const progress = startRunning({ db, logger, workerId, view, announce: () => announce('export.progress') });
  const key = blobKey('export', job.id, `a${job.attempts}`);
  await noteBlobKeys(db, [key]);
  // The orphan sweeper takes notes older than an hour; a very large export keeps its note young.
  const keepNote = setInterval(() => {
    sql`update pending_blobs set created_at = now() where key = ${key}`.execute(db).catch(() => undefined);
  }, NOTE_REFRESH_MS);
  keepNote.unref();

  // The store and the archive writer stop each other: a failed upload aborts the writer, a failed
  // writer destroys the stream the upload reads.
  const storeFailed = new AbortController();
  const body = new PassThrough();
  // The writer destroys `body` with its error when it fails or is stopped, possibly before the store
  // has started reading it (it makes its folder first): that error is the writer's to report, and an
  // unheard 'error' event would take the whole process down.
  body.on('error', () => undefined);
  const stored = deps.blobs.putStream(key, body, { contentType: 'application/zip' });
  stored.catch((err: unknown) => storeFailed.abort(err));
  let entries: number;
  let included: ArchiveContents | undefined;
  try {
    const written = await writeExportArchive(
      {
        db,
        blobs,
        pupilId: job.pupilId,
        scope: job.scope ?? 'full',
        locale: job.locale,
        signal: AbortSignal.any([signal, storeFailed.signal]),
        onProgress: (p) => progress.report(p),
      },
      body,
    );
    if (!body.writableEnded) body.end();
    await stored;
    entries = written.entries;
    // A guardian's archive is only good while everything in it is still shared (checked at download).
    if ((job.scope ?? 'full') === 'shared') included = written.included;
  } catch (err) {
    clearInterval(keepNote);
    body.destroy();
    await stored.catch(() => undefined);
    // A blob that will have no row: deleted now, or by the orphan sweeper that follows the note.
    await deleteNoted(db, blobs, key).catch((e: unknown) => logger.warn({ err: e, key }, 'could not delete a partial archive; the orphan sweeper will'));
    await progress.settle();
    if (signal.aborted) throw err;
    logger.error({ err, jobId: job.id }, 'export failed');
    if (!(await fail(db, workerId, job.id, { code: 'export_failed', message: 'The export could not be completed. Please try again.' }))) return;
    const failed = await loadJob(db, job.id, 'export');
    if (failed) notifier.toUser(job.requestedBy, 'export.failed', presentExport(failed));
    return;
  }

  clearInterval(keepNote);
  await progress.settle();
  const info = await blobs.head(key);
  const claimed = await db.transaction().execute(async (trx) => {
    const updated = await markDone(
      trx,
      { id: job.id, workerId, retentionMs: deps.retentionMs },
      {
        blobKey: key,
        size: info?.size ?? null,
        result: JSON.stringify({ entries, ...(included ? { included } : {}) }),
        progress: JSON.stringify({ ...(progress.latest ?? { phase: 'finishing', done: 1, total: 1 }), done: progress.latest?.total ?? 1 }),
      },
    );
    if (!updated) return false;
    await trx.deleteFrom('pendingBlobs').where('key', '=', key).execute();
    return true;
  });
  // Another process took the job over (we looked dead to it), or the job was deleted: the row is not
  // ours to finish. The archive under this claim's key is ours alone and goes (or the sweeper follows its note).
  if (!claimed) {
    logger.warn({ jobId: job.id }, 'export finished after losing its claim; its archive is discarded and the job left to the process that holds it');
    await deleteNoted(db, blobs, key).catch((e: unknown) => logger.warn({ err: e, key }, 'could not delete an unclaimed archive; the orphan sweeper will'));
    return;
  }
  const done = await loadJob(db, job.id, 'export');
  if (done) notifier.toUser(job.requestedBy, 'export.finished', presentExport(done));
}
