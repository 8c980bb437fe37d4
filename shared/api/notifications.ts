import { z } from 'zod';
import { idSchema, isoDateTime } from './common.ts';

/**
 * Issue 12 §5: the in-app notification centre. Each kind names its subject by ids (for the link and the
 * read-time policy check) and carries a short summary written when the event happened. Later parts of
 * issue 12 add kinds here (item approved/returned, guardian comment); the digest and Web Push read them too.
 */
export const NOTIFICATION_KINDS = [
  'feedback',
  'revision_requested',
  'shared_work',
  'invitation_accepted',
  // Issue 12 §2 (guardian voice)
  'guardian_comment',
  // Issue 12 §1 (teacher approval)
  'item_approved',
  'item_returned',
  'approval_requested',
  // Issue 12 §1 for showcases: the same three, naming a showcase
  'showcase_approval_requested',
  'showcase_approved',
  'showcase_returned',
  // Issue 12 §3/§5: a showcase shared with guardians (directly, or first approved)
  'shared_showcase',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Summaries are cut to this many characters when written: a title or a name, never a message body. */
export const NOTIFICATION_TEXT_MAX = 120;
const text = z.string().max(NOTIFICATION_TEXT_MAX);

/** A teacher's message on the pupil's work (`feedback`), or one asking for a revision (`revision_requested`). */
const feedbackData = z.object({ artefactId: idSchema, feedbackId: idSchema, pupilId: idSchema, title: text, authorName: text });
/** The pupil shared an item with guardians (to each guardian the policy lets see it). */
const sharedWorkData = z.object({ artefactId: idSchema, pupilId: idSchema, title: text, pupilName: text });
/** A guardian accepted an invitation (to the teacher or admin who made it). */
const invitationAcceptedData = z.object({ invitationId: idSchema, pupilId: idSchema, schoolId: idSchema, pupilName: text, guardianName: text });
/**
 * Issue 12 §2: a guardian's comment became visible (to the pupil and the pupil's teachers), or waits for a
 * teacher's approval (`held`, to the teachers). No text of the comment and no guardian's name.
 */
const guardianCommentData = z.object({
  /** The item: an artefact, or a showcase (issue 12 §3); exactly one is set. */
  artefactId: idSchema.optional(),
  showcaseId: idSchema.optional(),
  commentId: idSchema,
  pupilId: idSchema,
  title: text,
  held: z.boolean(),
});

// --- Teacher approval (issue 12 §1) ---
/** A teacher approved (`item_approved`) or returned (`item_returned`) the pupil's shared item: to the pupil, with the start of the note. */
const approvalDecisionData = z.object({ artefactId: idSchema, pupilId: idSchema, title: text, teacherName: text, note: text.nullable() });
/** A pupil shared an item that waits for approval: to each of the pupil's teachers. */
const approvalRequestedData = z.object({ artefactId: idSchema, pupilId: idSchema, title: text, pupilName: text });
/** The same for a showcase (approved or returned as a whole; requested when shared or changed). */
const showcaseDecisionData = z.object({ showcaseId: idSchema, pupilId: idSchema, title: text, teacherName: text, note: text.nullable() });
const showcaseApprovalRequestedData = z.object({ showcaseId: idSchema, pupilId: idSchema, title: text, pupilName: text });
// --- end teacher approval ---
/** The pupil's showcase became visible to guardians (to each guardian the policy lets see it). */
const sharedShowcaseData = z.object({ showcaseId: idSchema, pupilId: idSchema, title: text, pupilName: text });

/** What the `payload` column holds, by kind: the producer's input and the presenter's `data`. */
export const notificationDataSchemas = {
  feedback: feedbackData,
  revision_requested: feedbackData,
  shared_work: sharedWorkData,
  invitation_accepted: invitationAcceptedData,
  guardian_comment: guardianCommentData,
  item_approved: approvalDecisionData,
  item_returned: approvalDecisionData,
  approval_requested: approvalRequestedData,
  showcase_approval_requested: showcaseApprovalRequestedData,
  showcase_approved: showcaseDecisionData,
  showcase_returned: showcaseDecisionData,
  shared_showcase: sharedShowcaseData,
} as const satisfies Record<NotificationKind, z.ZodType>;

export type NotificationDraft = {
  [K in NotificationKind]: { recipientId: string; kind: K; data: z.infer<(typeof notificationDataSchemas)[K]> };
}[NotificationKind];

const base = { id: idSchema, createdAt: isoDateTime, readAt: isoDateTime.nullable() };
export const notificationSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('feedback'), data: feedbackData }),
  z.object({ ...base, kind: z.literal('revision_requested'), data: feedbackData }),
  z.object({ ...base, kind: z.literal('shared_work'), data: sharedWorkData }),
  z.object({ ...base, kind: z.literal('invitation_accepted'), data: invitationAcceptedData }),
  z.object({ ...base, kind: z.literal('guardian_comment'), data: guardianCommentData }),
  z.object({ ...base, kind: z.literal('item_approved'), data: approvalDecisionData }),
  z.object({ ...base, kind: z.literal('item_returned'), data: approvalDecisionData }),
  z.object({ ...base, kind: z.literal('approval_requested'), data: approvalRequestedData }),
  z.object({ ...base, kind: z.literal('showcase_approval_requested'), data: showcaseApprovalRequestedData }),
  z.object({ ...base, kind: z.literal('showcase_approved'), data: showcaseDecisionData }),
  z.object({ ...base, kind: z.literal('showcase_returned'), data: showcaseDecisionData }),
  z.object({ ...base, kind: z.literal('shared_showcase'), data: sharedShowcaseData }),
]);
export type Notification = z.infer<typeof notificationSchema>;

export const NOTIFICATION_PAGE_MAX = 50;
export const notificationListQuerySchema = z.object({
  /** The last notification of the previous page: the next page starts after it. */
  before: idSchema.optional(),
  limit: z.coerce.number().int().min(1).max(NOTIFICATION_PAGE_MAX).default(20),
});
export const notificationPageSchema = z.object({
  items: z.array(notificationSchema),
  /** Pass as `before` for the next page; null on the last one. */
  nextBefore: idSchema.nullable(),
});
export type NotificationPage = z.infer<typeof notificationPageSchema>;

/** Counted up to a cap: the badge shows "99+" when `more` is set. */
export const UNREAD_COUNT_CAP = 99;
export const unreadCountSchema = z.object({ count: z.number().int().min(0), more: z.boolean() });
export type UnreadCount = z.infer<typeof unreadCountSchema>;

export const notificationParamsSchema = z.object({ notificationId: idSchema });
