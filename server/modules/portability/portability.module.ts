import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { DEFAULT_IMPORT_LIMITS } from './engine.ts';
import { runExportJob } from './export-job.ts';
import { runImportJob } from './import-job.ts';
import { fail } from './job-lifecycle.ts';
import { jobRunner } from './jobs.ts';
import { storeIdentity, type PortabilityDeps } from './portability.deps.ts';
import { loadJob, presentExport, presentImport } from './portability.repo.ts';
import { importUpload, portabilityRoutes } from './portability.routes.ts';
import { portabilityService } from './portability.service.ts';

export interface PortabilityModuleOptions {
  db: Db;
  blobs: BlobStore;
  notifier: Notifier;
  logger: Logger;
  config: Pick<Config, 'media' | 'portability' | 'storage'>;
}

/** Export and import: the service, its routes, and the job runner that this process contributes to the shared queue. */
export function portabilityModule(options: PortabilityModuleOptions) {
  const { db, blobs, notifier, logger, config } = options;
  const deps: PortabilityDeps = {
    db,
    blobs,
    notifier,
    logger,
    media: config.media,
    retentionMs: config.portability.retentionMs,
    // The upload limit is the configured one; the importer's other limits are its own defaults.
    limits: { ...DEFAULT_IMPORT_LIMITS, maxArchiveBytes: config.portability.importMaxBytes },
    store: storeIdentity(config.storage),
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  };
  const runner = jobRunner({
    db,
    logger,
    store: deps.store,
    workerId: deps.workerId,
    run: (job, signal) => (job.kind === 'export' ? runExportJob(deps, job, signal) : runImportJob(deps, job, signal)),
    async giveUp(job) {
      if (!(await fail(db, deps.workerId, job.id, { code: 'interrupted', message: 'The job was interrupted too many times. Please start it again.' }))) return;
      const view = await loadJob(db, job.id, job.kind);
      if (!view) return;
      if (job.kind === 'export') notifier.toUser(job.requestedBy, 'export.failed', presentExport(view));
      else notifier.toUser(job.requestedBy, 'import.failed', presentImport(view));
    },
  });
  const service = portabilityService(deps, runner);
  const upload = importUpload({ tmpDir: config.media.tmpDir, maxFileBytes: config.portability.importMaxBytes, maxFiles: 1, fieldName: 'file' }, service);
  return { deps, runner, service, routes: portabilityRoutes({ portability: service, upload }) };
}
