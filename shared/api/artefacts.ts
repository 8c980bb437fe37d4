import { z } from 'zod';
import { ARTEFACT_KINDS, ARTEFACT_STATUSES, MEDIA_KINDS, MEDIA_VARIANTS, VISIBILITIES } from '../portfolio.ts';
import { idSchema, importedPersonSchema, isoDateTime, nameText } from './common.ts';
import { userRefSchema } from './org.ts';
import { tagSchema, tagsSchema } from './tags.ts';

export const linkSchema = z.object({
  url: z.url({ protocol: /^https?$/, message: 'must be a web address starting with http:// or https://' }).max(2000),
  title: z.string().trim().max(200).optional(),
});

export const mediaSchema = z.object({
  id: idSchema,
  kind: z.enum(MEDIA_KINDS),
  mime: z.string(),
  size: z.number().int(),
  originalName: z.string().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  durationMs: z.number().int().nullable(),
  /** Variant name → URL path that serves it after a policy check (GET /api/media/:id/:variant). */
  urls: z.partialRecord(z.enum(MEDIA_VARIANTS), z.string()),
});
export type Media = z.infer<typeof mediaSchema>;

export const artefactSchema = z.object({
  id: idSchema,
  owner: userRefSchema,
  projectId: idSchema.nullable(),
  phaseId: idSchema.nullable(),
  kind: z.enum(ARTEFACT_KINDS),
  title: z.string(),
  bodyHtml: z.string(),
  links: z.array(linkSchema),
  subjectCodes: z.array(z.string()),
  competenceIds: z.array(z.string()),
  goalIds: z.array(idSchema),
  /** Free tags, as the pupil wrote them (see shared/api/tags.ts). */
  tags: z.array(z.string()),
  status: z.enum(ARTEFACT_STATUSES),
  visibility: z.enum(VISIBILITIES),
  version: z.number().int(),
  media: z.array(mediaSchema),
  feedbackCount: z.number().int(),
  unreadFeedbackCount: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  readyAt: isoDateTime.nullable(),
});
export type Artefact = z.infer<typeof artefactSchema>;

/**
 * Fields of a new artefact. In multipart requests they come as one JSON string in the field
 * `data` (files in the field `files`), so that arrays and nulls survive the form encoding.
 */
export const createArtefactRequestSchema = z
  .object({
    title: nameText(200),
    bodyHtml: z.string().max(100_000).default(''),
    projectId: idSchema.nullable().default(null),
    phaseId: idSchema.nullable().default(null),
    kind: z.enum(['drawing']).optional(),
    links: z.array(linkSchema).max(20).default([]),
    subjectCodes: z.array(z.string().max(10)).max(30).default([]),
    competenceIds: z.array(z.string().max(60)).max(30).default([]),
    goalIds: z.array(idSchema).max(50).default([]),
    tags: tagsSchema.default([]),
    status: z.enum(ARTEFACT_STATUSES).default('draft'),
    visibility: z.enum(VISIBILITIES).default('private'),
  })
  .strict();
export type CreateArtefactRequest = z.input<typeof createArtefactRequestSchema>;

export const updateArtefactRequestSchema = z
  .object({
    title: nameText(200).optional(),
    bodyHtml: z.string().max(100_000).optional(),
    projectId: idSchema.nullable().optional(),
    phaseId: idSchema.nullable().optional(),
    links: z.array(linkSchema).max(20).optional(),
    subjectCodes: z.array(z.string().max(10)).max(30).optional(),
    competenceIds: z.array(z.string().max(60)).max(30).optional(),
    goalIds: z.array(idSchema).max(50).optional(),
    tags: tagsSchema.optional(),
    status: z.enum(ARTEFACT_STATUSES).optional(),
    visibility: z.enum(VISIBILITIES).optional(),
    /** Media to drop from the artefact (the files go when no version needs them). */
    removeMediaIds: z.array(idSchema).max(50).optional(),
    /** Feedback on this artefact that the new version answers (issue 10 §4); the save must change content. */
    answersFeedbackIds: z.array(idSchema).max(20).optional(),
  })
  .strict();
export type UpdateArtefactRequest = z.infer<typeof updateArtefactRequestSchema>;

export const artefactParamsSchema = z.object({ artefactId: idSchema });
export const pupilParamsSchema = z.object({ pupilId: idSchema });

export const timelineQuerySchema = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  projectId: idSchema.optional(),
  subject: z.string().max(10).optional(),
  competence: z.string().max(60).optional(),
  kind: z.enum(ARTEFACT_KINDS).optional(),
  /** Only artefacts with this tag, whatever its case. */
  tag: tagSchema.optional(),
  /** Words to find in the title, the text or a tag (case-insensitive). */
  q: z.string().trim().min(1, 'Type something to search for.').max(100, 'A search can be at most 100 characters long.').optional(),
});
export type TimelineQuery = z.input<typeof timelineQuerySchema>;

export const timelinePageSchema = z.object({
  items: z.array(artefactSchema),
  nextCursor: z.string().nullable(),
});
export type TimelinePage = z.infer<typeof timelinePageSchema>;

export const artefactVersionSchema = z.object({
  version: z.number().int(),
  author: userRefSchema.nullable(),
  /** Set when the version came from an imported archive by someone who is not an account here (then `author` is null). */
  importedAuthor: importedPersonSchema.nullable(),
  createdAt: isoDateTime,
  title: z.string(),
  bodyHtml: z.string(),
  status: z.enum(ARTEFACT_STATUSES),
  visibility: z.enum(VISIBILITIES),
  mediaIds: z.array(idSchema),
  /**
   * Issue 12 §1: this version changed where the work sits (project, phase, goals, subjects or competences)
   * from the version before it that the reader sees; a move makes a version, as an edit does.
   */
  moved: z.boolean(),
  /** Issue 10 §4: the feedback this version answered. */
  answers: z.array(z.object({ id: idSchema, body: z.string(), revise: z.boolean() })),
});
export type ArtefactVersion = z.infer<typeof artefactVersionSchema>;
/** Issue 10 §4: what happened to an artefact besides its content (marked ready, shared, moved), newest first. */
export const artefactEventItemSchema = z.object({
  kind: z.enum(['status', 'visibility', 'placement']),
  /** The new status or visibility (null for a move). */
  to: z.string().nullable(),
  actor: userRefSchema.nullable(),
  createdAt: isoDateTime,
});
export type ArtefactEventItem = z.infer<typeof artefactEventItemSchema>;
export const artefactHistorySchema = z.object({ versions: z.array(artefactVersionSchema), events: z.array(artefactEventItemSchema) });

export const mediaParamsSchema = z.object({ mediaId: idSchema, variant: z.enum(MEDIA_VARIANTS) });

/** An artefact as realtime events carry it: the same for every receiver, so without per-viewer counts. */
export const artefactEventSchema = artefactSchema.omit({ unreadFeedbackCount: true });
export type ArtefactEvent = z.infer<typeof artefactEventSchema>;

// Teacher overview of a group
export const overviewPupilSchema = z.object({
  id: idSchema,
  displayName: z.string(),
  lastActivityAt: isoDateTime.nullable(),
  artefactCount: z.number().int(),
  waitingCount: z.number().int(),
});
export const overviewQueueItemSchema = z.object({
  artefactId: idSchema,
  title: z.string(),
  kind: z.enum(ARTEFACT_KINDS),
  owner: userRefSchema,
  projectId: idSchema.nullable(),
  readyAt: isoDateTime,
  thumbUrl: z.string().nullable(),
});
export const groupOverviewSchema = z.object({
  group: z.object({ id: idSchema, name: z.string() }),
  pupils: z.array(overviewPupilSchema),
  /** Ready for feedback and not yet answered by any teacher, oldest first. */
  queue: z.array(overviewQueueItemSchema),
  /** Issue 10 §4: a version newer than the latest teacher feedback (the diff: sinceVersion → version). */
  revised: z.array(
    overviewQueueItemSchema
      .pick({ artefactId: true, title: true, kind: true, owner: true })
      .extend({ version: z.number().int(), sinceVersion: z.number().int(), revisedAt: isoDateTime }),
  ),
  /** Issue 10 §4: a teacher's request to revise that no version has answered yet. */
  revisionRequested: z.array(
    overviewQueueItemSchema.pick({ artefactId: true, title: true, kind: true, owner: true }).extend({ feedbackId: idSchema, requestedAt: isoDateTime }),
  ),
});
export type GroupOverview = z.infer<typeof groupOverviewSchema>;
