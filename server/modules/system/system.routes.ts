import { Router } from 'express';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../../db/database.ts';
import type { BlobStore } from '../../storage/blob-store.ts';

const READY_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

/** /healthz: the process is up. /readyz: the database and media storage answer, so traffic may come. */
export function healthRouter(database: DatabaseHandle, blobs: BlobStore, logger: Logger): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [db, storage] = await Promise.allSettled([withTimeout(database.ping(), READY_TIMEOUT_MS), withTimeout(blobs.ping(), READY_TIMEOUT_MS)]);
    const checks = { database: db.status === 'fulfilled' ? 'ok' : 'failing', storage: storage.status === 'fulfilled' ? 'ok' : 'failing' };
    const ready = db.status === 'fulfilled' && storage.status === 'fulfilled';
    if (!ready)
      logger.warn(
        { database: db.status === 'rejected' ? String(db.reason) : 'ok', storage: storage.status === 'rejected' ? String(storage.reason) : 'ok' },
        'not ready',
      );
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
