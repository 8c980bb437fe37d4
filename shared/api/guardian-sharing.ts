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
export const approvalQueueSchema = z.object({ items: z.array(approvalQueueItemSchema) });
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
