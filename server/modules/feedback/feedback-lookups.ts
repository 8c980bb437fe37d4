import type { Db } from '../../db/database.ts';

/** Which of these feedback messages still exist (a notification of a deleted message is not shown). */
export async function existingFeedbackIds(db: Db, feedbackIds: readonly string[]): Promise<Set<string>> {
  const ids = [...new Set(feedbackIds)];
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('feedback').select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}
