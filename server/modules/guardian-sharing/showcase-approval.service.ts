import { sql } from 'kysely';
import type { z } from 'zod';
import type {
  approveShowcaseRequestSchema,
  returnShowcaseRequestSchema,
  ShowcaseApproval,
  ShowcaseApprovalQueueItem,
} from '../../../shared/api/guardian-sharing.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can, showcaseAudience } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { Conflict, NotFound } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { recordNotifications } from '../notifications/notifications.service.ts';
import type { ShowcaseTables } from '../showcases/showcase-tables.ts';
import { lockShowcase, showcaseAudienceFacts, showcaseFacts, showcaseFactsMany, type ShowcaseFacts } from '../showcases/showcases.repo.ts';
import { showcaseApprovalRequiredSql, showcaseFingerprintSql, showcaseGuardianApprovedSql, showcaseWaitingSql } from './guardian-sharing.sql.ts';
import type { GuardianSharingTables } from './guardian-sharing.sql.ts';
import { notifyGuardiansOfShowcase, publishApprovalEvent } from './share-state.ts';

/**
 * Issue 12 §1 for showcases: the teachers' queue entries and decisions. A showcase has no versions, so a decision
 * is about its content fingerprint (showcaseFingerprintSql): approving stores the fingerprint the teacher looked
 * at, and guardians see the showcase only while its content still has it. Whether it waits is derived from the
 * content too (showcaseWaitingSql), so an edit anywhere in it (its text, order, or a work in it) puts it back in
 * the queue without a hook in the artefacts module; the share itself goes through recordShare (showcases.service).
 */
/** guardian_shares beside the showcases they name (both declared beside their modules). */
const tables = (db: Db) => db.withTables<GuardianSharingTables & ShowcaseTables>();

type Decision =
  { kind: 'approve'; input: z.output<typeof approveShowcaseRequestSchema> } | { kind: 'return'; input: z.output<typeof returnShowcaseRequestSchema> };

/** The approval state of one showcase as its pupil and teachers see it (null: no row read; call only where approval applies). */
export async function showcaseApprovalOf(db: Db, showcaseId: string): Promise<ShowcaseApproval | null> {
  const row = await tables(db)
    .selectFrom('showcases as s')
    .leftJoin('guardianShares as gs', (j) => j.on('gs.subjectType', '=', 'showcase').onRef('gs.subjectId', '=', 's.id'))
    .leftJoin('users as u', 'u.id', 'gs.decidedBy')
    .select([
      showcaseFingerprintSql('s').as('fingerprint'),
      showcaseGuardianApprovedSql('s').as('approved'),
      'gs.state',
      'gs.decidedFingerprint',
      'gs.approvedFingerprint',
      'gs.note',
      'gs.decidedAt',
      'u.id as deciderId',
      'u.displayName as deciderName',
    ])
    .where('s.id', '=', showcaseId)
    .executeTakeFirst();
  if (!row) return null;
  // The last decision holds while the content is what it was about; any other content waits.
  const decided = row.decidedFingerprint === row.fingerprint && (row.state === 'approved' || row.state === 'returned');
  const state = decided && row.state ? row.state : 'pending';
  return {
    state,
    reapproval: state === 'pending' && row.approvedFingerprint !== null,
    fingerprint: row.fingerprint,
    visibleToGuardians: row.approved === true,
    note: row.note ?? null,
    decidedBy: row.deciderId && row.deciderName ? { id: row.deciderId, displayName: row.deciderName } : null,
    decidedAt: row.decidedAt ? new Date(row.decidedAt).toISOString() : null,
  };
}

/**
 * When a school turns approval on: its pupils' showcases shared with guardians count as approved in their present
 * content (as its shared works do, guardian-sharing.service), so guardians keep what they see; a later change waits.
 */
export async function approveSharedShowcasesOfSchool(trx: Db, schoolId: string): Promise<void> {
  await sql`
    insert into guardian_shares (subject_type, subject_id, owner_id, visible_since, state, approved_fingerprint, decided_fingerprint, decided_at)
    select 'showcase', f.id, f.owner_id, f.since, 'approved', f.fp, f.fp, now()
    from (select s.id, s.owner_id, coalesce(s.updated_at, now()) as since, ${showcaseFingerprintSql('s')} as fp
          from showcases s
          where s.visibility in ('guardians', 'project') and ${showcaseApprovalRequiredSql('s')}
            and (s.project_id in (select id from projects where school_id = ${schoolId})
                 or (s.project_id is null and s.owner_id in (select user_id from school_roles where school_id = ${schoolId} and role = 'pupil'))
                 -- A showcase elsewhere that holds this school's work asks this school's rule too (showcaseApprovalRequiredSql).
                 or exists (select 1 from showcase_items si join artefacts sa on sa.id = si.artefact_id
                            where si.showcase_id = s.id and sa.owner_id = s.owner_id
                              and (sa.project_id in (select id from projects where school_id = ${schoolId})
                                   or (sa.project_id is null and s.owner_id in (select user_id from school_roles where school_id = ${schoolId} and role = 'pupil')))))) f
    on conflict (subject_type, subject_id) do update
      set state = 'approved', approved_fingerprint = excluded.approved_fingerprint, decided_fingerprint = excluded.decided_fingerprint,
          decided_at = excluded.decided_at, visible_since = coalesce(guardian_shares.visible_since, excluded.visible_since)
      where guardian_shares.state is null`.execute(trx);
}

export function showcaseApprovalService({ db, notifier }: { db: Db; notifier: Notifier }) {
  /** After commit: the showcase's readers (now and before: guardians gain or lose it) read it again. */
  async function announce(facts: readonly ShowcaseFacts[]) {
    const ids = new Set<string>();
    for (const f of facts) {
      const audience = await showcaseAudienceFacts(db, f.row.ownerId, f.resource.projectGroupIds);
      for (const id of showcaseAudience(f.resource, audience)) ids.add(id);
    }
    const first = facts[0];
    if (first) for (const id of ids) notifier.toUser(id, 'showcase.changed', { showcaseId: first.row.id, ownerId: first.row.ownerId });
  }

  async function decide(actor: Actor, showcaseId: string, decision: Decision, ip?: string): Promise<ShowcaseApproval> {
    const before = await showcaseFacts(db, showcaseId);
    if (!before) throw new NotFound('The showcase');
    authorize(actor, 'showcaseApproval.decide', before.resource, 'The showcase');
    const { fingerprint, note } = decision.input;
    const approve = decision.kind === 'approve';
    const notices = await db.transaction().execute(async (trx) => {
      // The showcase's lock orders this after a share or an item change in progress.
      if (!(await lockShowcase(trx, showcaseId))) throw new NotFound('The showcase');
      const now = await tables(trx)
        .selectFrom('showcases as s')
        .select(['s.title', showcaseWaitingSql('s').as('waiting'), showcaseFingerprintSql('s').as('fingerprint')])
        .where('s.id', '=', showcaseId)
        .executeTakeFirstOrThrow();
      if (!now.waiting) throw new Conflict('This showcase no longer waits for approval: the pupil may have stopped sharing it, or it was decided already.');
      // A work in it may change without the showcase's lock: the stored fingerprint is the one the teacher saw, so
      // content changed meanwhile is never what guardians are shown (it does not match, and waits again).
      if (now.fingerprint !== fingerprint) throw new Conflict('The pupil changed the showcase after you opened it: look at it again first.');
      const decidedAt = new Date();
      const values = {
        state: approve ? ('approved' as const) : ('returned' as const),
        note: note ?? null,
        decidedBy: actor.id,
        decidedAt,
        decidedFingerprint: fingerprint,
        ...(approve ? { approvedFingerprint: fingerprint } : {}),
      };
      const previous = await tables(trx)
        .selectFrom('guardianShares')
        .select(['approvedFingerprint', 'visibleSince'])
        .where('subjectType', '=', 'showcase')
        .where('subjectId', '=', showcaseId)
        .forUpdate()
        .executeTakeFirst();
      await tables(trx)
        .insertInto('guardianShares')
        .values({
          subjectType: 'showcase',
          subjectId: showcaseId,
          ownerId: before.row.ownerId,
          visibleSince: approve ? decidedAt : null,
          requestedVersion: null,
          requestedAt: null,
          approvedVersion: null,
          ...values,
        })
        .onConflict((oc) =>
          oc.columns(['subjectType', 'subjectId']).doUpdateSet({
            ...values,
            ...(approve ? { visibleSince: sql<Date>`coalesce(guardian_shares.visible_since, ${decidedAt})` } : {}),
          }),
        )
        .execute();
      await recordAudit(trx, {
        actorId: actor.id,
        action: approve ? 'showcase.guardian_approve' : 'showcase.guardian_return',
        subjectType: 'showcase',
        subjectId: showcaseId,
        subjectUserId: before.row.ownerId,
        details: { fingerprint, reapproval: previous?.approvedFingerprint != null },
        ip: ip ?? null,
      });
      const data = { showcaseId, pupilId: before.row.ownerId, title: now.title, teacherName: actor.displayName, note: note ?? null };
      const toPupil = await recordNotifications(trx, [{ recipientId: before.row.ownerId, kind: approve ? 'showcase_approved' : 'showcase_returned', data }]);
      // The first approval lets guardians see it: they hear of it as of a showcase shared directly (not on re-approvals).
      const firstSeen = approve && !previous?.visibleSince;
      const owner = firstSeen ? await trx.selectFrom('users').select('displayName').where('id', '=', before.row.ownerId).executeTakeFirst() : undefined;
      const toGuardians = owner ? await notifyGuardiansOfShowcase(trx, showcaseId, owner.displayName) : null;
      return [toPupil, toGuardians];
    });
    for (const n of notices) n?.publish(notifier);
    await publishApprovalEvent(
      db,
      notifier,
      { subjectType: 'showcase', subjectId: showcaseId, ownerId: before.row.ownerId, state: approve ? 'approved' : 'returned' },
      before.resource.projectTeacherIds,
    );
    const after = await showcaseFacts(db, showcaseId);
    await announce(after ? [before, after] : [before]);
    const state = await showcaseApprovalOf(db, showcaseId);
    if (!state) throw new NotFound('The showcase');
    return state;
  }

  return {
    /**
     * The showcases of the teacher's pupils that wait (as showcaseWaitingSql says), oldest first: those of pupils
     * in the teacher's groups (one group's with groupId), or of pupils in projects the teacher teaches.
     */
    async queue(actor: Actor, query: { groupId?: string | undefined }, max: number): Promise<ShowcaseApprovalQueueItem[]> {
      const groups = [...actor.teacherGroupIds];
      const { rows } = await sql<{
        id: string;
        title: string;
        ownerId: string;
        ownerName: string;
        fingerprint: string;
        requestedAt: Date;
        reapproval: boolean;
      }>`
        select q.* from (
          select s.id, s.title, s.owner_id as "ownerId", u.display_name as "ownerName", ${showcaseFingerprintSql('s')} as fingerprint,
                 -- A new share waits since it was shared; a changed one since its last change or decision.
                 coalesce(case when gs.state = 'pending' then gs.requested_at end, greatest(s.updated_at, gs.decided_at), s.updated_at) as "requestedAt",
                 gs.approved_fingerprint is not null as reapproval
          from showcases s
          join users u on u.id = s.owner_id
          left join guardian_shares gs on gs.subject_type = 'showcase' and gs.subject_id = s.id
          where s.visibility in ('guardians', 'project') and ${showcaseWaitingSql('s')}
            and (s.owner_id in (select m.user_id from memberships m where m.role = 'pupil' and m.group_id = any(${groups}::uuid[]))
                 or s.project_id in (select pt.project_id from project_teachers pt where pt.user_id = ${actor.id}))
            ${query.groupId ? sql`and s.owner_id in (select m.user_id from memberships m where m.role = 'pupil' and m.group_id = ${query.groupId})` : sql``}
        ) q
        order by q."requestedAt", q.id
        limit ${max}`.execute(db);
      // The SQL narrows; the policy decides (a card session, a pupil's own showcase).
      const facts = await showcaseFactsMany(
        db,
        rows.map((r) => r.id),
      );
      return rows
        .filter((r) => {
          const f = facts.get(r.id);
          return f !== undefined && can(actor, 'showcaseApproval.decide', f.resource);
        })
        .map((r) => ({
          subjectType: 'showcase' as const,
          showcaseId: r.id,
          title: r.title,
          owner: { id: r.ownerId, displayName: r.ownerName },
          fingerprint: r.fingerprint,
          requestedAt: new Date(r.requestedAt).toISOString(),
          reapproval: r.reapproval,
        }));
    },

    approve: (actor: Actor, showcaseId: string, input: z.output<typeof approveShowcaseRequestSchema>, ip?: string) =>
      decide(actor, showcaseId, { kind: 'approve', input }, ip),
    return: (actor: Actor, showcaseId: string, input: z.output<typeof returnShowcaseRequestSchema>, ip?: string) =>
      decide(actor, showcaseId, { kind: 'return', input }, ip),
  };
}
export type ShowcaseApprovalService = ReturnType<typeof showcaseApprovalService>;
