import { z } from 'zod';
import { idSchema, isoDateTime, proseText } from './common.ts';

/**
 * Issue 12 §2: guardian voice. Guardians react to and comment on what their child shared with them;
 * the pupil and the pupil's teachers see it in the item's thread, marked as from a guardian.
 * See README, "Guardian voice".
 */

/** What guardian voice is on: an artefact, or a showcase (issue 12 §3). */
export const GUARDIAN_SUBJECT_TYPES = ['artefact', 'showcase'] as const;
export type GuardianSubjectType = (typeof GUARDIAN_SUBJECT_TYPES)[number];
export interface GuardianSubject {
  type: GuardianSubjectType;
  id: string;
}

/** A school's setting: no comments (the default), shown at once, or held until a teacher approves. */
export const GUARDIAN_COMMENT_SETTINGS = ['off', 'shown', 'moderated'] as const;
export type GuardianCommentSetting = (typeof GUARDIAN_COMMENT_SETTINGS)[number];
export const guardianCommentSettingSchema = z.enum(GUARDIAN_COMMENT_SETTINGS);

/** The fixed, encouraging reactions (their labels and symbols are the client's; ids are stored). */
export const GUARDIAN_REACTIONS = ['heart', 'star', 'clap', 'smile', 'wow'] as const;
export type GuardianReaction = (typeof GUARDIAN_REACTIONS)[number];
export const guardianReactionSchema = z.enum(GUARDIAN_REACTIONS);

/**
 * held: waits for a teacher (setting `moderated`); shown: visible; reported: the pupil reported it, hidden
 * until a teacher looks; hidden: a teacher hid it; deleted: its author deleted it (the text is gone, the row
 * and the audit stay, so that posting and deleting does not escape the rate limit).
 */
export const GUARDIAN_COMMENT_STATES = ['held', 'shown', 'reported', 'hidden', 'deleted'] as const;
export type GuardianCommentState = (typeof GUARDIAN_COMMENT_STATES)[number];

export const GUARDIAN_COMMENT_MAX = 2000;
/** At most this many comments per guardian in the window below, and per day. */
export const GUARDIAN_COMMENT_BURST = 10;
export const GUARDIAN_COMMENT_BURST_MINUTES = 10;
export const GUARDIAN_COMMENT_DAILY = 50;

/** Plain text: a tag-like `<a`, `</`, `<!` or `<?` is refused (the text is never rendered as HTML anyway). */
const HTML_TAG = /<[a-zA-Z/!?]/;
export const guardianCommentBodySchema = proseText(GUARDIAN_COMMENT_MAX).refine((t) => !HTML_TAG.test(t), {
  message: 'must be plain text without HTML tags',
});

export const guardianCommentParamsSchema = z.object({ commentId: idSchema });

export const createGuardianCommentRequestSchema = z.object({ body: guardianCommentBodySchema }).strict();
export type CreateGuardianCommentRequest = z.infer<typeof createGuardianCommentRequestSchema>;
export const setGuardianReactionRequestSchema = z.object({ reaction: guardianReactionSchema, given: z.boolean() }).strict();
export type SetGuardianReactionRequest = z.infer<typeof setGuardianReactionRequestSchema>;
export const moderateGuardianCommentRequestSchema = z.object({ action: z.enum(['approve', 'hide']) }).strict();

export const guardianCommentSchema = z.object({
  id: idSchema,
  /** The item it is on: an artefact (artefactId) or a showcase (showcaseId); exactly one is set. */
  artefactId: idSchema.optional(),
  showcaseId: idSchema.optional(),
  /**
   * The guardian who wrote it, for the pupil and the pupil's teachers (and the author themself). Null for
   * another guardian reading it: a guardian never learns other people's names here.
   */
  author: z.object({ id: idSchema, displayName: z.string() }).nullable(),
  /** Written by the viewer. */
  mine: z.boolean(),
  body: z.string(),
  state: z.enum(GUARDIAN_COMMENT_STATES),
  createdAt: isoDateTime,
});
export type GuardianComment = z.infer<typeof guardianCommentSchema>;

export const guardianReactionCountSchema = z.object({ reaction: guardianReactionSchema, count: z.number().int().min(0), mine: z.boolean() });
export type GuardianReactionCount = z.infer<typeof guardianReactionCountSchema>;

/** Guardian voice on one item as the viewer may see it, and what they may do. */
export const guardianVoiceSchema = z.object({
  /** The item: an artefact (artefactId) or a showcase (showcaseId); exactly one is set. */
  artefactId: idSchema.optional(),
  showcaseId: idSchema.optional(),
  setting: guardianCommentSettingSchema,
  /** Reactions given by guardians, one entry per reaction of the fixed set. */
  reactions: z.array(guardianReactionCountSchema),
  comments: z.array(guardianCommentSchema),
  canReact: z.boolean(),
  canComment: z.boolean(),
  canReport: z.boolean(),
  canModerate: z.boolean(),
});
export type GuardianVoice = z.infer<typeof guardianVoiceSchema>;

export const guardianModerationItemSchema = guardianCommentSchema.extend({
  /** The item's title: the artefact's, or the showcase's when the comment is on one (showcaseId). */
  artefactTitle: z.string(),
  owner: z.object({ id: idSchema, displayName: z.string() }),
});
export type GuardianModerationItem = z.infer<typeof guardianModerationItemSchema>;
export const guardianModerationListSchema = z.object({ items: z.array(guardianModerationItemSchema) });
export type GuardianModerationList = z.infer<typeof guardianModerationListSchema>;
