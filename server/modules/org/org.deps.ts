import type { Db } from '../../db/database.ts';
import type { SessionEndReason } from '../../../shared/realtime.ts';
import type { Notifier } from '../../realtime/notifier.ts';

export interface OrgDeps {
  db: Db;
  notifier: Notifier;
  /** Ends every session of a user (owned by the auth module; passed in to keep modules apart). */
  endUserSessions(userId: string, reason: SessionEndReason): Promise<void>;
  /**
   * Forgets cached sessions in every process, for a change of who may see what made outside a signed-in
   * request (a sweep), or to be sure before the request's own forget (server/auth/session-cache-sync.ts).
   * Without it (tools, some tests) the cache forgets within SESSION_CACHE_MS.
   */
  forgetSessions?: (() => void) | undefined;
}
