import { sql } from 'kysely';
import type { Feedback } from '../../../shared/api/feedback.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, historyScope } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, NotFound } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { auditInsert, recordAudit } from '../audit/audit.service.ts';
import type { ArtefactsService } from '../artefacts/artefacts.service.ts';
import { audienceFacts, audienceOf } from '../artefacts/artefacts.repo.ts';
import type { SchoolRole } from '../../../shared/roles.ts';
import type { ImportedPerson } from '../../db/schema.ts';

export interface FeedbackDeps {
  db: Db;
  notifier: Notifier;
  artefacts: ArtefactsService;
}

type Row = {
  id: string;
  artefactId: string;
  parentId: string | null;
  authorId: string | null;
  authorName: string | null;
  authorRole: SchoolRole | null;
  importedAuthor: ImportedPerson | null;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  goalIds: string[];
  revise: boolean;
  answeredVersion: number | null;
};

const present = (r: Row): Feedback => ({
  id: r.id,
  artefactId: r.artefactId,
  parentId: r.parentId,
  author: r.authorId && r.authorName ? { id: r.authorId, displayName: r.authorName, role: r.authorRole ?? 'teacher' } : null,
  importedAuthor: r.importedAuthor ? { displayName: r.importedAuthor.displayName, role: r.importedAuthor.role } : null,
  body: r.body,
  createdAt: r.createdAt.toISOString(),
  editedAt: r.editedAt ? r.editedAt.toISOString() : null,
  goalIds: r.goalIds,
  revise: r.revise,
  answeredVersion: r.answeredVersion,
});

/** The author's role as the thread shows it: the pupil, or one of their teachers; any other role after these. */
const THREAD_ROLE_ORDER: readonly SchoolRole[] = ['teacher', 'pupil'];

/** An author's role by THREAD_ROLE_ORDER, as `selectFeedback` reads it, for the author at hand. */
function threadRole(actor: Actor): SchoolRole | null {
  const roles = actor.roles.map((r) => r.role);
  return THREAD_ROLE_ORDER.find((r) => roles.includes(r)) ?? roles[0] ?? null;
}

export function feedbackService({ db, notifier, artefacts }: FeedbackDeps) {
  function selectFeedback() {
    return db
      .selectFrom('feedback')
      .leftJoin('users', 'users.id', 'feedback.authorId')
      .select((eb) => [
        'feedback.id',
        'feedback.artefactId',
        'feedback.parentId',
        'feedback.authorId',
        'users.displayName as authorName',
        eb
          .selectFrom('schoolRoles')
          .select('schoolRoles.role')
          .whereRef('schoolRoles.userId', '=', 'feedback.authorId')
          .orderBy(
            sql`case school_roles.role ${sql.join(
              THREAD_ROLE_ORDER.map((role, i) => sql`when ${sql.lit(role)} then ${sql.lit(i)}`),
              sql` `,
            )} else ${sql.lit(THREAD_ROLE_ORDER.length)} end`,
          )
          .limit(1)
          .as('authorRole'),
        'feedback.importedAuthor',
        'feedback.body',
        'feedback.createdAt',
        'feedback.editedAt',
        'feedback.goalIds',
        'feedback.revise',
        'feedback.answeredVersion',
      ]);
  }

  async function one(feedbackId: string, artefactId: string): Promise<Row> {
    const row = await selectFeedback().where('feedback.id', '=', feedbackId).where('feedback.artefactId', '=', artefactId).executeTakeFirst();
    if (!row) throw new NotFound('The feedback');
    return row;
  }

  /** The version numbers a viewer with a guardian's history scope may see; null: all of them. */
  async function visibleVersions(actor: Actor, artefactId: string, resource: Parameters<typeof historyScope>[1]): Promise<Set<number> | null> {
    if (historyScope(actor, resource) === 'all') return null;
    const rows = await db.selectFrom('artefactVersions').select('version').where('artefactId', '=', artefactId).where('shared', '=', true).execute();
    return new Set(rows.map((r) => r.version));
  }

  async function versionShared(artefactId: string, version: number): Promise<boolean> {
    const row = await db.selectFrom('artefactVersions').select('shared').where('artefactId', '=', artefactId).where('version', '=', version).executeTakeFirst();
    return row?.shared ?? false;
  }

  async function markRead(userId: string, artefactId: string, at = new Date()) {
    await db
      .insertInto('feedbackReads')
      .values({ userId, artefactId, readAt: at })
      .onConflict((oc) => oc.columns(['userId', 'artefactId']).doUpdateSet({ readAt: at }))
      .execute();
  }

  return {
    async thread(actor: Actor, artefactId: string) {
      const facts = await artefacts.readable(actor, artefactId);
      const [all, read, seen] = await Promise.all([
        selectFeedback().where('feedback.artefactId', '=', artefactId).orderBy('feedback.createdAt').orderBy('feedback.id').execute(),
        db.selectFrom('feedbackReads').select('readAt').where('userId', '=', actor.id).where('artefactId', '=', artefactId).executeTakeFirst(),
        visibleVersions(actor, artefactId, facts.resource),
      ]);
      // A guardian sees "answered in version N" only for versions of their history scope.
      const rows = seen ? all.map((r) => (r.answeredVersion !== null && !seen.has(r.answeredVersion) ? { ...r, answeredVersion: null } : r)) : all;
      const readAt = read?.readAt ?? null;
      const unreadCount = rows.filter((r) => r.authorId !== actor.id && (!readAt || r.createdAt > readAt)).length;
      return { items: rows.map(present), readAt: readAt ? readAt.toISOString() : null, unreadCount };
    },

    async create(
      actor: Actor,
      artefactId: string,
      input: { body: string; parentId: string | null; goalIds?: string[]; revise?: boolean },
      ip?: string,
    ): Promise<Feedback> {
      const facts = await artefacts.readable(actor, artefactId);
      authorize(actor, 'feedback.create', facts.resource, 'The artefact');
      const goalIds = [...new Set(input.goalIds ?? [])];
      const revise = input.revise ?? false;
      if (goalIds.length > 0 || revise) authorize(actor, 'feedback.mark', facts.resource, 'The artefact');
      if (goalIds.length > 0) {
        const goals = facts.row.projectId
          ? await db.selectFrom('projectGoals').select('id').where('projectId', '=', facts.row.projectId).where('id', 'in', goalIds).execute()
          : [];
        if (goals.length !== goalIds.length)
          throw new BadRequest('Feedback can name only goals of the project this work belongs to.', [
            { path: 'body.goalIds', message: "must be goals of the artefact's project" },
          ]);
      }
      if (input.parentId) {
        const parent = await db.selectFrom('feedback').select('id').where('id', '=', input.parentId).where('artefactId', '=', artefactId).executeTakeFirst();
        if (!parent)
          throw new BadRequest('The message you answer is not in this thread.', [{ path: 'body.parentId', message: 'must be feedback on this artefact' }]);
      }
      // One statement (so one round trip, atomic without BEGIN/COMMIT): the row, its audit event,
      // and the author's read mark (what you wrote yourself is read). The audience is looked up
      // meanwhile; the events go out once both are done, i.e. after the commit.
      const [row, audience] = await Promise.all([
        db
          .with('inserted', () =>
            db
              .insertInto('feedback')
              .values({ artefactId, authorId: actor.id, parentId: input.parentId, body: input.body, goalIds, revise })
              .returning(['id', 'createdAt']),
          )
          .with('audit', () =>
            auditInsert(db, {
              actorId: actor.id,
              action: 'feedback.create',
              subjectType: 'artefact',
              subjectId: artefactId,
              subjectUserId: facts.row.ownerId,
              ip,
            }),
          )
          .with('readMark', (qc) =>
            qc
              .insertInto('feedbackReads')
              .values((eb) => ({ userId: actor.id, artefactId, readAt: eb.selectFrom('inserted').select('inserted.createdAt') }))
              .onConflict((oc) => oc.columns(['userId', 'artefactId']).doUpdateSet((eb) => ({ readAt: eb.ref('excluded.readAt') }))),
          )
          .selectFrom('inserted')
          .select(['inserted.id', 'inserted.createdAt'])
          .executeTakeFirstOrThrow(),
        audienceOf(db, facts),
      ]);
      const feedback = present({
        id: row.id,
        artefactId,
        parentId: input.parentId,
        authorId: actor.id,
        authorName: actor.displayName,
        authorRole: threadRole(actor),
        importedAuthor: null,
        body: input.body,
        createdAt: row.createdAt,
        editedAt: null,
        goalIds,
        revise,
        answeredVersion: null,
      });
      for (const userId of audience) notifier.toUser(userId, 'feedback.created', { feedback, ownerId: facts.row.ownerId });
      return feedback;
    },

    async update(actor: Actor, artefactId: string, feedbackId: string, body: string, ip?: string): Promise<Feedback> {
      const facts = await artefacts.readable(actor, artefactId);
      const current = await one(feedbackId, artefactId);
      authorize(
        actor,
        'feedback.update',
        { type: 'feedback', authorId: current.authorId, createdAt: current.createdAt, artefact: facts.resource },
        'The feedback',
      );
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('feedback').set({ body, editedAt: new Date() }).where('id', '=', feedbackId).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'feedback.update',
          subjectType: 'artefact',
          subjectId: artefactId,
          subjectUserId: facts.row.ownerId,
          ip,
        });
      });
      const feedback = present(await one(feedbackId, artefactId));
      // After commit, to exactly the people who may see the artefact.
      // A guardian hears "answered in version N" only for a version they may see (as the thread shows it).
      const [audience, guardians, shared] = await Promise.all([
        audienceOf(db, facts),
        audienceFacts(db, facts.row.ownerId).then((a) => new Set(a.guardianIds)),
        feedback.answeredVersion === null ? null : versionShared(artefactId, feedback.answeredVersion),
      ]);
      const forGuardians = shared === false ? { ...feedback, answeredVersion: null } : feedback;
      for (const userId of audience)
        notifier.toUser(userId, 'feedback.updated', { feedback: guardians.has(userId) ? forGuardians : feedback, ownerId: facts.row.ownerId });
      return feedback;
    },

    async remove(actor: Actor, artefactId: string, feedbackId: string, ip?: string): Promise<void> {
      const facts = await artefacts.readable(actor, artefactId);
      const current = await one(feedbackId, artefactId);
      authorize(
        actor,
        'feedback.delete',
        { type: 'feedback', authorId: current.authorId, createdAt: current.createdAt, artefact: facts.resource },
        'The feedback',
      );
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('feedback').where('id', '=', feedbackId).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'feedback.delete',
          subjectType: 'artefact',
          subjectId: artefactId,
          subjectUserId: facts.row.ownerId,
          ip,
        });
      });
      for (const userId of await audienceOf(db, facts)) notifier.toUser(userId, 'feedback.deleted', { artefactId, feedbackId, ownerId: facts.row.ownerId });
    },

    async read(actor: Actor, artefactId: string): Promise<void> {
      await artefacts.readable(actor, artefactId);
      await markRead(actor.id, artefactId);
    },
  };
}
export type FeedbackService = ReturnType<typeof feedbackService>;
