import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import type { ImportLimits } from './engine.ts';

/** What the export and import jobs, the service and the routes share. */
export interface PortabilityDeps {
  db: Db;
  blobs: BlobStore;
  notifier: Notifier;
  logger: Logger;
  /** Media processing settings for imported files (the same pipeline as uploads). */
  media: Config['media'];
  /** How long finished jobs (and their archives) are kept. */
  retentionMs: number;
  limits: ImportLimits;
  /** The blob store's identity, which scopes the job queue (see jobs.ts). */
  store: string;
  /** This process in the jobs' `worker` column. */
  workerId: string;
}

/** One name per blob store: processes that share it share the job queue. */
export function storeIdentity(storage: Config['storage']): string {
  return storage.kind === 'local' ? `local:${storage.dir}` : `s3:${storage.endpoint ?? 'aws'}/${storage.bucket}`;
}
