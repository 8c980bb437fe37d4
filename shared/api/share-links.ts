import { z } from 'zod';
import { idSchema, isoDateTime } from './common.ts';

/**
 * Issue 12 §4: secret links. A read-only link to one artefact or one showcase of a pupil, opened without
 * an account at `/s/<token>`. The token is shown once, when the link is made; the server keeps its hash.
 */
export const SHARE_LINK_DEFAULT_DAYS = 30;
export const SHARE_LINK_MAX_DAYS = 365;
export const SHARE_PASSCODE_MIN = 4;
export const SHARE_PASSCODE_MAX = 100;
/** The school setting's default: pupils younger than this get links only from their teachers. */
export const SHARE_LINK_DEFAULT_MIN_AGE = 13;

export const shareSubjectTypeSchema = z.enum(['artefact', 'showcase']);
export type ShareSubjectType = z.infer<typeof shareSubjectTypeSchema>;
export const shareSubjectSchema = z.object({ type: shareSubjectTypeSchema, id: idSchema }).strict();
export type ShareSubject = z.infer<typeof shareSubjectSchema>;

export const shareLinkListQuerySchema = z.object({ subjectType: shareSubjectTypeSchema, subjectId: idSchema }).strict();

export const createShareLinkRequestSchema = z
  .object({
    subject: shareSubjectSchema,
    expiresInDays: z
      .number()
      .int('must be a whole number of days')
      .min(1, 'must be at least one day')
      .max(SHARE_LINK_MAX_DAYS, `must be at most ${SHARE_LINK_MAX_DAYS} days (one year)`)
      .default(SHARE_LINK_DEFAULT_DAYS),
    passcode: z
      .string()
      .min(SHARE_PASSCODE_MIN, `must be at least ${SHARE_PASSCODE_MIN} characters`)
      .max(SHARE_PASSCODE_MAX, `must be at most ${SHARE_PASSCODE_MAX} characters`)
      .nullable()
      .default(null),
    includeFeedback: z.boolean().default(false),
    showName: z.boolean().default(false),
  })
  .strict();
export type CreateShareLinkRequest = z.input<typeof createShareLinkRequestSchema>;

export const shareLinkParamsSchema = z.object({ linkId: idSchema }).strict();

export const shareLinkStateSchema = z.enum(['active', 'expired', 'revoked']);
export type ShareLinkState = z.infer<typeof shareLinkStateSchema>;

export const shareLinkSchema = z.object({
  id: idSchema,
  subject: shareSubjectSchema,
  state: shareLinkStateSchema,
  createdAt: isoDateTime,
  expiresAt: isoDateTime,
  revokedAt: isoDateTime.nullable(),
  lastAccessedAt: isoDateTime.nullable(),
  accessCount: z.number().int(),
  hasPasscode: z.boolean(),
  includeFeedback: z.boolean(),
  showName: z.boolean(),
  createdBy: z.object({ id: idSchema, displayName: z.string() }).nullable(),
});
export type ShareLink = z.infer<typeof shareLinkSchema>;

/** Why the actor may not make a new link here (null: they may). */
export const shareCreateBlockSchema = z.enum(['teacher_only', 'pupil_only', 'not_allowed']).nullable();

export const shareLinkListSchema = z.object({
  links: z.array(shareLinkSchema),
  /** null when the actor may make a link; otherwise why not (the panel says it). */
  createBlocked: shareCreateBlockSchema,
});
export type ShareLinkList = z.infer<typeof shareLinkListSchema>;

/** The new link, with its address: shown once (only the token's hash is kept). */
export const createdShareLinkSchema = z.object({ link: shareLinkSchema, url: z.url() });
export type CreatedShareLink = z.infer<typeof createdShareLinkSchema>;
