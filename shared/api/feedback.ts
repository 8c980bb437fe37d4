import { z } from 'zod';
import { SCHOOL_ROLES } from '../roles.ts';
import { idSchema, importedPersonSchema, isoDateTime, proseText } from './common.ts';

export const feedbackSchema = z.object({
  id: idSchema,
  artefactId: idSchema,
  parentId: idSchema.nullable(),
  author: z.object({ id: idSchema, displayName: z.string(), role: z.enum(SCHOOL_ROLES) }).nullable(),
  /** Set when the feedback came from an imported archive by someone who is not an account here (then `author` is null). */
  importedAuthor: importedPersonSchema.nullable(),
  body: z.string(),
  createdAt: isoDateTime,
  editedAt: isoDateTime.nullable(),
  /** Issue 10 §3: the project goals a teacher says it is about, and whether it asks for a revision ("korjaa / täydennä"). */
  goalIds: z.array(idSchema),
  revise: z.boolean(),
  /** Issue 10 §4: the version of the work that answered it (null: not answered, or not a version this viewer may see). */
  answeredVersion: z.number().int().nullable(),
});
export type Feedback = z.infer<typeof feedbackSchema>;

/** The thread, oldest first; `readAt` is when the viewer last marked it read (null: never). */
export const feedbackThreadSchema = z.object({ items: z.array(feedbackSchema), readAt: isoDateTime.nullable(), unreadCount: z.number().int() });
/** A message in a feedback thread: shown to the pupil, their teachers and guardians, so no hidden characters. */
export const FEEDBACK_BODY_MAX = 10_000;
export const createFeedbackRequestSchema = z
  .object({
    body: proseText(FEEDBACK_BODY_MAX),
    parentId: idSchema.nullable().default(null),
    // Teachers only (policy `feedback.mark`): goals of the artefact's project, and a request to revise.
    goalIds: z.array(idSchema).max(20).default([]),
    revise: z.boolean().default(false),
  })
  .strict();
export const updateFeedbackRequestSchema = z.object({ body: proseText(FEEDBACK_BODY_MAX) }).strict();
export const feedbackParamsSchema = z.object({ artefactId: idSchema, feedbackId: idSchema });
