import { randomUUID } from 'node:crypto';
import {
  NOTIFICATION_TEXT_MAX,
  notificationDataSchemas,
  notificationSchema,
  UNREAD_COUNT_CAP,
  type Notification,
  type NotificationDraft,
  type NotificationKind,
  type NotificationPage,
  type UnreadCount,
} from '../../../shared/api/notifications.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can, seesGuardianComment } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { NotFound } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { artefactFactsMany } from '../artefacts/artefacts.repo.ts';
import { existingFeedbackIds } from '../feedback/feedback-lookups.ts';
import { guardianCommentResources } from '../guardian-voice/guardian-voice.repo.ts';
import { pupilsAtSchools } from '../invitations/invitations.repo.ts';
import { findNotification, insertNotifications, markRead, pageOf, pruneNotifications, unreadOf, type NotificationRow } from './notifications.repo.ts';
import { showcaseFactsMany } from '../showcases/showcases.repo.ts';

export interface NotificationsDeps {
  db: Db;
  notifier: Notifier;
}

/** What a producer holds between its commit and the realtime event. */
export interface RecordedNotifications {
  /** Call after the commit: each recipient hears of theirs. */
  publish(notifier: Notifier): void;
}

const clip = (text: string) => (text.length > NOTIFICATION_TEXT_MAX ? `${text.slice(0, NOTIFICATION_TEXT_MAX - 1)}…` : text);

/**
 * The one call a producer makes, inside the transaction of the event (so a rolled-back event leaves no
 * notification): writes one row per draft and returns what to publish after the commit. Summaries are
 * cut to a title's length here, so no producer can put a message body into a notification.
 */
export async function recordNotifications(trx: Db, drafts: readonly NotificationDraft[]): Promise<RecordedNotifications> {
  const createdAt = new Date();
  const rows = drafts.map((d) => {
    const data = Object.fromEntries(Object.entries(d.data).map(([k, v]) => [k, typeof v === 'string' ? clip(v) : v]));
    // Parsed so that a producer's mistake fails its own transaction rather than a reader's page later.
    const payload = notificationDataSchemas[d.kind].parse(data);
    return { id: randomUUID(), recipientId: d.recipientId, kind: d.kind, payload, createdAt };
  });
  await insertNotifications(trx, rows);
  return {
    publish(notifier) {
      for (const row of rows) {
        const presented = present({ ...row, readAt: null });
        if (presented) notifier.toUser(row.recipientId, 'notification.created', presented);
      }
    },
  };
}

function present(row: Pick<NotificationRow, 'id' | 'kind' | 'payload' | 'createdAt' | 'readAt'>): Notification | null {
  const parsed = notificationSchema.safeParse({
    id: row.id,
    kind: row.kind,
    data: row.payload,
    createdAt: row.createdAt.toISOString(),
    readAt: row.readAt ? row.readAt.toISOString() : null,
  });
  // A kind this version does not know (written by a newer one), or a payload that no longer fits: not shown.
  return parsed.success ? parsed.data : null;
}

const ARTEFACT_KINDS = new Set<NotificationKind>([
  'feedback',
  'revision_requested',
  'shared_work',
  'guardian_comment',
  'item_approved',
  'item_returned',
  'approval_requested',
]);

/**
 * The notifications the actor may still see, in order: each subject is checked again with its own rule
 * (an artefact with `artefact.read`, so an unshared item or an ended guardian link hides it; an accepted
 * invitation with `guardianInvitation.manage` of its pupil), and a notification of deleted feedback goes.
 * A fixed number of queries for any page.
 */
async function visible(db: Db, actor: Actor, rows: readonly NotificationRow[]): Promise<Notification[]> {
  const presented = rows.flatMap((r) => {
    const n = can(actor, 'notification.read', { type: 'notification', recipientId: r.recipientId }) ? present(r) : null;
    return n ? [n] : [];
  });
  const artefactIds: string[] = [];
  const feedbackIds: string[] = [];
  const guardianCommentIds: string[] = [];
  const showcaseIds: string[] = [];
  const pupils = new Map<string, { pupilId: string; schoolId: string }>();
  for (const n of presented) {
    if (n.kind === 'invitation_accepted') pupils.set(`${n.data.pupilId}:${n.data.schoolId}`, n.data);
    // A guardian comment on a showcase (issue 12 §3) names no artefact: its comment's item is checked below.
    else if (ARTEFACT_KINDS.has(n.kind) && 'artefactId' in n.data && n.data.artefactId) artefactIds.push(n.data.artefactId);
    if (n.kind === 'feedback' || n.kind === 'revision_requested') feedbackIds.push(n.data.feedbackId);
    if (n.kind === 'guardian_comment') guardianCommentIds.push(n.data.commentId);
    if (n.kind === 'showcase_approval_requested' || n.kind === 'showcase_approved' || n.kind === 'showcase_returned' || n.kind === 'shared_showcase')
      showcaseIds.push(n.data.showcaseId);
  }
  const [artefacts, feedback, pupilResources, guardianComments, showcases] = await Promise.all([
    artefactFactsMany(db, artefactIds),
    existingFeedbackIds(db, feedbackIds),
    pupilsAtSchools(db, [...pupils.values()]),
    guardianCommentResources(db, guardianCommentIds),
    showcaseFactsMany(db, showcaseIds),
  ]);
  const showcase = (id: string) => showcases.get(id)?.resource;
  const seesArtefact = (id: string) => {
    const facts = artefacts.get(id);
    return facts !== undefined && !facts.row.deletedAt && can(actor, 'artefact.read', facts.resource);
  };
  return presented.filter((n) => {
    switch (n.kind) {
      case 'feedback':
      case 'revision_requested':
        return feedback.has(n.data.feedbackId) && seesArtefact(n.data.artefactId);
      // Issue 12 §1: the pupil's decisions, and a teacher's request, while the item is theirs to see (and decide on).
      case 'shared_work':
      case 'item_approved':
      case 'item_returned':
        return seesArtefact(n.data.artefactId);
      // Issue 12 §2: the comment as the recipient may see it now (hidden, reported or deleted: gone for the pupil).
      // seesGuardianComment asks the item's own read rule too (an artefact's, or a showcase's: issue 12 §3).
      case 'guardian_comment': {
        const comment = guardianComments.get(n.data.commentId);
        // The comment must still be on the item the notice names: an import keeps an archive's comment ids where
        // free, so a removed comment's id can come back on another item, and the old notice must not follow it.
        const named = n.data.showcaseId ? { type: 'showcase', id: n.data.showcaseId } : { type: 'artefact', id: n.data.artefactId };
        if (comment === undefined || comment.subject.type !== named.type || comment.subject.id !== named.id) return false;
        return (comment.subject.type === 'showcase' || seesArtefact(comment.subject.id)) && seesGuardianComment(actor, comment);
      }
      case 'approval_requested': {
        const facts = artefacts.get(n.data.artefactId);
        return seesArtefact(n.data.artefactId) && facts !== undefined && can(actor, 'guardianApproval.decide', facts.resource);
      }
      // Issue 12 §1 for showcases: the pupil's decisions while the showcase is theirs, a request while the teacher decides on it.
      case 'showcase_approved':
      case 'showcase_returned': {
        const r = showcase(n.data.showcaseId);
        return r !== undefined && can(actor, 'showcaseApproval.read', r);
      }
      // A shared showcase while the guardian may still read it (un-shared, changed under approval, or a link ended: gone).
      case 'shared_showcase': {
        const r = showcase(n.data.showcaseId);
        return r !== undefined && can(actor, 'showcase.read', r);
      }
      case 'showcase_approval_requested': {
        const r = showcase(n.data.showcaseId);
        return r !== undefined && can(actor, 'showcaseApproval.decide', r);
      }
      case 'invitation_accepted': {
        const pupil = pupilResources.get(`${n.data.pupilId}:${n.data.schoolId}`);
        return pupil !== undefined && can(actor, 'guardianInvitation.manage', pupil);
      }
    }
  });
}

export function notificationsService({ db, notifier }: NotificationsDeps) {
  return {
    async list(actor: Actor, query: { before?: string | undefined; limit: number }): Promise<NotificationPage> {
      const rows = await pageOf(db, actor.id, query.before, query.limit);
      const last = rows.at(-1);
      // The cursor is the last row read, shown or not: a page may hold fewer than `limit` after the policy.
      return { items: await visible(db, actor, rows), nextBefore: rows.length === query.limit && last ? last.id : null };
    },

    async unreadCount(actor: Actor): Promise<UnreadCount> {
      const rows = await unreadOf(db, actor.id, UNREAD_COUNT_CAP + 1);
      const count = (await visible(db, actor, rows)).length;
      return { count: Math.min(count, UNREAD_COUNT_CAP), more: rows.length > UNREAD_COUNT_CAP };
    },

    async markRead(actor: Actor, notificationId: string): Promise<void> {
      const row = await findNotification(db, notificationId);
      if (!row) throw new NotFound('The notification');
      authorize(actor, 'notification.update', { type: 'notification', recipientId: row.recipientId }, 'The notification');
      // One whose subject the recipient may no longer see does not exist for them either.
      if ((await visible(db, actor, [row])).length === 0) throw new NotFound('The notification');
      await markRead(db, actor.id, notificationId, new Date());
      notifier.toUser(actor.id, 'notification.read', { notificationId });
    },

    /** One notification as its recipient sees it now, or null when its subject is no longer theirs to see (the digest's "every new item"). */
    async seen(actor: Actor, notificationId: string): Promise<Notification | null> {
      const row = await findNotification(db, notificationId);
      if (!row || row.recipientId !== actor.id) return null;
      return (await visible(db, actor, [row]))[0] ?? null;
    },

    /** Maintenance: notifications past keeping go (KEEP_READ_MS, KEEP_UNREAD_MS); the table does not grow for ever. */
    prune(now = new Date()): Promise<number> {
      return pruneNotifications(db, now);
    },

    async markAllRead(actor: Actor): Promise<void> {
      await markRead(db, actor.id, null, new Date());
      notifier.toUser(actor.id, 'notification.read', { notificationId: null });
    },
  };
}
export type NotificationsService = ReturnType<typeof notificationsService>;
