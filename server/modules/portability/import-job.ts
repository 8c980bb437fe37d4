import { noteBlobKeys } from '../../storage/noted-blob-store.ts';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { importTargetSchema } from '../../../shared/api/portability.ts';
import { tempName } from '../../media/temp-files.ts';
import { applyImport, ImportRejected } from './engine.ts';
import { deleteNoted, fail, markDone, startRunning } from './job-lifecycle.ts';
import type { JobRow } from './jobs.ts';
import type { PortabilityDeps } from './portability.deps.ts';
import { loadJob, presentImport } from './portability.repo.ts';

/**
 * Applies one previewed import. The upload waits in the blob store (under a `tmp/` key) so that any
 * process sharing the store can run the job; it is copied to a local temp file because the ZIP reader
 * needs random access. The import writes media first and rows in one transaction, and skips what is
 * already there: running it again after a crash is safe.
 */
export async function runImportJob(deps: PortabilityDeps, job: JobRow, signal: AbortSignal): Promise<void> {
  const { db, blobs, notifier, logger, workerId } = deps;
  const view = await loadJob(db, job.id, 'import');
  const target = importTargetSchema.safeParse(job.target);
  if (!view || !job.blobKey || !target.success) {
    await fail(db, workerId, job.id, { code: 'import_failed', message: 'The uploaded file is no longer there. Please upload it again.' });
    return;
  }
  const announce = (event: 'import.progress') => notifier.toUser(job.requestedBy, event, presentImport(view));
  const progress = startRunning({ db, logger, workerId, view, announce: () => announce('import.progress') });

  const file = path.join(deps.media.tmpDir, tempName('import'));
  try {
    await mkdir(deps.media.tmpDir, { recursive: true });
    await pipeline(await blobs.getStream(job.blobKey), createWriteStream(file), { signal });
    const report = await applyImport({
      db,
      blobs,
      filePath: file,
      fileName: job.fileName,
      target: target.data,
      actorId: job.requestedBy,
      limits: deps.limits,
      media: deps.media,
      signal,
      onProgress: (p) => progress.report(p),
    });
    await progress.settle();
    const preview = (view.row.result as { preview?: unknown } | null)?.preview ?? null;
    const uploadKey = job.blobKey;
    const claimed = await db.transaction().execute(async (trx) => {
      const updated = await markDone(
        trx,
        { id: job.id, workerId, retentionMs: deps.retentionMs },
        {
          pupilId: report.pupilId,
          result: JSON.stringify({ preview, report }),
          progress: progress.latest ? JSON.stringify({ ...progress.latest, done: progress.latest.total }) : null,
          blobKey: null,
        },
      );
      if (!updated) return false;
      // The upload has served its purpose: noted here, deleted after the commit (or by the sweeper).
      await noteBlobKeys(trx, [uploadKey]);
      return true;
    });
    if (!claimed) return;
    await deleteNoted(db, blobs, uploadKey).catch((err: unknown) => logger.warn({ err, key: uploadKey }, 'could not delete an applied upload'));
    const done = await loadJob(db, job.id, 'import');
    if (done) notifier.toUser(job.requestedBy, 'import.finished', presentImport(done));
  } catch (err) {
    await progress.settle();
    if (signal.aborted) throw err;
    const error =
      err instanceof ImportRejected
        ? { code: err.code, message: err.message, params: err.params }
        : { code: 'import_failed', message: 'The import could not be completed; nothing was imported. Please try again.' };
    if (!(err instanceof ImportRejected)) logger.error({ err, jobId: job.id }, 'import failed');
    // Not ours to fail when another process holds the claim now.
    if (!(await fail(db, workerId, job.id, error))) return;
    const failed = await loadJob(db, job.id, 'import');
    if (failed) notifier.toUser(job.requestedBy, 'import.failed', presentImport(failed));
  } finally {
    await rm(file, { force: true });
  }
}
