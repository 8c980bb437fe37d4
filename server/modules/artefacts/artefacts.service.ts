import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { Artefact, createArtefactRequestSchema, TimelinePage, timelineQuerySchema, UpdateArtefactRequest } from '../../../shared/api/artefacts.ts';
import { UNDO_DELETE_SECONDS, type ArtefactKind, type MediaVariant } from '../../../shared/portfolio.ts';
import type { Actor } from '../../auth/actor.ts';
import type { ArtefactSnapshot } from '../../db/schema.ts';
import { artefactAudience, authorize, guardianSeesFile, guardianSeesVersion, guardianStillSees, historyScope, portfolioScope } from '../../auth/policy.ts';
import { BadRequest, NotFound } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { ReferenceService } from '../reference/reference.service.ts';
import { pupilTags } from './artefact-tags.ts';
import { discardStored, storeUploads, type MediaDeps, type StoredMedia, type UploadedFile } from './artefact-media.ts';
import { attachMedia, insertArtefacts, snapshotOf } from './artefact-writes.ts';
import { contentChanged, markCurrentVersionShared, placementChanged, recordEvents, stateEvents, type ArtefactState } from './artefact-changes.ts';
import { answersByVersion, linkAnswers } from '../feedback/feedback-answers.ts';
import {
  artefactFacts,
  audienceFacts,
  audienceOf,
  eventRows,
  historyRows,
  isGuardianOf,
  lockArtefact,
  mediaFacts,
  presentArtefact,
  selectArtefacts,
  timelineRows,
  timelineWithPupilFacts,
} from './artefacts.repo.ts';
import { sanitizeRichText } from './sanitize.ts';
import type { RecordedNotifications } from '../notifications/notifications.service.ts';
import { notifyGuardiansOfShare, publishApprovalEvent, recordShare } from '../guardian-sharing/share-state.ts';
import type { GuardianApprovalEvent } from '../../../shared/realtime.ts';
import { asGuardiansSee } from './guardian-overlay.ts';

const MEDIA_URL_SECONDS = 300;
const RECHECK_GUARDIAN = 'guardian:';

type CreateInput = z.output<typeof createArtefactRequestSchema>;
type TimelineInput = z.output<typeof timelineQuerySchema>;

export interface ArtefactsDeps extends MediaDeps {
  notifier: Notifier;
  reference: ReferenceService;
}

export function artefactsService(deps: ArtefactsDeps) {
  const { db, notifier, reference } = deps;

  /** The artefact's policy facts; a deleted artefact does not exist for anyone but a restore. */
  async function readable(actor: Actor, artefactId: string, action: 'artefact.read' | 'artefact.update' | 'artefact.delete' = 'artefact.read') {
    const facts = await artefactFacts(db, artefactId);
    if (!facts || facts.row.deletedAt) throw new NotFound('The artefact');
    authorize(actor, action, facts.resource, 'The artefact');
    return facts;
  }

  async function present(viewerId: string, artefactId: string): Promise<Artefact> {
    const [row] = await selectArtefacts(db, viewerId, [sql`a.id = ${artefactId}`]);
    if (!row) throw new NotFound('The artefact');
    return presentArtefact(row);
  }

  /** After commit: tell everyone who may see the artefact; guardians who just lost sight of it (unshared) hear only that. */
  async function announce(artefactId: string, lostGuardians = false) {
    const facts = await artefactFacts(db, artefactId);
    if (!facts) return;
    const audience = await audienceFacts(db, facts.row.ownerId);
    const artefact = await present(facts.row.ownerId, artefactId);
    const { unreadFeedbackCount: _unread, ...event } = artefact;
    // The event carries the row as read by present(), which may be newer than `facts` (a save in between):
    // guardians hear it only if both reads say it is shared, so private text never reaches them.
    const visibility = event.visibility === 'guardians' ? facts.resource.visibility : event.visibility;
    // Likewise its version (issue 12 §1): a save between the two reads may have made a version that waits for
    // approval (content or a move), which the event would carry; guardians hear only the version they see.
    const view = facts.resource.guardianView;
    const guardianView = { ...view, current: view.current && view.version === event.version };
    const hearing = artefactAudience({ ...facts.resource, visibility, guardianView }, audience);
    for (const userId of hearing) notifier.toUser(userId, 'artefact.updated', { artefact: event });
    if (lostGuardians) {
      for (const userId of audience.guardianIds)
        if (!hearing.includes(userId)) notifier.toUser(userId, 'artefact.access_lost', { artefactId, ownerId: facts.row.ownerId });
    }
  }

  /**
   * Issue 12 §1 and §5, in the save's transaction: what sharing means under the school's rule (share-state.ts).
   * Guardians who now see the item hear of it (shared directly); a share or an edit that waits for approval
   * tells the pupil's teachers instead.
   */
  async function sharing(
    trx: typeof db,
    artefactId: string,
    owner: Actor,
    change: {
      projectId: string | null;
      projectTeacherIds: readonly string[];
      wasShared: boolean;
      shared: boolean;
      version: number;
      contentChanged: boolean;
      title: string;
    },
  ) {
    const outcome = await recordShare(
      trx,
      { subjectType: 'artefact', subjectId: artefactId, ownerId: owner.id, ...change },
      { title: change.title, pupilName: owner.displayName, projectTeacherIds: change.projectTeacherIds },
    );
    const shared = outcome.guardiansNewlyVisible ? await notifyGuardiansOfShare(trx, artefactId, owner.displayName, change.title) : null;
    return { notices: [outcome.notices, shared], event: outcome.event };
  }

  function publishSharing(
    result: { notices: ReadonlyArray<RecordedNotifications | null>; event: GuardianApprovalEvent | null },
    projectTeacherIds: readonly string[],
  ) {
    for (const n of result.notices) n?.publish(notifier);
    if (result.event)
      void publishApprovalEvent(db, notifier, result.event, projectTeacherIds).catch((err: unknown) => deps.logger.warn({ err }, 'approval event not sent'));
  }

  /**
   * Project, phase and goals must fit together and be the pupil's (subjects and competences: reference.check).
   * `executor` is the edit's transaction when there is one: with PGlite, a query beside it would wait for it.
   */
  async function checkPlacement(
    executor: typeof db,
    actor: Actor,
    input: {
      projectId?: string | null | undefined;
      phaseId?: string | null | undefined;
      goalIds?: readonly string[] | undefined;
    },
  ) {
    if (input.phaseId && !input.projectId)
      throw new BadRequest('A phase belongs to a project: choose the project too.', [{ path: 'body.projectId', message: 'is required with a phase' }]);
    if (!input.projectId) {
      if (input.goalIds?.length)
        throw new BadRequest('Goals belong to a project: choose the project too.', [{ path: 'body.projectId', message: 'is required with goals' }]);
      return;
    }
    const groupIds = [...actor.pupilGroupIds];
    // A project of one of the pupil's groups, or the pupil's own (imported) one.
    const project = await executor
      .selectFrom('projects')
      .select('projects.id')
      .where('projects.id', '=', input.projectId)
      .where((eb) =>
        eb.or([
          eb('projects.ownerId', '=', actor.id),
          ...(groupIds.length ? [eb('projects.id', 'in', executor.selectFrom('projectGroups').select('projectId').where('groupId', 'in', groupIds))] : []),
        ]),
      )
      .executeTakeFirst();
    if (!project) throw new BadRequest('You do not take part in that project.', [{ path: 'body.projectId', message: 'must be a project of your group' }]);
    if (input.phaseId) {
      const phase = await executor
        .selectFrom('projectPhases')
        .select('id')
        .where('id', '=', input.phaseId)
        .where('projectId', '=', input.projectId)
        .executeTakeFirst();
      if (!phase) throw new BadRequest('That phase is not part of the project.', [{ path: 'body.phaseId', message: 'must be a phase of the project' }]);
    }
    if (input.goalIds?.length) {
      const goals = await executor.selectFrom('projectGoals').select('id').where('id', 'in', input.goalIds).where('projectId', '=', input.projectId).execute();
      if (goals.length !== new Set(input.goalIds).size)
        throw new BadRequest('Some goals are not part of the project.', [{ path: 'body.goalIds', message: 'must be goals of the project' }]);
    }
  }

  function kindOf(requested: 'drawing' | undefined, media: readonly StoredMedia[], links: readonly unknown[]): ArtefactKind {
    if (requested === 'drawing') return 'drawing';
    const first = media[0];
    if (first) return first.kind;
    return links.length > 0 ? 'link' : 'text';
  }

  async function snapshot(trx: typeof db, artefactId: string, version: number, authorId: string) {
    const a = await trx.selectFrom('artefacts').selectAll().where('id', '=', artefactId).executeTakeFirstOrThrow();
    const media = await trx
      .selectFrom('mediaItems')
      .select('id')
      .where('artefactId', '=', artefactId)
      .where('removedAt', 'is', null)
      .orderBy('position')
      .execute();
    const snap = snapshotOf(
      a,
      media.map((m) => m.id),
    );
    await trx
      .insertInto('artefactVersions')
      .values({ artefactId, version, authorId, snapshot: JSON.stringify(snap) })
      .execute();
  }

  /**
   * One save of an artefact: its fields and any new files in one transaction. A change of content
   * (title, text, links, tags, media) or of placement (project, phase, goals, subjects, competences)
   * makes the next version; a change of state only logs events (artefact-changes.ts). A new version
   * of the content may answer feedback (`answersFeedbackIds`).
   */
  async function save(actor: Actor, artefactId: string, input: UpdateArtefactRequest, files: readonly UploadedFile[], ip?: string): Promise<Artefact> {
    const facts = await readable(actor, artefactId, 'artefact.update');
    await reference.check('body', input);
    const { removeMediaIds, bodyHtml, links, answersFeedbackIds, ...fields } = input;
    if (answersFeedbackIds?.length) authorize(actor, 'feedback.answer', facts.resource, 'The artefact');
    const stored = await storeUploads(deps, files);
    let outcome: { wasShared: boolean; answered: string[]; version: number; shared: Awaited<ReturnType<typeof sharing>> };
    try {
      outcome = await db.transaction().execute(async (trx) => {
        // Concurrent saves of one artefact wait here for each other and so never clash on a version number.
        const current = await lockArtefact(trx, artefactId);
        if (!current || current.deletedAt) throw new NotFound('The artefact');
        const projectId = input.projectId === undefined ? current.projectId : input.projectId;
        const moved = input.projectId !== undefined && input.projectId !== current.projectId;
        const placement = {
          projectId,
          phaseId: input.phaseId === undefined ? (moved ? null : current.phaseId) : input.phaseId,
          goalIds: input.goalIds ?? (moved ? [] : current.goalIds),
        };
        await checkPlacement(trx, actor, placement);
        const after: ArtefactState = {
          title: fields.title ?? current.title,
          bodyHtml: bodyHtml !== undefined ? sanitizeRichText(bodyHtml) : current.bodyHtml,
          links: links ?? current.links,
          tags: fields.tags ?? current.tags,
          status: fields.status ?? current.status,
          visibility: fields.visibility ?? current.visibility,
          ...placement,
          subjectCodes: fields.subjectCodes ?? current.subjectCodes,
          competenceIds: fields.competenceIds ?? current.competenceIds,
        };
        let removed = 0;
        if (removeMediaIds?.length) {
          // Kept for the history; gone from the artefact.
          const result = await trx
            .updateTable('mediaItems')
            .set({ removedAt: new Date() })
            .where('artefactId', '=', artefactId)
            .where('id', 'in', removeMediaIds)
            .where('removedAt', 'is', null)
            .executeTakeFirst();
          removed = Number(result.numUpdatedRows);
        }
        if (stored.length > 0) {
          const last = await trx
            .selectFrom('mediaItems')
            .select(sql<number>`coalesce(max(position), -1)::int`.as('p'))
            .where('artefactId', '=', artefactId)
            .executeTakeFirstOrThrow();
          await attachMedia(
            trx,
            stored.map((media, i) => ({ media, artefactId, ownerId: facts.row.ownerId, position: last.p + 1 + i })),
          );
        }
        const reworked = contentChanged(current, after, removed > 0 || stored.length > 0);
        // Issue 12 §1: a move is a version too, so that under the approval rule it waits for a teacher
        // like an edit, and guardians keep the approved placement meanwhile (guardian-overlay.ts).
        const newVersion = reworked || placementChanged(current, after);
        if (answersFeedbackIds?.length && !reworked)
          throw new BadRequest('Answering feedback needs a change to the work itself: edit the text, title, links, tags or files.', [
            { path: 'body.answersFeedbackIds', message: 'needs a new version' },
          ]);
        const version = newVersion ? current.version + 1 : current.version;
        await trx
          .updateTable('artefacts')
          .set({
            ...fields,
            ...(bodyHtml !== undefined ? { bodyHtml: after.bodyHtml } : {}),
            ...(links !== undefined ? { links: JSON.stringify(links) } : {}),
            // Moving to another project drops the old project's phase and goals.
            ...(moved ? { phaseId: placement.phaseId, goalIds: placement.goalIds } : {}),
            ...(input.status === 'ready' && current.status !== 'ready' ? { readyAt: new Date() } : {}),
            ...(input.status === 'draft' ? { readyAt: null } : {}),
            version,
            updatedAt: new Date(),
          })
          .where('id', '=', artefactId)
          .execute();
        if (newVersion) await snapshot(trx, artefactId, version, actor.id);
        else if (after.visibility === 'guardians' && current.visibility !== 'guardians') await markCurrentVersionShared(trx, artefactId, version);
        await recordEvents(trx, artefactId, actor.id, stateEvents(current, after), after.visibility);
        if (answersFeedbackIds?.length) await linkAnswers(trx, { artefactId, ownerId: facts.row.ownerId, version, feedbackIds: answersFeedbackIds });
        await recordAudit(trx, {
          actorId: actor.id,
          action: stored.length > 0 ? 'artefact.media.add' : 'artefact.update',
          subjectType: 'artefact',
          subjectId: artefactId,
          subjectUserId: facts.row.ownerId,
          details: { fields: Object.keys(input), ...(newVersion ? { version } : {}) },
          ip,
        });
        const shared = await sharing(trx, artefactId, actor, {
          projectId,
          projectTeacherIds: facts.resource.projectTeacherIds,
          wasShared: current.visibility === 'guardians',
          shared: after.visibility === 'guardians',
          version,
          contentChanged: newVersion,
          title: after.title,
        });
        return { wasShared: current.visibility === 'guardians', answered: answersFeedbackIds ?? [], version, shared };
      });
    } catch (err) {
      await discardStored(deps, stored);
      throw err;
    }
    publishSharing(outcome.shared, facts.resource.projectTeacherIds);
    // Only guardians who saw it (shared directly, or approved) hear that it went: a pending item's id never reaches them.
    await announce(artefactId, outcome.wasShared && input.visibility === 'private' && facts.resource.guardianView.version !== null);
    if (outcome.answered.length > 0) {
      // Read again: the save may have unshared it, and a guardian hears only of versions they may see.
      const fresh = await artefactFacts(db, artefactId);
      const audience = fresh ? await audienceOf(db, fresh) : [];
      for (const userId of audience)
        notifier.toUser(userId, 'feedback.answered', { artefactId, feedbackIds: outcome.answered, version: outcome.version, ownerId: facts.row.ownerId });
    }
    return present(actor.id, artefactId);
  }

  return {
    async create(actor: Actor, input: CreateInput, files: readonly UploadedFile[], ip?: string): Promise<Artefact> {
      authorize(actor, 'artefact.create', { type: 'pupil', pupilId: actor.id, schoolIds: [], groupIds: [], projectTeacherIds: [] });
      await reference.check('body', input);
      await checkPlacement(db, actor, input);
      const stored = await storeUploads(deps, files);
      try {
        const { id, shared } = await db.transaction().execute(async (trx) => {
          const artefactId = randomUUID();
          // The shared write path (artefact-writes.ts): the importer writes artefacts, media and versions through it too.
          await insertArtefacts(trx, [
            {
              id: artefactId,
              ownerId: actor.id,
              projectId: input.projectId,
              phaseId: input.phaseId,
              kind: kindOf(input.kind, stored, input.links),
              title: input.title,
              bodyHtml: sanitizeRichText(input.bodyHtml),
              links: input.links,
              subjectCodes: input.subjectCodes,
              competenceIds: input.competenceIds,
              goalIds: input.goalIds,
              tags: input.tags,
              status: input.status,
              readyAt: input.status === 'ready' ? new Date() : null,
              visibility: input.visibility,
              version: 1,
              media: stored.map((media, position) => ({ media, position })),
              author: { authorId: actor.id, importedAuthor: null },
            },
          ]);
          await recordAudit(trx, { actorId: actor.id, action: 'artefact.create', subjectType: 'artefact', subjectId: artefactId, subjectUserId: actor.id, ip });
          const projectTeacherIds = input.projectId
            ? (await trx.selectFrom('projectTeachers').select('userId').where('projectId', '=', input.projectId).execute()).map((t) => t.userId)
            : [];
          const change = {
            projectId: input.projectId ?? null,
            projectTeacherIds,
            wasShared: false,
            shared: true,
            version: 1,
            contentChanged: true,
            title: input.title,
          };
          return {
            id: artefactId,
            shared: input.visibility === 'guardians' ? { ...(await sharing(trx, artefactId, actor, change)), projectTeacherIds } : null,
          };
        });
        if (shared) publishSharing(shared, shared.projectTeacherIds);
        await announce(id);
        return present(actor.id, id);
      } catch (err) {
        await discardStored(deps, stored);
        throw err;
      }
    },

    async get(actor: Actor, artefactId: string): Promise<Artefact> {
      const facts = await readable(actor, artefactId);
      const guardian = historyScope(actor, facts.resource) === 'shared';
      // Issue 12 §1: a guardian sees the last approved version while a newer one waits.
      const [row] = await selectArtefacts(db, actor.id, [sql`a.id = ${artefactId}`]);
      const [shown] = row ? (guardian ? await asGuardiansSee(db, [{ ...row, guardianVersion: facts.resource.guardianView.version }]) : [row]) : [];
      if (!shown) throw new NotFound('The artefact');
      const artefact = presentArtefact(shown);
      // The row may have been unshared between the check and the read: the answer itself must pass the rule.
      authorize(actor, 'artefact.read', { ...facts.resource, visibility: artefact.visibility }, 'The artefact');
      return artefact;
    },

    /** Edits the fields (one save, at most one new version). */
    update: (actor: Actor, artefactId: string, input: UpdateArtefactRequest, ip?: string): Promise<Artefact> => save(actor, artefactId, input, [], ip),

    /**
     * Adds files, with the form's fields in the same request when the save has both: one save
     * makes one version, however many files it brings (issue 10 §4).
     */
    async addMedia(actor: Actor, artefactId: string, files: readonly UploadedFile[], ip?: string, input: UpdateArtefactRequest = {}): Promise<Artefact> {
      if (files.length === 0) throw new BadRequest('Choose at least one file.', [{ path: 'files', message: 'is required' }]);
      return save(actor, artefactId, input, files, ip);
    },

    /** Soft delete: restorable for UNDO_DELETE_SECONDS, then the purge removes the row and its media. */
    async remove(actor: Actor, artefactId: string, ip?: string): Promise<{ ok: true; restoreUntil: string }> {
      const facts = await readable(actor, artefactId, 'artefact.delete');
      const deletedAt = new Date();
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('artefacts').set({ deletedAt }).where('id', '=', artefactId).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'artefact.delete',
          subjectType: 'artefact',
          subjectId: artefactId,
          subjectUserId: facts.row.ownerId,
          ip,
        });
      });
      // The owner and teachers hear it was deleted (the owner may undo it); guardians only that they lost sight of it.
      const audience = await audienceFacts(db, facts.row.ownerId);
      const told = artefactAudience(facts.resource, { ...audience, guardianIds: [] });
      for (const userId of told) notifier.toUser(userId, 'artefact.deleted', { artefactId, ownerId: facts.row.ownerId });
      for (const userId of artefactAudience(facts.resource, audience))
        if (!told.includes(userId)) notifier.toUser(userId, 'artefact.access_lost', { artefactId, ownerId: facts.row.ownerId });
      return { ok: true, restoreUntil: new Date(deletedAt.getTime() + UNDO_DELETE_SECONDS * 1000).toISOString() };
    },

    async restore(actor: Actor, artefactId: string, ip?: string): Promise<Artefact> {
      const facts = await artefactFacts(db, artefactId);
      if (!facts) throw new NotFound('The artefact');
      authorize(actor, 'artefact.delete', facts.resource, 'The artefact');
      const cutoff = new Date(Date.now() - UNDO_DELETE_SECONDS * 1000);
      const restored = await db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('artefacts')
          .set({ deletedAt: null })
          .where('id', '=', artefactId)
          .where('deletedAt', '>', cutoff)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'artefact.restore',
          subjectType: 'artefact',
          subjectId: artefactId,
          subjectUserId: facts.row.ownerId,
          ip,
        });
        return true;
      });
      if (!restored && facts.row.deletedAt) throw new BadRequest('It is too late to undo this deletion.');
      await announce(artefactId);
      return present(actor.id, artefactId);
    },

    /**
     * The artefact's versions, newest first, with the feedback each answered, and its events (ready,
     * shared, moved): a guardian sees only versions and events from while it was shared (policy's historyScope).
     */
    async history(actor: Actor, artefactId: string) {
      const facts = await readable(actor, artefactId);
      const scope = historyScope(actor, facts.resource);
      const [rows, answers, events] = await Promise.all([
        historyRows(db, artefactId, scope, {
          seesVersion: (v) => guardianSeesVersion(facts.resource, v),
          seesFile: (_id, removed, versions) => guardianSeesFile({ type: 'media', artefact: facts.resource, removed, versions }),
        }),
        answersByVersion(db, artefactId),
        eventRows(db, artefactId, scope),
      ]);
      return {
        versions: rows.map((r, i) => ({
          version: r.version,
          author: r.authorId && r.authorName ? { id: r.authorId, displayName: r.authorName } : null,
          importedAuthor: r.importedAuthor ? { displayName: r.importedAuthor.displayName, role: r.importedAuthor.role } : null,
          createdAt: r.createdAt.toISOString(),
          title: r.snapshot.title,
          bodyHtml: r.snapshot.bodyHtml,
          status: r.snapshot.status,
          visibility: r.snapshot.visibility,
          mediaIds: r.snapshot.mediaIds,
          // Rows are newest first: the one after this is the version before it among those this reader sees.
          moved: movedFrom(rows[i + 1]?.snapshot, r.snapshot),
          answers: answers.get(r.version) ?? [],
        })),
        events: events.map((e) => ({
          kind: e.kind,
          to: typeof e.details.to === 'string' ? e.details.to : null,
          actor: e.actorId && e.actorName ? { id: e.actorId, displayName: e.actorName } : null,
          createdAt: e.createdAt.toISOString(),
        })),
      };
    },

    /**
     * A short-lived signed URL for one variant of a media file, after the policy check: 404 when the
     * actor may not see the artefact, or the file was removed and they are not its owner or teacher.
     */
    async mediaUrl(actor: Actor, mediaId: string, variant: MediaVariant): Promise<string> {
      const media = await mediaFacts(db, mediaId);
      if (!media) throw new NotFound('The file');
      const facts = await readable(actor, media.artefactId);
      authorize(actor, 'media.read', { type: 'media', artefact: facts.resource, removed: media.removedAt !== null, versions: media.versions }, 'The file');
      const key = media.variants[variant];
      if (!key) throw new NotFound('The file');
      return deps.blobs.signedUrl(key, {
        expiresInSeconds: MEDIA_URL_SECONDS,
        ...(variant === 'original' && media.originalName ? { downloadName: media.originalName } : {}),
        // A guardian's URL is checked again when used: a file removed or unshared meanwhile no longer opens.
        ...(historyScope(actor, facts.resource) === 'shared' ? { recheck: `${RECHECK_GUARDIAN}${actor.id}:${mediaId}` } : {}),
      });
    },

    /** The blob route's second look at a guardian's signed URL (see mediaUrl): still allowed now? */
    recheckMediaUrl: async (reference: string): Promise<boolean> => {
      const [guardianId, mediaId] = reference.startsWith(RECHECK_GUARDIAN) ? reference.slice(RECHECK_GUARDIAN.length).split(':') : [];
      if (!guardianId || !mediaId) return false;
      const media = await mediaFacts(db, mediaId);
      const facts = media ? await artefactFacts(db, media.artefactId) : null;
      if (!media || !facts || facts.row.deletedAt) return false;
      const resource = { type: 'media' as const, artefact: facts.resource, removed: media.removedAt !== null, versions: media.versions };
      return guardianStillSees(resource, await isGuardianOf(db, guardianId, facts.row.ownerId));
    },

    /** One page of a pupil's portfolio, newest first, keyset-paginated on (createdAt, id). */
    async timeline(actor: Actor, pupilId: string, query: TimelineInput): Promise<TimelinePage> {
      const before = query.cursor ? decodeCursor(query.cursor) : null;
      const filter = { ...query, before };
      // The page is read with the pupil's facts in one round trip, for the scope the policy most likely
      // gives (a guardian who is not otherwise the pupil's teacher: shared; anyone else: all). The policy
      // decides on the facts below; the rows are used only if its scope is the one they were read with.
      const likely =
        actor.id !== pupilId && actor.childIds.has(pupilId) && actor.teacherGroupIds.size === 0 ? ({ kind: 'shared' } as const) : ({ kind: 'all' } as const);
      const read = await timelineWithPupilFacts(db, actor.id, pupilId, likely, filter, query.limit + 1);
      const { pupil } = read;
      if (!pupil) throw new NotFound('The pupil');
      authorize(actor, 'portfolio.read', pupil.resource, 'The pupil');
      const scope = portfolioScope(actor, pupil.resource, pupil.projectsTaughtBy(actor.id));
      if (!scope) throw new NotFound('The pupil');
      if (scope.kind === 'projects' && scope.projectIds.length === 0) return { items: [], nextCursor: null };
      const rows = scope.kind === likely.kind ? read.rows : await timelineRows(db, actor.id, pupilId, scope, filter, query.limit + 1);
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      // Issue 12 §1: a guardian's page shows the last approved version of an item whose edit waits.
      const shown = scope.kind === 'shared' ? await asGuardiansSee(db, page) : page;
      return {
        items: shown.map(presentArtefact),
        nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
      };
    },

    /** The tags used in a pupil's portfolio, within what the viewer may see: the timeline's filter chips. */
    tags: (actor: Actor, pupilId: string) => pupilTags(db, actor, pupilId),

    readable,
    /** After a change another module made (an approval): everyone who now sees the artefact hears of it. */
    announce,
  };
}
export type ArtefactsService = ReturnType<typeof artefactsService>;

/** Whether a version's placement differs from the one before it (none before: no move). */
function movedFrom(before: ArtefactSnapshot | undefined, after: ArtefactSnapshot): boolean {
  return before !== undefined && placementChanged(before, after);
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at);
  if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new BadRequest('The page cursor is not valid: start from the first page.', [{ path: 'query.cursor', message: 'is not a cursor this server gave' }]);
  }
  return { createdAt, id };
}
