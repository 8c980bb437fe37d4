import type { Db } from '../../db/database.ts';
import type { SessionEndReason } from '../../../shared/realtime.ts';
import type { Notifier } from '../../realtime/notifier.ts';

export interface OrgDeps {
  db: Db;
  notifier: Notifier;
  /** Ends every session of a user (owned by the auth module; passed in to keep modules apart). */
  endUserSessions(userId: string, reason: SessionEndReason): Promise<void>;
}
