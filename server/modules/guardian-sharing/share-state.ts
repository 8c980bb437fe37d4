import { sql } from 'kysely';
import type { GuardianApprovalEvent } from '../../../shared/realtime.ts';
import { approverIds, artefactAudience, showcaseSharedWithGuardians } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { artefactFacts, audienceFacts } from '../artefacts/artefacts.repo.ts';
import { recordNotifications, type RecordedNotifications } from '../notifications/notifications.service.ts';
import { showcaseFacts } from '../showcases/showcases.repo.ts';
import { approvalRequiredSql, sharingDb, showcaseApprovalRequiredSql, type ApprovalState, type SharedSubjectType } from './guardian-sharing.sql.ts';

/**
 * Issue 12 §1: the hook a share action calls inside its transaction (the artefact's save and create; a
 * showcase's change of sharing, with subjectType 'showcase'). It records what sharing with guardians means under the
 * school's rule: shared directly (guardians see it from now), or waiting in the teachers' approval queue
 * (a new share, or an edit of the content of an approved item: guardians keep the last approved version).
 * Un-sharing takes it from guardians at once and out of the queue.
 */
export interface ShareChange {
  subjectType: SharedSubjectType;
  subjectId: string;
  ownerId: string;
  /** The subject's project (its school's rule applies), or null (any of the owner's schools). */
  projectId: string | null;
  wasShared: boolean;
  shared: boolean;
  /** The subject's current version after the change (null: a showcase, whose content a fingerprint names instead). */
  version: number | null;
  /** The change made a new version (of the content or the placement: a re-approval under the approval rule). */
  contentChanged: boolean;
}

export interface ShareOutcome {
  approvalRequired: boolean;
  /** Guardians see it from this change on (shared directly): the producer notifies them (shared_work). */
  guardiansNewlyVisible: boolean;
  /** approval_requested notifications for the pupil's teachers (to publish after the commit). */
  notices: RecordedNotifications | null;
  /** The queue changed: publish with `publishApprovalEvent` after the commit. */
  event: GuardianApprovalEvent | null;
}

/** Who a request for approval goes to: the subject's project teachers and the owner's group teachers. */
export interface RequestNotice {
  title: string;
  pupilName: string;
  projectTeacherIds: readonly string[];
}

/** The columns a share action writes (the subject's key and owner aside). */
type ShareColumns = {
  state: ApprovalState | null;
  requestedVersion: number | null;
  requestedAt: Date | null;
  approvedVersion: number | null;
  approvedVersions: number[];
  note: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  visibleSince: Date | null;
  approvedFingerprint: string | null;
  decidedFingerprint: string | null;
};

/** The artefact's rule as it stands (approvalRequiredSql: its project's school, and that of the version guardians were approved to see). */
export async function isApprovalRequired(db: Db, artefactId: string): Promise<boolean> {
  const { rows } = await sql<{ required: boolean }>`select ${approvalRequiredSql('a')} as required from artefacts a where a.id = ${artefactId}`.execute(db);
  // No row (it cannot be shared then): the stricter answer.
  return rows[0]?.required ?? true;
}

/** The same for a showcase as it stands: its project's school, or any of its works' (showcaseApprovalRequiredSql). */
async function isShowcaseApprovalRequired(db: Db, showcaseId: string): Promise<boolean> {
  const { rows } = await sql<{ required: boolean }>`select ${showcaseApprovalRequiredSql('s')} as required from showcases s where s.id = ${showcaseId}`.execute(
    db,
  );
  return rows[0]?.required ?? true;
}

export async function recordShare(trx: Db, c: ShareChange, notice: RequestNotice): Promise<ShareOutcome> {
  const sdb = sharingDb(trx);
  // A showcase asks its own rule (its works' schools too); its caller has written its new project already.
  const approvalRequired = c.subjectType === 'showcase' ? await isShowcaseApprovalRequired(trx, c.subjectId) : await isApprovalRequired(trx, c.subjectId);
  const key = { subjectType: c.subjectType, subjectId: c.subjectId };
  const row = await sdb
    .selectFrom('guardianShares')
    .selectAll()
    .where('subjectType', '=', c.subjectType)
    .where('subjectId', '=', c.subjectId)
    .forUpdate()
    .executeTakeFirst();
  const now = new Date();
  const none = { approvalRequired, guardiansNewlyVisible: false, notices: null, event: null };
  const event = (state: GuardianApprovalEvent['state']): GuardianApprovalEvent => ({ ...key, ownerId: c.ownerId, state });
  // What un-sharing clears: the approval of the present sharing. What guardians saw of an earlier sharing (its
  // approved versions, and since when) stays theirs, as the versions shared directly do (artefact_versions.shared).
  const cleared: Omit<ShareColumns, 'visibleSince' | 'approvedVersions'> = {
    state: null,
    requestedVersion: null,
    requestedAt: null,
    approvedVersion: null,
    note: null,
    decidedBy: null,
    decidedAt: null,
    approvedFingerprint: null,
    decidedFingerprint: null,
  };

  if (!c.shared) {
    if (!row || !c.wasShared) return none;
    await sdb.updateTable('guardianShares').set(cleared).where('subjectType', '=', c.subjectType).where('subjectId', '=', c.subjectId).execute();
    return { ...none, event: row.state ? event(null) : null };
  }

  const upsert = (values: Partial<ShareColumns>) =>
    sdb
      .insertInto('guardianShares')
      .values({ ...key, ownerId: c.ownerId, ...cleared, visibleSince: null, approvedVersions: [], ...values })
      .onConflict((oc) => oc.columns(['subjectType', 'subjectId']).doUpdateSet(values))
      .execute();

  if (!approvalRequired) {
    // Shared directly: seen from the moment it was shared; a queue entry left from an earlier rule goes.
    // (Without a row it was shared before any was written, e.g. imported as shared: seen since it was made.)
    if (c.wasShared && (!row || row.state === null)) return none;
    await upsert({ ...cleared, state: null, visibleSince: row?.visibleSince ?? now });
    return { ...none, guardiansNewlyVisible: !c.wasShared, event: row?.state ? event(null) : null };
  }

  if (!c.wasShared || !row) {
    // A new share: nothing reaches guardians before a teacher approves it.
    await upsert({ ...cleared, state: 'pending', requestedVersion: c.version, requestedAt: now });
  } else if (c.contentChanged || row.state === null) {
    // New content of a shared item: it waits again; guardians keep the last approved version meanwhile.
    await upsert({ state: 'pending', requestedVersion: c.version, requestedAt: row.state === 'pending' ? row.requestedAt : now, note: null });
  } else return none;
  const fresh = !row || row.state !== 'pending' || !c.wasShared;
  const notices = fresh ? await notifyApprovers(trx, c, notice) : null;
  return { ...none, notices, event: event('pending') };
}

async function notifyApprovers(trx: Db, c: ShareChange, notice: RequestNotice): Promise<RecordedNotifications> {
  const { groupTeacherIds } = await audienceFacts(trx, c.ownerId);
  const recipients = approverIds({ ownerId: c.ownerId, projectTeacherIds: notice.projectTeacherIds }, groupTeacherIds);
  const about = { pupilId: c.ownerId, title: notice.title, pupilName: notice.pupilName };
  if (c.subjectType === 'showcase')
    return recordNotifications(
      trx,
      recipients.map((recipientId) => ({ recipientId, kind: 'showcase_approval_requested' as const, data: { showcaseId: c.subjectId, ...about } })),
    );
  return recordNotifications(
    trx,
    recipients.map((recipientId) => ({ recipientId, kind: 'approval_requested' as const, data: { artefactId: c.subjectId, ...about } })),
  );
}

/** A subject deleted for good (a showcase): its sharing row goes with it. Returns the queue's event when it was in it. */
export async function forgetShare(trx: Db, subjectType: SharedSubjectType, subjectId: string): Promise<GuardianApprovalEvent | null> {
  const gone = await sharingDb(trx)
    .deleteFrom('guardianShares')
    .where('subjectType', '=', subjectType)
    .where('subjectId', '=', subjectId)
    .returning(['ownerId', 'state'])
    .executeTakeFirst();
  return gone ? { subjectType, subjectId, ownerId: gone.ownerId, state: null } : null;
}

/** After the commit: the owner and their teachers hear that the queue changed (ids only; they read it again). */
export async function publishApprovalEvent(db: Db, notifier: Notifier, event: GuardianApprovalEvent, projectTeacherIds: readonly string[]): Promise<void> {
  const { groupTeacherIds } = await audienceFacts(db, event.ownerId);
  for (const userId of new Set([event.ownerId, ...groupTeacherIds, ...projectTeacherIds])) notifier.toUser(userId, 'guardianApproval.changed', event);
}

/**
 * In the transaction that lets guardians see an item (shared directly, or first approved): each guardian whom
 * the policy now lets see it gets a shared_work notification. The facts are read inside the transaction, so
 * they are those the commit makes.
 */
export async function notifyGuardiansOfShare(trx: Db, artefactId: string, pupilName: string, title: string): Promise<RecordedNotifications | null> {
  const facts = await artefactFacts(trx, artefactId);
  if (!facts) return null;
  const audience = await audienceFacts(trx, facts.row.ownerId);
  const hearing = new Set(artefactAudience(facts.resource, audience));
  const data = { artefactId, pupilId: facts.row.ownerId, title, pupilName };
  return recordNotifications(
    trx,
    audience.guardianIds.filter((g) => hearing.has(g)).map((recipientId) => ({ recipientId, kind: 'shared_work' as const, data })),
  );
}

/**
 * The same for a showcase (issue 12 §3, §5): in the transaction that lets guardians see it (shared directly, or
 * first approved), each current guardian gets a shared_showcase notification if the policy lets guardians see it.
 */
export async function notifyGuardiansOfShowcase(trx: Db, showcaseId: string, pupilName: string): Promise<RecordedNotifications | null> {
  const facts = await showcaseFacts(trx, showcaseId);
  if (!facts || !showcaseSharedWithGuardians(facts.resource)) return null;
  const { guardianIds } = await audienceFacts(trx, facts.row.ownerId);
  const data = { showcaseId, pupilId: facts.row.ownerId, title: facts.row.title, pupilName };
  return recordNotifications(
    trx,
    guardianIds.map((recipientId) => ({ recipientId, kind: 'shared_showcase' as const, data })),
  );
}
