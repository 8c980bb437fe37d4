import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ImportRejected } from './import-rejected.ts';
import type { ImportRejectedCode } from './import-rejected.ts';
import { type ParseResult, type ParseTask, runParseTask } from './parse-tasks.ts';

/**
 * Reading an import (XML into a tree, portfolio.json against its schema, sanitising its HTML) is
 * CPU work proportional to what a user uploaded: done on the event loop, one large or hostile file
 * stalls every request of the process. So it runs here, in a small pool of worker threads.
 *
 * Bounded: at most MAX_WORKERS threads, tasks beyond that wait in line (the job runner bounds how
 * many imports run at once). Each thread has a heap limit, so a file that would need more memory
 * ends its thread, not the server. Idle threads are unref'd: they never keep a process alive.
 */
const MAX_WORKERS = Math.max(1, Math.min(2, os.availableParallelism() - 1));
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 1536 };
/** Sanitising a few small bodies costs less than a message round trip: done in place. */
const INLINE_SANITIZE_CHARS = 64 * 1024;

interface Job {
  task: ParseTask;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

type Reply =
  | { ready: true }
  | { ready?: undefined; ok: true; value: unknown }
  | {
      ready?: undefined;
      ok: false;
      error: { rejected: true; code: ImportRejectedCode; params: Record<string, string | number>; message: string } | { rejected: false; message: string };
    };

const idle: Slot[] = [];
const queue: Job[] = [];
let running = 0;

/** Runs `task` on a pool thread; an ImportRejected there is an ImportRejected here. */
export function parseOffThread<T extends ParseTask>(task: T): Promise<ParseResult<T>> {
  return new Promise<ParseResult<T>>((resolve, reject) => {
    queue.push({ task, resolve: resolve as (value: unknown) => void, reject });
    pump();
  });
}

/** Sanitised rich text for each of `html`, off the event loop unless the whole is small. */
export async function sanitizeOffThread(html: string[]): Promise<string[]> {
  const total = html.reduce((sum, h) => sum + h.length, 0);
  if (total <= INLINE_SANITIZE_CHARS) return runParseTask({ kind: 'sanitize', html }) as string[];
  return parseOffThread({ kind: 'sanitize', html });
}

function pump(): void {
  while (queue.length > 0) {
    const slot = idle.pop() ?? (running < MAX_WORKERS ? spawn() : undefined);
    if (!slot) return;
    const job = queue.shift();
    if (!job) {
      park(slot);
      return;
    }
    slot.job = job;
    slot.worker.ref();
    slot.worker.postMessage({ task: job.task });
  }
}

function park(slot: Slot): void {
  slot.job = null;
  slot.worker.unref();
  idle.push(slot);
}

function spawn(): Slot {
  running += 1;
  const worker = new Worker(new URL('./parse-worker.mjs', import.meta.url), { resourceLimits: RESOURCE_LIMITS });
  const slot: Slot = { worker, job: null };
  worker.on('message', (reply: Reply) => {
    if (reply.ready) return;
    const job = slot.job;
    if (!job) return;
    if (reply.ok) job.resolve(reply.value);
    else job.reject(revive(reply.error));
    park(slot);
    pump();
  });
  // A thread that died (out of memory, or a bug) fails its task and leaves the pool; the next task starts a new one.
  let dead = false;
  const gone = (err: Error) => {
    if (dead) return;
    dead = true;
    running -= 1;
    const index = idle.indexOf(slot);
    if (index >= 0) idle.splice(index, 1);
    slot.job?.reject(err);
    slot.job = null;
    pump();
  };
  worker.on('error', gone);
  worker.on('exit', (code) => gone(new Error(`the import's parse thread stopped (exit code ${code})`)));
  return slot;
}

function revive(error: Extract<Reply, { ok: false }>['error']): Error {
  if (!error.rejected) return new Error(error.message);
  const err = new ImportRejected(error.code, error.params as never);
  err.message = error.message;
  return err;
}
