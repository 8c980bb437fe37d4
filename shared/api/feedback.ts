import { z } from 'zod';
import { SCHOOL_ROLES } from '../roles.ts';
import { idSchema, importedPersonSchema, isoDateTime } from './common.ts';

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
});
export type Feedback = z.infer<typeof feedbackSchema>;

/** The thread, oldest first; `readAt` is when the viewer last marked it read (null: never). */
export const feedbackThreadSchema = z.object({ items: z.array(feedbackSchema), readAt: isoDateTime.nullable(), unreadCount: z.number().int() });
export const createFeedbackRequestSchema = z
  .object({ body: z.string().trim().min(1, { message: 'must not be empty' }).max(10_000), parentId: idSchema.nullable().default(null) })
  .strict();
export const updateFeedbackRequestSchema = z.object({ body: z.string().trim().min(1, { message: 'must not be empty' }).max(10_000) }).strict();
export const feedbackParamsSchema = z.object({ artefactId: idSchema, feedbackId: idSchema });
