import type { Db } from '../../db/database.ts';
import { BadRequest } from '../../http/errors.ts';

/**
 * Links feedback to the version of the pupil's work that answers it (issue 10 §4), inside the save's
 * transaction: only messages on this artefact, by someone other than its owner, not answered yet.
 * The caller has checked that the actor may answer (policy `feedback.answer`).
 */
export async function linkAnswers(trx: Db, input: { artefactId: string; ownerId: string; version: number; feedbackIds: readonly string[] }): Promise<void> {
  const ids = [...new Set(input.feedbackIds)];
  if (ids.length === 0) return;
  const updated = await trx
    .updateTable('feedback')
    .set({ answeredVersion: input.version, answeredAt: new Date() })
    .where('id', 'in', ids)
    .where('artefactId', '=', input.artefactId)
    .where('answeredVersion', 'is', null)
    .where((eb) => eb.or([eb('authorId', 'is', null), eb('authorId', '!=', input.ownerId)]))
    .returning('id')
    .execute();
  if (updated.length !== ids.length)
    throw new BadRequest('Some of the feedback you chose is not on this work, is your own, or was already answered.', [
      { path: 'body.answersFeedbackIds', message: 'must be unanswered feedback on this artefact' },
    ]);
}

/** Which feedback each version of an artefact answered: for its history. */
export async function answersByVersion(db: Db, artefactId: string): Promise<Map<number, { id: string; body: string; revise: boolean }[]>> {
  const rows = await db
    .selectFrom('feedback')
    .select(['id', 'body', 'revise', 'answeredVersion'])
    .where('artefactId', '=', artefactId)
    .where('answeredVersion', 'is not', null)
    .orderBy('createdAt')
    .execute();
  const byVersion = new Map<number, { id: string; body: string; revise: boolean }[]>();
  for (const r of rows) {
    if (r.answeredVersion === null) continue;
    const list = byVersion.get(r.answeredVersion) ?? [];
    list.push({ id: r.id, body: r.body, revise: r.revise });
    byVersion.set(r.answeredVersion, list);
  }
  return byVersion;
}
