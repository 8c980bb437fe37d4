import { sql } from 'kysely';
import {
  GUARDIAN_COMMENT_BURST,
  GUARDIAN_COMMENT_BURST_MINUTES,
  GUARDIAN_COMMENT_DAILY,
  GUARDIAN_REACTIONS,
  type CreateGuardianCommentRequest,
  type GuardianComment,
  type GuardianCommentState,
  type GuardianModerationList,
  type GuardianVoice,
  type SetGuardianReactionRequest,
} from '../../../shared/api/guardian-voice.ts';
import type { Actor } from '../../auth/actor.ts';
import { artefactAudience, authorize, can, guardianCommentAudience, seesGuardianComment, seesGuardianCommentAuthor } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { Conflict, NotFound, TooManyRequests } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { audienceFacts } from '../artefacts/artefacts.repo.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { recordNotifications, type RecordedNotifications } from '../notifications/notifications.service.ts';
import {
  commentResource,
  countedGuardianReactions,
  guardianCommentResources,
  guardianItemFacts,
  selectGuardianComments,
  voiceDb,
  type GuardianCommentRow,
  type GuardianItemFacts,
} from './guardian-voice.repo.ts';

export interface GuardianVoiceDeps {
  db: Db;
  notifier: Notifier;
}

type CommentResource = ReturnType<typeof commentResource>;

/** The presenter: the author's name only to those the policy lets see it (never to another guardian). */
function presentComment(actor: Actor, row: GuardianCommentRow, resource: CommentResource): GuardianComment {
  const named = row.authorId !== null && row.authorName !== null && seesGuardianCommentAuthor(actor, resource);
  return {
    id: row.id,
    artefactId: row.artefactId ?? '',
    author: named && row.authorId && row.authorName ? { id: row.authorId, displayName: row.authorName } : null,
    mine: row.authorId !== null && row.authorId === actor.id,
    body: row.body,
    state: row.state,
    createdAt: row.createdAt.toISOString(),
  };
}

export function guardianVoiceService({ db, notifier }: GuardianVoiceDeps) {
  async function item(
    actor: Actor,
    artefactId: string,
    action: 'guardianVoice.read' | 'guardianReaction.give' | 'guardianComment.create' = 'guardianVoice.read',
  ) {
    const facts = await guardianItemFacts(db, artefactId);
    if (!facts) throw new NotFound('The work');
    authorize(actor, action, facts.resource, 'The work');
    return facts;
  }

  async function commentFacts(actor: Actor, commentId: string, action: 'guardianComment.delete' | 'guardianComment.report' | 'guardianComment.moderate') {
    const row = await selectGuardianComments(db).where('c.id', '=', commentId).executeTakeFirst();
    const facts = row?.artefactId ? await guardianItemFacts(db, row.artefactId) : null;
    if (!row || !facts) throw new NotFound('The comment');
    const resource = commentResource(facts, row);
    authorize(actor, action, resource, 'The comment');
    return { row, facts, resource };
  }

  async function presentOne(actor: Actor, facts: GuardianItemFacts, id: string): Promise<GuardianComment> {
    const row = await selectGuardianComments(db).where('c.id', '=', id).executeTakeFirstOrThrow();
    return presentComment(actor, row, commentResource(facts, row));
  }

  /** The pupil's teachers (of the pupil's groups and of the item's project). */
  const teachersOf = (facts: GuardianItemFacts, audience: { groupTeacherIds: readonly string[] }) => [
    ...new Set([...audience.groupTeacherIds, ...facts.resource.artefact.projectTeacherIds]),
  ];

  /**
   * Inside the transaction: a notification to those for whom the comment just became visible (the pupil and
   * the pupil's teachers), or, for a held one, to the teachers, who are asked to look. Never to the actor.
   */
  async function notify(
    trx: Db,
    actor: Actor,
    facts: GuardianItemFacts,
    commentId: string,
    to: 'visible' | 'held' | 'approved',
  ): Promise<RecordedNotifications> {
    const audience = await audienceFacts(trx, facts.row.ownerId);
    const teachers = teachersOf(facts, audience);
    const recipients = to === 'held' ? teachers : to === 'visible' ? [facts.row.ownerId, ...teachers] : [facts.row.ownerId];
    const title = await trx.selectFrom('artefacts').select('title').where('id', '=', facts.row.id).executeTakeFirstOrThrow();
    const data = { artefactId: facts.row.id, commentId, pupilId: facts.row.ownerId, title: title.title, held: to === 'held' };
    return recordNotifications(
      trx,
      [...new Set(recipients)].filter((id) => id !== actor.id).map((recipientId) => ({ recipientId, kind: 'guardian_comment' as const, data })),
    );
  }

  /** After commit: ids only, to who may see the comment before or after the change. */
  async function announce(facts: GuardianItemFacts, resource: CommentResource, commentId: string, previous: GuardianCommentState | null) {
    const audience = await audienceFacts(db, facts.row.ownerId);
    for (const userId of guardianCommentAudience(resource, previous, audience))
      notifier.toUser(userId, 'guardianComment.changed', { artefactId: facts.row.id, ownerId: facts.row.ownerId, commentId });
  }

  /** One state change, only from the states given (a concurrent change in between: 409), with its audit and notifications, in one transaction. */
  async function transition(
    actor: Actor,
    found: Awaited<ReturnType<typeof commentFacts>>,
    to: GuardianCommentState,
    from: readonly GuardianCommentState[],
    action: string,
    ip: string | undefined,
    becomesVisible: boolean,
  ): Promise<void> {
    const { row, facts } = found;
    const notices = await db.transaction().execute(async (trx) => {
      const updated = await voiceDb(trx)
        .updateTable('guardianComments')
        .set({
          state: to,
          moderatedAt: sql`now()`,
          moderatedBy: actor.id,
          // The author's words go with a deletion; the row stays (audit trail, rate limit).
          ...(to === 'deleted' ? { body: '' } : {}),
        })
        .where('id', '=', row.id)
        .where('state', 'in', [...from])
        .returning('id')
        .executeTakeFirst();
      if (!updated) throw new Conflict('The comment has already changed; reload to see its state.');
      await recordAudit(trx, {
        actorId: actor.id,
        action,
        subjectType: 'guardianComment',
        subjectId: row.id,
        subjectUserId: facts.row.ownerId,
        details: { artefactId: facts.row.id, from: row.state, to },
        ip: ip ?? null,
      });
      return becomesVisible ? notify(trx, actor, facts, row.id, 'approved') : null;
    });
    notices?.publish(notifier);
    await announce(facts, { ...found.resource, state: to }, row.id, row.state);
  }

  async function voice(actor: Actor, artefactId: string): Promise<GuardianVoice> {
    const facts = await item(actor, artefactId);
    const [rows, reactions] = await Promise.all([
      selectGuardianComments(db).where('c.artefactId', '=', artefactId).orderBy('c.createdAt').orderBy('c.id').limit(500).execute(),
      // Only current guardians' reactions count (a guardian whose link ended no longer does).
      countedGuardianReactions(db).where('r.artefactId', '=', artefactId).execute(),
    ]);
    const comments = rows.flatMap((r) => {
      const resource = commentResource(facts, r);
      return seesGuardianComment(actor, resource) ? [presentComment(actor, r, resource)] : [];
    });
    const anyComment = { type: 'guardianComment' as const, on: facts.resource, authorId: null, authorGuardsPupil: false, state: 'shown' as const };
    return {
      artefactId,
      setting: facts.resource.setting,
      // Counts only, never who: "from a guardian" is all anyone learns of the others.
      reactions: GUARDIAN_REACTIONS.map((reaction) => ({
        reaction,
        count: reactions.filter((r) => r.reaction === reaction).length,
        mine: reactions.some((r) => r.reaction === reaction && r.guardianId === actor.id),
      })),
      comments,
      canReact: can(actor, 'guardianReaction.give', facts.resource),
      canComment: can(actor, 'guardianComment.create', facts.resource),
      canReport: can(actor, 'guardianComment.report', anyComment),
      canModerate: can(actor, 'guardianComment.moderate', anyComment),
    };
  }

  return {
    voice,

    /** A guardian gives or takes back one reaction (idempotent: giving twice keeps one). */
    async setReaction(actor: Actor, artefactId: string, input: SetGuardianReactionRequest, ip?: string): Promise<GuardianVoice> {
      const facts = await item(actor, artefactId, 'guardianReaction.give');
      const changed = await db.transaction().execute(async (trx) => {
        const t = voiceDb(trx);
        const result = input.given
          ? await t
              .insertInto('guardianReactions')
              .values({ artefactId, guardianId: actor.id, reaction: input.reaction })
              .onConflict((oc) => oc.columns(['artefactId', 'guardianId', 'reaction']).where('artefactId', 'is not', null).doNothing())
              .returning('id')
              .execute()
          : await t
              .deleteFrom('guardianReactions')
              .where('artefactId', '=', artefactId)
              .where('guardianId', '=', actor.id)
              .where('reaction', '=', input.reaction)
              .returning('id')
              .execute();
        if (result.length === 0) return false;
        await recordAudit(trx, {
          actorId: actor.id,
          action: input.given ? 'guardian.reaction.give' : 'guardian.reaction.take_back',
          subjectType: 'artefact',
          subjectId: artefactId,
          subjectUserId: facts.row.ownerId,
          details: { reaction: input.reaction },
          ip: ip ?? null,
        });
        return true;
      });
      if (changed) {
        const audience = await audienceFacts(db, facts.row.ownerId);
        for (const userId of artefactAudience(facts.resource.artefact, audience))
          notifier.toUser(userId, 'guardianReaction.changed', { artefactId, ownerId: facts.row.ownerId });
      }
      return voice(actor, artefactId);
    },

    /** A guardian comments: shown at once or held for a teacher, as the school says; at most so many per window. */
    async createComment(actor: Actor, artefactId: string, input: CreateGuardianCommentRequest, ip?: string): Promise<GuardianComment> {
      const facts = await item(actor, artefactId, 'guardianComment.create');
      const state: GuardianCommentState = facts.resource.setting === 'moderated' ? 'held' : 'shown';
      const { id, notices } = await db.transaction().execute(async (trx) => {
        const t = voiceDb(trx);
        // Counted in the transaction from the rows themselves (deleted ones too), so every process agrees.
        const counts = await t
          .selectFrom('guardianComments')
          .select((eb) => [
            eb.fn.countAll<string>().as('day'),
            eb.fn.count<string>(sql`case when created_at > now() - make_interval(mins => ${GUARDIAN_COMMENT_BURST_MINUTES}) then 1 end`).as('burst'),
          ])
          .where('authorId', '=', actor.id)
          .where('createdAt', '>', sql<Date>`now() - interval '1 day'`)
          .executeTakeFirstOrThrow();
        if (Number(counts.burst) >= GUARDIAN_COMMENT_BURST)
          throw new TooManyRequests(
            `At most ${GUARDIAN_COMMENT_BURST} comments in ${GUARDIAN_COMMENT_BURST_MINUTES} minutes; try again later.`,
            GUARDIAN_COMMENT_BURST_MINUTES * 60,
          );
        if (Number(counts.day) >= GUARDIAN_COMMENT_DAILY)
          throw new TooManyRequests(`At most ${GUARDIAN_COMMENT_DAILY} comments a day; try again tomorrow.`, 3600);
        const row = await t
          .insertInto('guardianComments')
          .values({ artefactId, pupilId: facts.row.ownerId, authorId: actor.id, body: input.body, state })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'guardian.comment.create',
          subjectType: 'guardianComment',
          subjectId: row.id,
          subjectUserId: facts.row.ownerId,
          details: { artefactId, state },
          ip: ip ?? null,
        });
        return { id: row.id, notices: await notify(trx, actor, facts, row.id, state === 'held' ? 'held' : 'visible') };
      });
      notices.publish(notifier);
      const presented = await presentOne(actor, facts, id);
      await announce(facts, { type: 'guardianComment', on: facts.resource, authorId: actor.id, authorGuardsPupil: true, state }, id, null);
      return presented;
    },

    /** Its author deletes a comment: the text goes at once; the row and its audit stay. */
    async deleteComment(actor: Actor, commentId: string, ip?: string): Promise<void> {
      const found = await commentFacts(actor, commentId, 'guardianComment.delete');
      await transition(actor, found, 'deleted', ['held', 'shown', 'reported', 'hidden'], 'guardian.comment.delete', ip, false);
    },

    /** The pupil reports a shown comment: hidden until one of their teachers looks. */
    async report(actor: Actor, commentId: string, ip?: string): Promise<GuardianComment> {
      const found = await commentFacts(actor, commentId, 'guardianComment.report');
      await transition(actor, found, 'reported', ['shown'], 'guardian.comment.report', ip, false);
      return presentOne(actor, found.facts, commentId);
    },

    /** A teacher of the pupil approves (held, reported or hidden → shown) or hides a comment; the row and its audit stay. */
    async moderate(actor: Actor, commentId: string, action: 'approve' | 'hide', ip?: string): Promise<GuardianComment> {
      const found = await commentFacts(actor, commentId, 'guardianComment.moderate');
      const to: GuardianCommentState = action === 'approve' ? 'shown' : 'hidden';
      const from: GuardianCommentState[] = action === 'approve' ? ['held', 'reported', 'hidden'] : ['held', 'shown', 'reported'];
      // The pupil hears of it when they see it for the first time (a reported one they saw before).
      const becomesVisible = action === 'approve' && found.row.state !== 'reported';
      await transition(actor, found, to, from, action === 'approve' ? 'guardian.comment.approve' : 'guardian.comment.hide', ip, becomesVisible);
      return presentOne(actor, found.facts, commentId);
    },

    /** Held and reported comments on the work of the pupils the actor teaches, oldest first. */
    async moderationList(actor: Actor): Promise<GuardianModerationList> {
      authorize(actor, 'guardianModeration.list', { type: 'platform' });
      const groupIds = [...actor.teacherGroupIds];
      const rows = await selectGuardianComments(db)
        .innerJoin('artefacts as a', 'a.id', 'c.artefactId')
        .innerJoin('users as o', 'o.id', 'a.ownerId')
        .select(['a.title as artefactTitle', 'a.ownerId', 'o.displayName as ownerName'])
        .where('a.deletedAt', 'is', null)
        .where('c.state', 'in', ['held', 'reported'])
        .where((eb) =>
          eb.or([
            eb.exists(
              eb.selectFrom('projectTeachers as pt').select('pt.userId').whereRef('pt.projectId', '=', 'a.projectId').where('pt.userId', '=', actor.id),
            ),
            ...(groupIds.length
              ? [
                  eb.exists(
                    eb
                      .selectFrom('memberships as m')
                      .select('m.groupId')
                      .whereRef('m.userId', '=', 'a.ownerId')
                      .where('m.role', '=', 'pupil')
                      .where('m.groupId', 'in', groupIds),
                  ),
                ]
              : []),
          ]),
        )
        .orderBy('c.createdAt')
        .limit(200)
        .execute();
      // The query takes the scope; the policy decides each row (a fixed number of queries for the page).
      const resources = await guardianCommentResources(
        db,
        rows.map((r) => r.id),
      );
      const items = rows.flatMap((r) => {
        const resource = resources.get(r.id);
        if (!resource || !can(actor, 'guardianComment.moderate', resource)) return [];
        return [{ ...presentComment(actor, r, resource), artefactTitle: r.artefactTitle, owner: { id: r.ownerId, displayName: r.ownerName } }];
      });
      return { items };
    },
  };
}
export type GuardianVoiceService = ReturnType<typeof guardianVoiceService>;
