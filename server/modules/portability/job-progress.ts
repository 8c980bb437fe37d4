import type { Logger } from 'pino';
import type { JobProgress } from '../../../shared/api/portability.ts';
import type { Db } from '../../db/database.ts';

// Sockets hear of progress a few times a second; the row (what GET and other processes see,
// and the heartbeat) is written about once a second. Phase changes go out at once.
const EMIT_EVERY_MS = 200;
const WRITE_EVERY_MS = 1_000;

/**
 * Throttled progress of one job: `report(p)` is cheap to call per file or per entry. `emit`
 * sends the job's presenter output to its requester; the row is written with a fresh heartbeat.
 */
export function progressTracker(options: { db: Db; logger: Logger; jobId: string; workerId: string; emit: (progress: JobProgress) => void }) {
  const { db, logger, jobId, workerId } = options;
  let lastEmit = 0;
  let lastWrite = 0;
  let lastPhase = '';
  let latest: JobProgress | null = null;
  let writing: Promise<unknown> = Promise.resolve();

  function write(progress: JobProgress) {
    writing = writing
      .then(() =>
        db
          .updateTable('portabilityJobs')
          .set({ progress: JSON.stringify(progress), heartbeatAt: new Date(), updatedAt: new Date() })
          .where('id', '=', jobId)
          .where('worker', '=', workerId)
          .execute(),
      )
      .catch((err: unknown) => logger.warn({ err, jobId }, 'could not record job progress'));
  }

  return {
    report(progress: JobProgress) {
      latest = progress;
      const now = Date.now();
      const newPhase = progress.phase !== lastPhase;
      lastPhase = progress.phase;
      if (newPhase || now - lastEmit >= EMIT_EVERY_MS) {
        lastEmit = now;
        options.emit(progress);
      }
      if (newPhase || now - lastWrite >= WRITE_EVERY_MS) {
        lastWrite = now;
        write(progress);
      }
    },
    get latest() {
      return latest;
    },
    /** Waits for the progress writes in flight, so that the final state is written after them. */
    settle: () => writing,
  };
}
