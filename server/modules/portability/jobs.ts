import { sql, type Selectable } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import type { PortabilityJobsTable } from '../../db/schema.ts';

export type JobRow = Selectable<PortabilityJobsTable>;

export interface JobRunnerOptions {
  db: Db;
  logger: Logger;
  /** The blob store's identity: only jobs whose files live there are taken (see the migration). */
  store: string;
  /** This process, as written into `worker` of the jobs it runs. */
  workerId: string;
  /**
   * Runs one claimed job to its end and writes its final state (done / failed) itself, guarded
   * by `worker = workerId`. When `signal` aborts it stops, cleans up what it wrote under its own
   * claim, and throws: on shutdown the runner puts the job back in the queue for another process or
   * the next start; when the claim was lost (reason `ClaimLost`) it leaves the job to its new owner.
   */
  run(job: JobRow, signal: AbortSignal): Promise<void>;
  /** A job that was taken too often (it keeps killing its process, say) is failed instead of run. */
  giveUp(job: JobRow): Promise<void>;
  concurrency?: number;
  /** How soon to look again after a look that found work; each look that finds none doubles the wait, up to `maxPollMs`. */
  pollMs?: number;
  maxPollMs?: number;
  heartbeatMs?: number;
  /** A running job whose heartbeat is older than this was left by a dead process and is taken again. */
  staleMs?: number;
  maxAttempts?: number;
}

export interface JobRunner {
  /** Looks for work now (after a job was queued) instead of at the next poll. */
  kick(): void;
  /** Claims and starts what there is room for; resolves once the claims are made (not when the jobs end). */
  fill(): Promise<number>;
  /** Resolves when every job this process is running has ended (tests, CLI). */
  idle(): Promise<void>;
  /** Graceful stop: no new claims, running jobs are aborted and re-queued. */
  stop(): Promise<void>;
}

/** The reason a job's signal aborts when its heartbeat found that the job is no longer this process's to run. */
export class ClaimLost extends Error {
  constructor(jobId: string) {
    super(`Job ${jobId} is no longer claimed by this process (taken over by another, or deleted).`);
    this.name = 'ClaimLost';
  }
}

const JOB_DEFAULTS = { concurrency: 2, pollMs: 2_000, maxPollMs: 30_000, heartbeatMs: 5_000, staleMs: 60_000, maxAttempts: 3 } as const;

/**
 * Jobs claimed from the database with `for update skip locked`: any number of server processes
 * share the queue, each job runs in exactly one of them, and a job whose process died (its
 * heartbeat went stale) is claimed again. Jobs are idempotent by construction (an export writes
 * its archive under the job's own key; an import skips what is already there), so running one
 * again after a crash is safe.
 *
 * This process kicks its runner whenever it queues a job or one ends, so the poll is only for work
 * from elsewhere (a job queued by a busy process, one left stale by a dead one): an idle process
 * backs off to one look every `maxPollMs` instead of a claim transaction every `pollMs`.
 */
export function jobRunner(options: JobRunnerOptions): JobRunner {
  const { db, logger, store, workerId } = options;
  const concurrency = options.concurrency ?? JOB_DEFAULTS.concurrency;
  const heartbeatMs = options.heartbeatMs ?? JOB_DEFAULTS.heartbeatMs;
  const staleMs = options.staleMs ?? JOB_DEFAULTS.staleMs;
  const maxAttempts = options.maxAttempts ?? JOB_DEFAULTS.maxAttempts;
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  let stopped = false;
  let filling: Promise<number> | null = null;
  let again = false;
  const pollMs = options.pollMs ?? JOB_DEFAULTS.pollMs;
  const maxPollMs = Math.max(pollMs, options.maxPollMs ?? JOB_DEFAULTS.maxPollMs);
  let nextPollMs = pollMs;
  let poll: NodeJS.Timeout | undefined;

  /** The next look: soon after finding work, later and later while there is none. */
  function schedulePoll(foundWork: boolean): void {
    if (stopped) return;
    nextPollMs = foundWork ? pollMs : Math.min(nextPollMs * 2, maxPollMs);
    clearTimeout(poll);
    poll = setTimeout(() => void fill(), nextPollMs);
    poll.unref();
  }
  poll = setTimeout(() => void fill(), pollMs);
  poll.unref();

  async function claim(): Promise<JobRow | null> {
    return db.transaction().execute(async (trx) => {
      const staleBefore = new Date(Date.now() - staleMs);
      const next = await trx
        .selectFrom('portabilityJobs')
        .select('id')
        .where('store', '=', store)
        .where((eb) => eb.or([eb('status', '=', 'queued'), eb.and([eb('status', '=', 'running'), eb('heartbeatAt', '<', staleBefore)])]))
        .orderBy('createdAt')
        .limit(1)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!next) return null;
      return trx
        .updateTable('portabilityJobs')
        .set({ status: 'running', worker: workerId, heartbeatAt: new Date(), attempts: sql<number>`attempts + 1`, updatedAt: new Date() })
        .where('id', '=', next.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  /** Back in the queue, unless another process has taken it meanwhile or it has ended. */
  async function requeue(jobId: string): Promise<void> {
    await db
      .updateTable('portabilityJobs')
      .set({ status: 'queued', worker: null, heartbeatAt: null, updatedAt: new Date() })
      .where('id', '=', jobId)
      .where('worker', '=', workerId)
      .where('status', '=', 'running')
      .execute();
  }

  function start(job: JobRow): void {
    const controller = new AbortController();
    // The heartbeat is also the check that the claim still holds: a beat that finds no row of ours
    // (another process took the job over, believing this one dead, or the job was deleted) stops the
    // job at once, so that it writes nothing more and leaves the job to whoever holds it now.
    const beat = setInterval(() => {
      db.updateTable('portabilityJobs')
        .set({ heartbeatAt: new Date() })
        .where('id', '=', job.id)
        .where('worker', '=', workerId)
        .where('status', '=', 'running')
        .executeTakeFirst()
        .then((updated) => {
          if (Number(updated.numUpdatedRows) > 0 || controller.signal.aborted || !running.has(job.id)) return;
          logger.warn({ jobId: job.id, kind: job.kind }, 'job claim lost (taken over or deleted); stopping it');
          controller.abort(new ClaimLost(job.id));
        })
        .catch((err: unknown) => logger.warn({ err, jobId: job.id }, 'job heartbeat failed'));
    }, heartbeatMs);
    beat.unref();
    const done = (async () => {
      try {
        if (job.attempts > maxAttempts) await options.giveUp(job);
        else await options.run(job, controller.signal);
      } catch (err) {
        if (controller.signal.reason instanceof ClaimLost) {
          // Not ours any more: no re-queue, no failure written; the process that holds it finishes it.
          logger.info({ jobId: job.id, kind: job.kind }, 'job stopped after losing its claim');
        } else if (controller.signal.aborted) {
          await requeue(job.id).catch((e: unknown) => logger.error({ err: e, jobId: job.id }, 'could not re-queue a job'));
          logger.info({ jobId: job.id, kind: job.kind }, 'job stopped for shutdown and re-queued');
        } else {
          // The job functions record their own failures; this is a bug or a lost database.
          logger.error({ err, jobId: job.id, kind: job.kind }, 'job failed unexpectedly');
        }
      } finally {
        clearInterval(beat);
        running.delete(job.id);
        if (!stopped) kick();
      }
    })();
    running.set(job.id, { controller, done });
  }

  async function fillOnce(): Promise<number> {
    let started = 0;
    while (!stopped && running.size < concurrency) {
      const job = await claim();
      if (!job) break;
      logger.info({ jobId: job.id, kind: job.kind, attempt: job.attempts }, 'job started');
      start(job);
      started++;
    }
    return started;
  }

  function fill(): Promise<number> {
    if (stopped) return Promise.resolve(0);
    if (filling) {
      again = true;
      return filling;
    }
    filling = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          total += await fillOnce();
        } while (again && !stopped);
      } catch (err) {
        if (!stopped) logger.warn({ err }, 'could not claim jobs');
      } finally {
        filling = null;
        schedulePoll(total > 0 || running.size > 0);
      }
      return total;
    })();
    return filling;
  }

  function kick(): void {
    void fill();
  }

  return {
    kick,
    fill,
    async idle() {
      while (running.size > 0 || filling) {
        await Promise.all([filling, ...[...running.values()].map((r) => r.done)]);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(poll);
      await filling;
      for (const { controller } of running.values()) controller.abort(new Error('The server is shutting down.'));
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
