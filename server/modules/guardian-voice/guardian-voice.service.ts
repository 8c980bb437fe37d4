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
  type GuardianSubject,
  type GuardianVoice,
  type SetGuardianReactionRequest,
} from '../../../shared/api/guardian-voice.ts';
import type { Actor } from '../../auth/actor.ts';
import {
  authorize,
  can,
  guardianCommentAudience,
  guardianItemAudience,
  itemTeacherIds,
  seesGuardianComment,
  seesGuardianCommentAuthor,
} from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { Conflict, NotFound, TooManyRequests } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { recordNotifications, type RecordedNotifications } from '../notifications/notifications.service.ts';
import {
  commentResource,
  countedGuardianReactions,
  guardianCommentResources,
  guardianItemAudienceFacts,
  guardianItemFacts,
  guardianItemTitle,
  pendingGuardianComments,
  selectGuardianComments,
  subjectColumn,
  subjectIds,
  subjectOf,
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
    ...(resource.on.subject === 'showcase' ? { showcaseId: row.showcaseId ?? '' } : { artefactId: row.artefactId ?? '' }),
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
    subject: GuardianSubject,
    action: 'guardianVoice.read' | 'guardianReaction.give' | 'guardianComment.create' = 'guardianVoice.read',
  ) {
    const what = subject.type === 'showcase' ? 'The showcase' : 'The work';
    const facts = await guardianItemFacts(db, subject);
    if (!facts) throw new NotFound(what);
    authorize(actor, action, facts.resource, what);
    return facts;
  }

  async function commentFacts(actor: Actor, commentId: string, action: 'guardianComment.delete' | 'guardianComment.report' | 'guardianComment.moderate') {
    const row = await selectGuardianComments(db).where('c.id', '=', commentId).executeTakeFirst();
    const subject = row ? subjectOf(row) : null;
    const facts = subject ? await guardianItemFacts(db, subject) : null;
    if (!row || !facts) throw new NotFound('The comment');
    const resource = commentResource(facts, row);
    authorize(actor, action, resource, 'The comment');
    return { row, facts, resource };
  }

  async function presentOne(actor: Actor, facts: GuardianItemFacts, id: string): Promise<GuardianComment> {
    const row = await selectGuardianComments(db).where('c.id', '=', id).executeTakeFirstOrThrow();
    return presentComment(actor, row, commentResource(facts, row));
  }

  /** The pupil's teachers (of the pupil's groups, and by project: the artefact's, or those of the showcase's owner). */
  const teachersOf = (facts: GuardianItemFacts, audience: { groupTeacherIds: readonly string[] }) => [
    ...new Set([...audience.groupTeacherIds, ...itemTeacherIds(facts.resource)]),
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
    const audience = await guardianItemAudienceFacts(trx, facts);
    const teachers = teachersOf(facts, audience);
    const recipients = to === 'held' ? teachers : to === 'visible' ? [facts.ownerId, ...teachers] : [facts.ownerId];
    const title = await guardianItemTitle(trx, facts.subject);
    const data = { ...subjectIds(facts.subject), commentId, pupilId: facts.ownerId, title, held: to === 'held' };
    return recordNotifications(
      trx,
      [...new Set(recipients)].filter((id) => id !== actor.id).map((recipientId) => ({ recipientId, kind: 'guardian_comment' as const, data })),
    );
  }

  /** After commit: ids only, to who may see the comment before or after the change. */
  async function announce(facts: GuardianItemFacts, resource: CommentResource, commentId: string, previous: GuardianCommentState | null) {
    const audience = await guardianItemAudienceFacts(db, facts);
    for (const userId of guardianCommentAudience(resource, previous, audience))
      notifier.toUser(userId, 'guardianComment.changed', { ...subjectIds(facts.subject), ownerId: facts.ownerId, commentId });
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
        subjectUserId: facts.ownerId,
        details: { ...subjectIds(facts.subject), from: row.state, to },
        ip: ip ?? null,
      });
      return becomesVisible ? notify(trx, actor, facts, row.id, 'approved') : null;
    });
    notices?.publish(notifier);
    await announce(facts, { ...found.resource, state: to }, row.id, row.state);
  }

  async function voice(actor: Actor, subject: GuardianSubject): Promise<GuardianVoice> {
    const facts = await item(actor, subject);
    const column = subjectColumn(subject.type);
    const [rows, reactions] = await Promise.all([
      selectGuardianComments(db).where(`c.${column}`, '=', subject.id).orderBy('c.createdAt').orderBy('c.id').limit(500).execute(),
      // Only current guardians' reactions count (a guardian whose link ended no longer does).
      countedGuardianReactions(db).where(`r.${column}`, '=', subject.id).execute(),
    ]);
    const comments = rows.flatMap((r) => {
      const resource = commentResource(facts, r);
      return seesGuardianComment(actor, resource) ? [presentComment(actor, r, resource)] : [];
    });
    const anyComment = { type: 'guardianComment' as const, on: facts.resource, authorId: null, authorGuardsPupil: false, state: 'shown' as const };
    return {
      ...subjectIds(subject),
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
    async setReaction(actor: Actor, subject: GuardianSubject, input: SetGuardianReactionRequest, ip?: string): Promise<GuardianVoice> {
      const facts = await item(actor, subject, 'guardianReaction.give');
      const column = subjectColumn(subject.type);
      const changed = await db.transaction().execute(async (trx) => {
        const t = voiceDb(trx);
        const result = input.given
          ? await t
              .insertInto('guardianReactions')
              .values({ [column]: subject.id, guardianId: actor.id, reaction: input.reaction })
              // The partial unique index of the item's kind (0037): giving twice keeps one.
              .onConflict((oc) => oc.columns([column, 'guardianId', 'reaction']).where(column, 'is not', null).doNothing())
              .returning('id')
              .execute()
          : await t
              .deleteFrom('guardianReactions')
              .where(column, '=', subject.id)
              .where('guardianId', '=', actor.id)
              .where('reaction', '=', input.reaction)
              .returning('id')
              .execute();
        if (result.length === 0) return false;
        await recordAudit(trx, {
          actorId: actor.id,
          action: input.given ? 'guardian.reaction.give' : 'guardian.reaction.take_back',
          subjectType: subject.type,
          subjectId: subject.id,
          subjectUserId: facts.ownerId,
          details: { reaction: input.reaction },
          ip: ip ?? null,
        });
        return true;
      });
      if (changed) {
        const audience = await guardianItemAudienceFacts(db, facts);
        for (const userId of guardianItemAudience(facts.resource, audience))
          notifier.toUser(userId, 'guardianReaction.changed', { ...subjectIds(subject), ownerId: facts.ownerId });
      }
      return voice(actor, subject);
    },

    /** A guardian comments: shown at once or held for a teacher, as the school says; at most so many per window. */
    async createComment(actor: Actor, subject: GuardianSubject, input: CreateGuardianCommentRequest, ip?: string): Promise<GuardianComment> {
      const facts = await item(actor, subject, 'guardianComment.create');
      const state: GuardianCommentState = facts.resource.setting === 'moderated' ? 'held' : 'shown';
      const { id, notices } = await db.transaction().execute(async (trx) => {
        const t = voiceDb(trx);
        // The author's row locked first, so comments sent at once are counted one after another (else each counts the
        // same rows and all pass); 'no key update' holds up no row that refers to the user. Counted from the rows
        // themselves (deleted ones too), so every process agrees.
        await trx.selectFrom('users').select('id').where('id', '=', actor.id).forNoKeyUpdate().executeTakeFirst();
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
          .values({ [subjectColumn(subject.type)]: subject.id, pupilId: facts.ownerId, authorId: actor.id, body: input.body, state })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'guardian.comment.create',
          subjectType: 'guardianComment',
          subjectId: row.id,
          subjectUserId: facts.ownerId,
          details: { ...subjectIds(subject), state },
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
      const rows = await pendingGuardianComments(db, actor.id, [...actor.teacherGroupIds]);
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
