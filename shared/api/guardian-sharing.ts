import { z } from 'zod';
import { ARTEFACT_KINDS } from '../portfolio.ts';
import { idSchema, isoDateTime, proseText } from './common.ts';

/**
 * Issue 12 §1: teacher approval before guardians see. The school's rule is in org.ts
 * (schoolGuardianSharingSchema); these are the teachers' queue and an item's sharing state.
 */
export const APPROVAL_STATES = ['pending', 'approved', 'returned'] as const;
export const approvalStateSchema = z.enum(APPROVAL_STATES);
export type ApprovalState = z.infer<typeof approvalStateSchema>;

export const APPROVAL_NOTE_MAX = 1000;

/** One item waiting for the teacher's approval, oldest first. `reapproval`: guardians see an earlier approved version meanwhile. */
export const approvalQueueItemSchema = z.object({
  subjectType: z.literal('artefact'),
  artefactId: idSchema,
  title: z.string(),
  kind: z.enum(ARTEFACT_KINDS),
  owner: z.object({ id: idSchema, displayName: z.string() }),
  version: z.number().int(),
  requestedAt: isoDateTime,
  reapproval: z.boolean(),
});
export type ApprovalQueueItem = z.infer<typeof approvalQueueItemSchema>;

/** A content fingerprint of a showcase (md5 hex): a showcase has no versions, so a teacher approves its content as it was seen. */
export const showcaseFingerprintSchema = z.string().regex(/^[0-9a-f]{32}$/, 'is not a showcase fingerprint');

/**
 * A showcase waiting for approval, oldest first. `reapproval`: it was approved before and changed since; guardians
 * do not see it meanwhile (a showcase keeps no earlier content to show).
 */
export const showcaseApprovalQueueItemSchema = z.object({
  subjectType: z.literal('showcase'),
  showcaseId: idSchema,
  title: z.string(),
  owner: z.object({ id: idSchema, displayName: z.string() }),
  fingerprint: showcaseFingerprintSchema,
  requestedAt: isoDateTime,
  reapproval: z.boolean(),
});
export type ShowcaseApprovalQueueItem = z.infer<typeof showcaseApprovalQueueItemSchema>;

export const approvalQueueSchema = z.object({
  items: z.array(z.discriminatedUnion('subjectType', [approvalQueueItemSchema, showcaseApprovalQueueItemSchema])),
});
export type ApprovalQueue = z.infer<typeof approvalQueueSchema>;
/** The queue of one group's pupils (the group page), or of every pupil the teacher teaches. */
export const approvalQueueQuerySchema = z.object({ groupId: idSchema.optional() });

/** Approve or return the version the teacher looked at (a newer one is refused: 409). A return needs a note. */
export const approveRequestSchema = z.object({ version: z.number().int().min(1), note: proseText(APPROVAL_NOTE_MAX).optional() }).strict();
export const returnRequestSchema = z.object({ version: z.number().int().min(1), note: proseText(APPROVAL_NOTE_MAX) }).strict();

/** An artefact's sharing with guardians, for its pupil and teachers. */
export const artefactSharingSchema = z.object({
  approvalRequired: z.boolean(),
  /** null: shared directly, or not shared. */
  state: approvalStateSchema.nullable(),
  /** The version waiting or decided last, and the one guardians see (null: none). */
  requestedVersion: z.number().int().nullable(),
  approvedVersion: z.number().int().nullable(),
  /** The teacher's note of the last decision (a returned item's reason). */
  note: z.string().nullable(),
  decidedBy: z.object({ id: idSchema, displayName: z.string() }).nullable(),
  decidedAt: isoDateTime.nullable(),
  /** The pupil's choice: guardians see the earlier versions and feedback too. */
  shareHistory: z.boolean(),
});
export type ArtefactSharing = z.infer<typeof artefactSharingSchema>;
export const updateArtefactSharingRequestSchema = z.object({ shareHistory: z.boolean() }).strict();

// --- Showcases (issue 12 §1, migration 0043) ---
/** Approve or return the showcase's content the teacher looked at (its fingerprint; a changed one is refused: 409). */
export const approveShowcaseRequestSchema = z.object({ fingerprint: showcaseFingerprintSchema, note: proseText(APPROVAL_NOTE_MAX).optional() }).strict();
export const returnShowcaseRequestSchema = z.object({ fingerprint: showcaseFingerprintSchema, note: proseText(APPROVAL_NOTE_MAX) }).strict();

/** A showcase's approval for guardians, for its pupil and teachers (on the showcase, while shared where approval applies). */
export const showcaseApprovalSchema = z.object({
  /** pending: in the teachers' queue (a new share, or changed since the last decision). */
  state: approvalStateSchema,
  /** Its content now: what a teacher approves from the showcase page. */
  fingerprint: showcaseFingerprintSchema,
  /** Guardians see it now: approved in exactly this content. */
  visibleToGuardians: z.boolean(),
  /** Waiting after a change to approved content (guardians do not see it meanwhile). */
  reapproval: z.boolean(),
  /** The last decision's note (a returned showcase's reason), who made it and when. */
  note: z.string().nullable(),
  decidedBy: z.object({ id: idSchema, displayName: z.string() }).nullable(),
  decidedAt: isoDateTime.nullable(),
});
export type ShowcaseApproval = z.infer<typeof showcaseApprovalSchema>;
