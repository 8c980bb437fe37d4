import { sql } from 'kysely';
import { randomUUID } from 'node:crypto';
import { createVoiceFeedbackRequestSchema, type Feedback, type FeedbackAnchor } from '../../../shared/api/feedback.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, guardianSeesFeedback, guardianSeesVersion, historyScope } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, issuesFromZod, NotFound, ValidationFailed } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { auditInsert, recordAudit } from '../audit/audit.service.ts';
import type { ArtefactsService } from '../artefacts/artefacts.service.ts';
import { artefactFacts, audienceFacts, audienceOf, isGuardianOf } from '../artefacts/artefacts.repo.ts';
import type { SchoolRole } from '../../../shared/roles.ts';
import type { ImportedPerson, VoiceRecording } from '../../db/schema.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import type { MediaOptions } from '../../media/pipeline.ts';
import { claimVoice, discardVoice, storeVoice } from '../../media/voice.ts';
import { recordNotifications } from '../notifications/notifications.service.ts';
import { checkAnchor, voiceUrl, VOICE_URL_SECONDS } from './feedback-media.ts';

export interface FeedbackDeps {
  db: Db;
  notifier: Notifier;
  artefacts: ArtefactsService;
  /** Voice messages (issue 10 §3): where they are stored, and the media pipeline's settings. */
  blobs: BlobStore;
  media: MediaOptions;
}

/** A guardian's signed URL of a voice message names this, and is checked again when used. */
const RECHECK_VOICE = 'voice-feedback:';

type CreateInput = { body: string; parentId: string | null; goalIds?: string[]; revise?: boolean; anchor?: FeedbackAnchor | null };

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
  voice: VoiceRecording | null;
  anchor: FeedbackAnchor | null;
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
  voice: r.voice ? { mime: r.voice.mime, durationMs: r.voice.durationMs, url: voiceUrl(r.artefactId, r.id) } : null,
  anchor: r.anchor,
});

/** The author's role as the thread shows it: the pupil, or one of their teachers; any other role after these. */
const THREAD_ROLE_ORDER: readonly SchoolRole[] = ['teacher', 'pupil'];

/** An author's role by THREAD_ROLE_ORDER, as `selectFeedback` reads it, for the author at hand. */
function threadRole(actor: Actor): SchoolRole | null {
  const roles = actor.roles.map((r) => r.role);
  return THREAD_ROLE_ORDER.find((r) => roles.includes(r)) ?? roles[0] ?? null;
}

export function feedbackService({ db, notifier, artefacts, blobs, media }: FeedbackDeps) {
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
        'feedback.voice',
        'feedback.anchor',
      ]);
  }

  async function one(feedbackId: string, artefactId: string): Promise<Row> {
    const row = await selectFeedback().where('feedback.id', '=', feedbackId).where('feedback.artefactId', '=', artefactId).executeTakeFirst();
    if (!row) throw new NotFound('The feedback');
    return row;
  }

  /** The version numbers a viewer with a guardian's history scope may see (policy's guardianSeesVersion); null: all of them. */
  async function visibleVersions(actor: Actor, artefactId: string, resource: Parameters<typeof historyScope>[1]): Promise<Set<number> | null> {
    if (historyScope(actor, resource) === 'all') return null;
    const rows = await db.selectFrom('artefactVersions').select(['version', 'shared']).where('artefactId', '=', artefactId).execute();
    return new Set(rows.filter((r) => guardianSeesVersion(resource, r)).map((r) => r.version));
  }

  async function versionShared(artefactId: string, version: number, resource: Parameters<typeof historyScope>[1]): Promise<boolean> {
    const row = await db
      .selectFrom('artefactVersions')
      .select(['version', 'shared'])
      .where('artefactId', '=', artefactId)
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? guardianSeesVersion(resource, row) : false;
  }

  async function markRead(userId: string, artefactId: string, at = new Date()) {
    await db
      .insertInto('feedbackReads')
      .values({ userId, artefactId, readAt: at })
      .onConflict((oc) => oc.columns(['userId', 'artefactId']).doUpdateSet({ readAt: at }))
      .execute();
  }

  /** Everything about a new message that can be checked before anything is written (or a recording processed). */
  async function check(actor: Actor, artefactId: string, input: CreateInput) {
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
    const anchor = input.anchor ?? null;
    if (anchor) await checkAnchor(db, artefactId, anchor);
    return { facts, goalIds, revise, anchor };
  }

  async function insert(
    actor: Actor,
    checked: Awaited<ReturnType<typeof check>>,
    input: CreateInput,
    voice: VoiceRecording | null,
    ip?: string,
  ): Promise<Feedback> {
    const { facts, goalIds, revise, anchor } = checked;
    const artefactId = facts.row.id;
    // One statement (so one round trip, atomic without BEGIN/COMMIT): the row, its audit event,
    // and the author's read mark (what you wrote yourself is read). The audience is looked up
    // meanwhile; the events go out once both are done, i.e. after the commit. With a recording,
    // the statement and the claim of its blob share a transaction.
    const write = (q: Db) =>
      q
        .with('inserted', () =>
          q
            .insertInto('feedback')
            .values({
              artefactId,
              authorId: actor.id,
              parentId: input.parentId,
              body: input.body,
              goalIds,
              revise,
              voice: voice ? JSON.stringify(voice) : null,
              anchor: anchor ? JSON.stringify(anchor) : null,
            })
            .returning(['id', 'createdAt']),
        )
        .with('audit', () =>
          auditInsert(q, {
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
        .select((eb) => ['inserted.id', 'inserted.createdAt', eb.selectFrom('artefacts').select('title').where('id', '=', artefactId).as('title')])
        .executeTakeFirstOrThrow();
    // Issue 12 §5: a message by someone else (the pupil's teacher) notifies the pupil, in the same transaction.
    const notifyOwner = actor.id !== facts.row.ownerId;
    const [{ row, notices }, audience] = await Promise.all([
      voice || notifyOwner
        ? db.transaction().execute(async (trx) => {
            const inserted = await write(trx);
            if (voice) await claimVoice(trx, voice);
            const kind = revise ? ('revision_requested' as const) : ('feedback' as const);
            const data = { artefactId, feedbackId: inserted.id, pupilId: facts.row.ownerId, title: inserted.title ?? '', authorName: actor.displayName };
            return { row: inserted, notices: notifyOwner ? await recordNotifications(trx, [{ recipientId: facts.row.ownerId, kind, data }]) : null };
          })
        : write(db).then((inserted) => ({ row: inserted, notices: null })),
      audienceOf(db, facts),
    ]);
    notices?.publish(notifier);
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
      voice,
      anchor,
    });
    for (const userId of audience) notifier.toUser(userId, 'feedback.created', { feedback, ownerId: facts.row.ownerId });
    return feedback;
  }

  return {
    async thread(actor: Actor, artefactId: string) {
      const facts = await artefacts.readable(actor, artefactId);
      const [all, read, seen] = await Promise.all([
        selectFeedback().where('feedback.artefactId', '=', artefactId).orderBy('feedback.createdAt').orderBy('feedback.id').execute(),
        db.selectFrom('feedbackReads').select('readAt').where('userId', '=', actor.id).where('artefactId', '=', artefactId).executeTakeFirst(),
        visibleVersions(actor, artefactId, facts.resource),
      ]);
      // A guardian sees "answered in version N" only for versions of their history scope, and (issue 12 §1) only
      // the messages written since they first saw the item, unless the pupil shared its history.
      const rows = seen
        ? all
            .filter((r) => guardianSeesFeedback(facts.resource, r.createdAt))
            .map((r) => (r.answeredVersion !== null && !seen.has(r.answeredVersion) ? { ...r, answeredVersion: null } : r))
        : all;
      const readAt = read?.readAt ?? null;
      const unreadCount = rows.filter((r) => r.authorId !== actor.id && (!readAt || r.createdAt > readAt)).length;
      return { items: rows.map(present), readAt: readAt ? readAt.toISOString() : null, unreadCount };
    },

    async create(actor: Actor, artefactId: string, input: CreateInput, ip?: string): Promise<Feedback> {
      const checked = await check(actor, artefactId, input);
      return insert(actor, checked, input, null, ip);
    },

    /**
     * A voice message (issue 10 §3): the fields are checked first (the upload step already checked that the
     * actor may write here, before the body was read), then the recording goes through the media pipeline
     * and is stored, then the row is written; if the row is not written, the recording is deleted again.
     */
    async createVoice(actor: Actor, artefactId: string, data: unknown, file: { path: string; originalname: string; size: number } | null, ip?: string) {
      let raw: unknown = {};
      try {
        raw = typeof data === 'string' ? JSON.parse(data) : {};
      } catch {
        throw new ValidationFailed([{ path: 'body.data', message: 'must be JSON' }]);
      }
      const parsed = createVoiceFeedbackRequestSchema.safeParse(raw);
      if (!parsed.success) throw new ValidationFailed(issuesFromZod(parsed.error, 'body'));
      if (!file) throw new BadRequest('Send the recording in the "audio" form field.', [{ path: 'body.audio', message: 'required' }]);
      const input = parsed.data;
      const checked = await check(actor, artefactId, input);
      const voice = await storeVoice({ db, blobs, media }, file, randomUUID());
      try {
        return await insert(actor, checked, input, voice, ip);
      } catch (err) {
        await discardVoice({ db, blobs }, voice);
        throw err;
      }
    },

    /** The recording of a voice message: for whoever may read the thread, a short-lived signed URL. */
    async voiceUrl(actor: Actor, artefactId: string, feedbackId: string): Promise<string> {
      const facts = await artefacts.readable(actor, artefactId);
      authorize(actor, 'feedback.voice.read', facts.resource, 'The recording');
      const row = await db
        .selectFrom('feedback')
        .select(['voice', 'createdAt'])
        .where('id', '=', feedbackId)
        .where('artefactId', '=', artefactId)
        .executeTakeFirst();
      if (!row?.voice) throw new NotFound('The recording');
      if (historyScope(actor, facts.resource) === 'shared' && !guardianSeesFeedback(facts.resource, row.createdAt)) throw new NotFound('The recording');
      return blobs.signedUrl(row.voice.variants.original, {
        expiresInSeconds: VOICE_URL_SECONDS,
        ...(historyScope(actor, facts.resource) === 'shared' ? { recheck: `${RECHECK_VOICE}${actor.id}:${feedbackId}` } : {}),
      });
    },

    /** The blob route's second look at a guardian's signed URL of a voice message: still allowed now? */
    async recheckVoiceUrl(reference: string): Promise<boolean | null> {
      if (!reference.startsWith(RECHECK_VOICE)) return null;
      const [guardianId, feedbackId] = reference.slice(RECHECK_VOICE.length).split(':');
      if (!guardianId || !feedbackId) return false;
      const row = await db.selectFrom('feedback').select(['artefactId', 'createdAt']).where('id', '=', feedbackId).executeTakeFirst();
      const facts = row ? await artefactFacts(db, row.artefactId) : null;
      if (!row || !facts || facts.row.deletedAt) return false;
      return guardianSeesFeedback(facts.resource, row.createdAt) && (await isGuardianOf(db, guardianId, facts.row.ownerId));
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
        feedback.answeredVersion === null ? null : versionShared(artefactId, feedback.answeredVersion, facts.resource),
      ]);
      const forGuardians = shared === false ? { ...feedback, answeredVersion: null } : feedback;
      // Issue 12 §1: a message from before guardians first saw the item is not theirs to hear of (guardianSeesFeedback).
      const guardiansHear = guardianSeesFeedback(facts.resource, current.createdAt);
      for (const userId of audience)
        if (guardiansHear || !guardians.has(userId))
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
