import { z } from 'zod';
import { SCHOOL_ROLES } from '../roles.ts';
import { idSchema, importedPersonSchema, isoDateTime, proseText } from './common.ts';

/**
 * Issue 10 §3, anchored feedback: a region of an image (relative to its width and height, 0..1) or a
 * moment of a recording or video (seconds from the start, an optional end). `mediaId` names one media
 * item of the artefact; the server checks it is there and of the matching kind.
 */
const unit = z.number().min(0).max(1);
const MAX_MOMENT_SECONDS = 24 * 3600;
export const feedbackAnchorSchema = z.discriminatedUnion('kind', [
  z
    .object({ kind: z.literal('region'), mediaId: idSchema, x: unit, y: unit, w: unit.gt(0), h: unit.gt(0) })
    .strict()
    // A little slack for rounding in the browser's arithmetic.
    .refine((r) => r.x + r.w <= 1.000001 && r.y + r.h <= 1.000001, { message: 'the region must lie inside the image', path: ['w'] }),
  z
    .object({
      kind: z.literal('moment'),
      mediaId: idSchema,
      start: z.number().min(0).max(MAX_MOMENT_SECONDS),
      end: z.number().min(0).max(MAX_MOMENT_SECONDS).nullable().default(null),
    })
    .strict()
    .refine((m) => m.end === null || m.end > m.start, { message: 'must be after the start', path: ['end'] }),
]);
export type FeedbackAnchor = z.output<typeof feedbackAnchorSchema>;

/** A voice recording as presenters show it; its bytes come from the route that checks the policy (`url`). */
export const voiceSchema = z.object({ mime: z.string(), durationMs: z.number().int().nullable(), url: z.string() });
export type Voice = z.infer<typeof voiceSchema>;
/** A voice message or reflection is a short recording: longer ones are refused (413). */
export const VOICE_MAX_SECONDS = 10 * 60;

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
  /** Issue 10 §3: a voice message (the body may then be empty) and what part of the media it is about. */
  voice: voiceSchema.nullable(),
  anchor: feedbackAnchorSchema.nullable(),
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
    anchor: feedbackAnchorSchema.nullable().default(null),
  })
  .strict();
/**
 * A voice message (multipart `audio` + `data`): the same fields, and the text may be empty, since the
 * recording says it. Fields in `data` come before the file.
 */
export const createVoiceFeedbackRequestSchema = createFeedbackRequestSchema.extend({ body: proseText(FEEDBACK_BODY_MAX, { allowEmpty: true }).default('') });
export const updateFeedbackRequestSchema = z.object({ body: proseText(FEEDBACK_BODY_MAX) }).strict();
export const feedbackParamsSchema = z.object({ artefactId: idSchema, feedbackId: idSchema });
