import type { Logger } from 'pino';
import type { SessionEndReason } from '../../../shared/realtime.ts';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { rosterLimits } from './roster-csv.ts';
import { rosterRoutes, rosterUpload } from './rosters.routes.ts';
import { rostersService } from './rosters.service.ts';

/** Roster import (issue 11 §2): the service and its routes; uploads are bounded by the roster's own limit (roster-csv.ts). */
export function rostersModule(options: {
  db: Db;
  notifier: Notifier;
  logger: Logger;
  config: Pick<Config, 'media' | 'portability'>;
  endUserSessions(userId: string, reason: SessionEndReason): Promise<void>;
  /** Guardian links the roster ended take effect as every ended link does (cached sessions, open pages); the CLI has none to tell. */
  guardianLinksEnded?(links: ReadonlyArray<{ guardianId: string; pupilId: string }>): Promise<void>;
}) {
  const { config } = options;
  const limits = rosterLimits(config.portability.importMaxBytes);
  const service = rostersService({ ...options, limits, retentionMs: config.portability.retentionMs });
  const upload = rosterUpload({ tmpDir: config.media.tmpDir, maxFileBytes: limits.zip.maxArchiveBytes, maxFiles: 1, fieldName: 'file' }, service);
  return { service, routes: rosterRoutes({ rosters: service, upload }) };
}
