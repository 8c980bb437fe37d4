import { sql } from 'kysely';
import type { z } from 'zod';
import type { ApprovalQueue, ApprovalQueueItem, ArtefactSharing, approveRequestSchema, returnRequestSchema } from '../../../shared/api/guardian-sharing.ts';
import type { GuardianSharingMode, SchoolGuardianSharing } from '../../../shared/api/org.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { Conflict, NotFound } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import type { ArtefactsService } from '../artefacts/artefacts.service.ts';
import { artefactFactsMany, lockArtefact } from '../artefacts/artefacts.repo.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { recordNotifications } from '../notifications/notifications.service.ts';
import { approvalRequiredFor, approvalRequiredSql, sharingDb } from './guardian-sharing.sql.ts';
import { isApprovalRequired, notifyGuardiansOfShare, publishApprovalEvent } from './share-state.ts';
import { approveSharedShowcasesOfSchool, showcaseApprovalService } from './showcase-approval.service.ts';

export interface GuardianSharingDeps {
  db: Db;
  notifier: Notifier;
  artefacts: ArtefactsService;
}

/** The queue shows at most this many items (the oldest first): a teacher works through it from the top. */
const QUEUE_MAX = 200;

type Decision = { kind: 'approve'; input: z.output<typeof approveRequestSchema> } | { kind: 'return'; input: z.output<typeof returnRequestSchema> };

/**
 * Issue 12 §1: the school's rule, the teachers' approval queue and their decisions, and an item's sharing state.
 * The share action itself is the artefact's save (share-state.ts records it in the save's transaction).
 */
export function guardianSharingService({ db, notifier, artefacts }: GuardianSharingDeps) {
  const sdb = sharingDb(db);
  const showcaseApprovals = showcaseApprovalService({ db, notifier });

  async function decide(actor: Actor, artefactId: string, decision: Decision, ip?: string): Promise<ArtefactSharing> {
    const facts = await artefacts.readable(actor, artefactId);
    authorize(actor, 'guardianApproval.decide', facts.resource, 'The artefact');
    const { version, note } = decision.input;
    const notices = await db.transaction().execute(async (trx) => {
      // The artefact's lock orders this after any save in progress (which may ask for approval anew).
      const current = await lockArtefact(trx, artefactId);
      const row = await sharingDb(trx)
        .selectFrom('guardianShares')
        .selectAll()
        .where('subjectType', '=', 'artefact')
        .where('subjectId', '=', artefactId)
        .forUpdate()
        .executeTakeFirst();
      if (!current || current.deletedAt) throw new NotFound('The artefact');
      const waiting = row?.state === 'pending' && current.visibility === 'guardians' && (await isApprovalRequired(trx, artefactId));
      if (!row || !waiting) throw new Conflict('This work no longer waits for approval: the pupil may have stopped sharing it.');
      if (row.requestedVersion !== version || current.version !== version)
        throw new Conflict('The pupil changed the work after you opened it: look at the new version first.');
      const now = new Date();
      const approve = decision.kind === 'approve';
      await sharingDb(trx)
        .updateTable('guardianShares')
        .set({
          state: approve ? 'approved' : 'returned',
          note: note ?? null,
          decidedBy: actor.id,
          decidedAt: now,
          ...(approve
            ? {
                approvedVersion: version,
                approvedVersions: sql<
                  number[]
                >`case when ${version}::int = any(approved_versions) then approved_versions else array_append(approved_versions, ${version}::int) end`,
                visibleSince: row.visibleSince ?? now,
              }
            : {}),
        })
        .where('subjectType', '=', 'artefact')
        .where('subjectId', '=', artefactId)
        .execute();
      await recordAudit(trx, {
        actorId: actor.id,
        action: approve ? 'artefact.guardian_approve' : 'artefact.guardian_return',
        subjectType: 'artefact',
        subjectId: artefactId,
        subjectUserId: facts.row.ownerId,
        details: { version },
        ip,
      });
      const owner = await trx.selectFrom('users').select('displayName').where('id', '=', facts.row.ownerId).executeTakeFirstOrThrow();
      const data = { artefactId, pupilId: facts.row.ownerId, title: current.title, teacherName: actor.displayName, note: note ?? null };
      return [
        await recordNotifications(trx, [{ recipientId: facts.row.ownerId, kind: approve ? 'item_approved' : 'item_returned', data }]),
        // shared_work only when guardians first see it (a re-approved edit is the same shared item).
        approve && row.approvedVersion === null ? await notifyGuardiansOfShare(trx, artefactId, owner.displayName, current.title) : null,
      ];
    });
    for (const n of notices) n?.publish(notifier);
    await publishApprovalEvent(
      db,
      notifier,
      { subjectType: 'artefact', subjectId: artefactId, ownerId: facts.row.ownerId, state: decision.kind === 'approve' ? 'approved' : 'returned' },
      facts.resource.projectTeacherIds,
    );
    if (decision.kind === 'approve') await artefacts.announce(artefactId);
    return stateOf(artefactId);
  }

  async function stateOf(artefactId: string): Promise<ArtefactSharing> {
    const [row, approvalRequired] = await Promise.all([
      sdb
        .selectFrom('guardianShares')
        .leftJoin('users', 'users.id', 'guardianShares.decidedBy')
        .select([
          'guardianShares.state',
          'guardianShares.requestedVersion',
          'guardianShares.approvedVersion',
          'guardianShares.note',
          'guardianShares.decidedAt',
          'guardianShares.shareHistory',
          'users.id as deciderId',
          'users.displayName as deciderName',
        ])
        .where('guardianShares.subjectType', '=', 'artefact')
        .where('guardianShares.subjectId', '=', artefactId)
        .executeTakeFirst(),
      isApprovalRequired(db, artefactId),
    ]);
    return {
      approvalRequired,
      state: approvalRequired ? (row?.state ?? null) : null,
      requestedVersion: row?.requestedVersion ?? null,
      approvedVersion: row?.approvedVersion ?? null,
      note: row?.note ?? null,
      decidedBy: row?.deciderId && row.deciderName ? { id: row.deciderId, displayName: row.deciderName } : null,
      decidedAt: row?.decidedAt ? row.decidedAt.toISOString() : null,
      shareHistory: row?.shareHistory ?? false,
    };
  }

  return {
    // --- The school's rule ---
    async schoolSetting(actor: Actor, schoolId: string): Promise<SchoolGuardianSharing> {
      authorize(actor, 'school.read', { type: 'school', schoolId }, 'The school');
      const row = await sdb.selectFrom('schools').select('guardianSharing').where('id', '=', schoolId).executeTakeFirst();
      if (!row) throw new NotFound('The school');
      return { guardianSharing: row.guardianSharing };
    },

    /**
     * Turning approval on does not take from guardians what they see already: work shared directly under this
     * school's rule counts as approved in its present version (edits after it wait for approval).
     */
    async setSchoolSetting(actor: Actor, schoolId: string, mode: GuardianSharingMode, ip?: string): Promise<SchoolGuardianSharing> {
      authorize(actor, 'school.update', { type: 'school', schoolId }, 'The school');
      await db.transaction().execute(async (trx) => {
        const updated = await sharingDb(trx)
          .updateTable('schools')
          .set({ guardianSharing: mode, updatedAt: new Date() })
          .where('id', '=', schoolId)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) throw new NotFound('The school');
        if (mode === 'approval')
          await sql`
            insert into guardian_shares (subject_type, subject_id, owner_id, visible_since, state, approved_version, approved_versions, decided_at)
            select 'artefact', a.id, a.owner_id, coalesce(a.updated_at, now()), 'approved', a.version, array[a.version], now()
            from artefacts a
            where a.visibility = 'guardians' and a.deleted_at is null and ${approvalRequiredSql('a')}
              and (a.project_id in (select id from projects where school_id = ${schoolId})
                   or (a.project_id is null and a.owner_id in (select user_id from school_roles where school_id = ${schoolId} and role = 'pupil')))
            on conflict (subject_type, subject_id) do update
              set state = 'approved', approved_version = excluded.approved_version, approved_versions = excluded.approved_versions,
                  decided_at = excluded.decided_at, visible_since = coalesce(guardian_shares.visible_since, excluded.visible_since)
              where guardian_shares.state is null`.execute(trx);
        if (mode === 'approval') await approveSharedShowcasesOfSchool(trx, schoolId);
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'school.update',
          subjectType: 'school',
          subjectId: schoolId,
          details: { fields: ['guardianSharing'] },
          ip,
        });
      });
      return { guardianSharing: mode };
    },

    // --- The teachers' queue ---
    /** What waits for this teacher's approval (pupils of their groups, work in their projects), oldest first. */
    async queue(actor: Actor, query: { groupId?: string | undefined }): Promise<ApprovalQueue> {
      const groups = [...actor.teacherGroupIds];
      const rows = await sql<{
        id: string;
        title: string;
        kind: ApprovalQueueItem['kind'];
        ownerId: string;
        ownerName: string;
        version: number;
        requestedAt: Date;
        approvedVersion: number | null;
      }>`
        select a.id, a.title, a.kind, a.owner_id as "ownerId", u.display_name as "ownerName", gs.requested_version as version,
               gs.requested_at as "requestedAt", gs.approved_version as "approvedVersion"
        from guardian_shares gs
        join artefacts a on a.id = gs.subject_id
        join users u on u.id = a.owner_id
        where gs.subject_type = 'artefact' and gs.state = 'pending' and a.deleted_at is null and a.visibility = 'guardians'
          and a.version = gs.requested_version
          and ${approvalRequiredFor(sql`a.project_id`, sql`a.owner_id`)}
          and (a.owner_id in (select m.user_id from memberships m where m.role = 'pupil' and m.group_id = any(${groups}::uuid[]))
               or a.project_id in (select pt.project_id from project_teachers pt where pt.user_id = ${actor.id}))
          ${query.groupId ? sql`and a.owner_id in (select m.user_id from memberships m where m.role = 'pupil' and m.group_id = ${query.groupId})` : sql``}
        order by gs.requested_at, a.id
        limit ${QUEUE_MAX}`.execute(db);
      // The SQL narrows; the policy decides (a card session, a pupil's own work).
      const facts = await artefactFactsMany(
        db,
        rows.rows.map((r) => r.id),
      );
      const items = rows.rows.filter((r) => {
        const f = facts.get(r.id);
        return f !== undefined && can(actor, 'guardianApproval.decide', f.resource);
      });
      const artefactItems = items.map((r) => ({
        subjectType: 'artefact' as const,
        artefactId: r.id,
        title: r.title,
        kind: r.kind,
        owner: { id: r.ownerId, displayName: r.ownerName },
        version: r.version,
        requestedAt: new Date(r.requestedAt).toISOString(),
        reapproval: r.approvedVersion !== null,
      }));
      // Showcases wait in the same queue (issue 12 §1), oldest first among the works.
      const showcaseItems = await showcaseApprovals.queue(actor, query, QUEUE_MAX);
      return {
        items: [...artefactItems, ...showcaseItems].sort((x, y) => x.requestedAt.localeCompare(y.requestedAt)).slice(0, QUEUE_MAX),
      };
    },

    approve: (actor: Actor, artefactId: string, input: z.output<typeof approveRequestSchema>, ip?: string) =>
      decide(actor, artefactId, { kind: 'approve', input }, ip),
    return: (actor: Actor, artefactId: string, input: z.output<typeof returnRequestSchema>, ip?: string) =>
      decide(actor, artefactId, { kind: 'return', input }, ip),

    approveShowcase: showcaseApprovals.approve,
    returnShowcase: showcaseApprovals.return,

    // --- One item's state, and the pupil's history choice ---
    async state(actor: Actor, artefactId: string): Promise<ArtefactSharing> {
      const facts = await artefacts.readable(actor, artefactId);
      authorize(actor, 'guardianSharing.read', facts.resource, 'The artefact');
      return stateOf(artefactId);
    },

    async setShareHistory(actor: Actor, artefactId: string, shareHistory: boolean, ip?: string): Promise<ArtefactSharing> {
      const facts = await artefacts.readable(actor, artefactId);
      authorize(actor, 'guardianSharing.update', facts.resource, 'The artefact');
      await db.transaction().execute(async (trx) => {
        await sharingDb(trx)
          .insertInto('guardianShares')
          .values({ subjectType: 'artefact', subjectId: artefactId, ownerId: facts.row.ownerId, shareHistory, visibleSince: null, state: null })
          .onConflict((oc) => oc.columns(['subjectType', 'subjectId']).doUpdateSet({ shareHistory }))
          .execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'artefact.update',
          subjectType: 'artefact',
          subjectId: artefactId,
          subjectUserId: facts.row.ownerId,
          details: { fields: ['shareHistory'] },
          ip,
        });
      });
      // Open pages read the history and thread again (guardians: what they see changed).
      await artefacts.announce(artefactId);
      return stateOf(artefactId);
    },
  };
}
export type GuardianSharingService = ReturnType<typeof guardianSharingService>;
