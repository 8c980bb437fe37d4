import { z } from 'zod';
import { showcaseApprovalSchema } from './guardian-sharing.ts';
import { ARTEFACT_KINDS, MEDIA_VARIANTS } from '../portfolio.ts';
import { idSchema, isoDateTime, nameText, proseText } from './common.ts';
import { linkSchema, mediaSchema } from './artefacts.ts';

/** Issue 12 §3: a pupil's showcases (curated pages of their own work) and their teachers' templates. See README, "Showcases". */
export const MAX_SHOWCASES_PER_PUPIL = 200;
export const MAX_SHOWCASE_ITEMS = 100;
export const MAX_TEMPLATE_SLOTS = 30;
export const MAX_TEMPLATES_PER_PROJECT = 50;

/** private: the pupil and their teachers; guardians: also the pupil's guardians; project: also the pupils of the project's groups (and the guardians). */
export const SHOWCASE_VISIBILITIES = ['private', 'guardians', 'project'] as const;
export type ShowcaseVisibilityValue = (typeof SHOWCASE_VISIBILITIES)[number];

export const showcaseParamsSchema = z.object({ showcaseId: idSchema });
export const showcaseItemParamsSchema = z.object({ showcaseId: idSchema, itemId: idSchema });
export const showcaseTemplateParamsSchema = z.object({ templateId: idSchema });
export const showcaseProjectParamsSchema = z.object({ projectId: idSchema });
export const showcasePupilParamsSchema = z.object({ pupilId: idSchema });
export const showcaseMediaParamsSchema = z.object({
  showcaseId: idSchema,
  itemId: idSchema,
  mediaId: idSchema,
  variant: z.enum(MEDIA_VARIANTS),
});

// Rich text is sanitised on the server (as artefact bodies); these caps keep the stored bytes within the table's checks.
const introHtml = z.string().max(50_000, { message: 'must be at most 50,000 characters' });
const itemHtml = z.string().max(20_000, { message: 'must be at most 20,000 characters' });
const heading = z.string().trim().max(200, { message: 'must be at most 200 characters' });

/** An artefact as a viewer meets it in a showcase: its current title, body and media, nothing of its history, feedback or goals. */
export const showcaseArtefactSchema = z.object({
  id: idSchema,
  kind: z.enum(ARTEFACT_KINDS),
  title: z.string(),
  bodyHtml: z.string(),
  links: z.array(linkSchema),
  /** Media URLs go through the showcase (GET /api/showcases/:id/items/:itemId/media/:mediaId/:variant). */
  media: z.array(mediaSchema),
  projectId: idSchema.nullable(),
  createdAt: isoDateTime,
});
export type ShowcaseArtefact = z.infer<typeof showcaseArtefactSchema>;

export const showcaseItemSchema = z.object({
  id: idSchema,
  position: z.number().int(),
  /** 'artefact': a work with the pupil's reflection; 'text': a text block of its own; 'slot': a template's place not filled yet. */
  kind: z.enum(['artefact', 'text', 'slot']),
  heading: z.string(),
  /** For an artefact: "why I chose this". For a text block or slot: its text. Sanitised rich text. */
  bodyHtml: z.string(),
  templateSlot: z.number().int().nullable(),
  /** The template slot's prompt, shown to the pupil in an empty (or filled) slot. */
  prompt: z.string().nullable(),
  artefact: showcaseArtefactSchema.nullable(),
});
export type ShowcaseItem = z.infer<typeof showcaseItemSchema>;

export const showcaseSummarySchema = z.object({
  id: idSchema,
  ownerId: idSchema,
  title: z.string(),
  visibility: z.enum(SHOWCASE_VISIBILITIES),
  projectId: idSchema.nullable(),
  templateId: idSchema.nullable(),
  itemCount: z.number().int(),
  updatedAt: isoDateTime,
});
export type ShowcaseSummary = z.infer<typeof showcaseSummarySchema>;

export const showcaseSchema = showcaseSummarySchema.extend({
  /** The owner's display name: the viewer already knows whose portfolio this is (never anyone else's name). */
  ownerName: z.string(),
  introHtml: z.string(),
  createdAt: isoDateTime,
  /** May the viewer edit it (its owner). */
  canEdit: z.boolean(),
  items: z.array(showcaseItemSchema),
  /**
   * Issue 12 §1: its approval for guardians, for the pupil and their teachers while it is shared where a teacher
   * approves what guardians see; null otherwise (and for every other viewer).
   */
  guardianApproval: showcaseApprovalSchema.nullable(),
});
export type Showcase = z.infer<typeof showcaseSchema>;

export const showcaseListSchema = z.object({ items: z.array(showcaseSummarySchema) });
export type ShowcaseList = z.infer<typeof showcaseListSchema>;

export const createShowcaseRequestSchema = z
  .object({
    title: nameText(200),
    introHtml: introHtml.default(''),
  })
  .strict();
export type CreateShowcaseRequest = z.input<typeof createShowcaseRequestSchema>;

export const updateShowcaseRequestSchema = z
  .object({
    title: nameText(200).optional(),
    introHtml: introHtml.optional(),
    visibility: z.enum(SHOWCASE_VISIBILITIES).optional(),
    /** The project whose pupils see it (visibility 'project'): one the pupil takes part in. */
    projectId: idSchema.nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type UpdateShowcaseRequest = z.input<typeof updateShowcaseRequestSchema>;

/** An artefact of the pupil's own (`artefactId`), or a text block (no artefactId); at the end unless `position` says where. */
export const addShowcaseItemRequestSchema = z
  .object({
    artefactId: idSchema.optional(),
    heading: heading.default(''),
    bodyHtml: itemHtml.default(''),
    position: z.number().int().min(0).max(MAX_SHOWCASE_ITEMS).optional(),
  })
  .strict();
export type AddShowcaseItemRequest = z.input<typeof addShowcaseItemRequestSchema>;

/** Edit an item's heading or text; `artefactId` fills a template slot (or swaps the work) with another of the pupil's own. */
export const updateShowcaseItemRequestSchema = z
  .object({
    heading: heading.optional(),
    bodyHtml: itemHtml.optional(),
    artefactId: idSchema.nullable().optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type UpdateShowcaseItemRequest = z.input<typeof updateShowcaseItemRequestSchema>;

/** The whole new order: every item id of the showcase exactly once. */
export const reorderShowcaseRequestSchema = z
  .object({ itemIds: z.array(idSchema).max(MAX_SHOWCASE_ITEMS) })
  .strict()
  .refine((v) => new Set(v.itemIds).size === v.itemIds.length, { message: 'an item is named twice', path: ['itemIds'] });
export type ReorderShowcaseRequest = z.infer<typeof reorderShowcaseRequestSchema>;

// --- Teacher templates ---
export const showcaseTemplateSlotSchema = z.object({
  prompt: proseText(500),
  /** One of the project's goals, or null. */
  goalId: idSchema.nullable().default(null),
});
export type ShowcaseTemplateSlotInput = z.input<typeof showcaseTemplateSlotSchema>;

export const showcaseTemplateSchema = z.object({
  id: idSchema,
  projectId: idSchema,
  title: z.string(),
  intro: z.string(),
  slots: z.array(z.object({ prompt: z.string(), goalId: idSchema.nullable() })),
  updatedAt: isoDateTime,
});
export type ShowcaseTemplate = z.infer<typeof showcaseTemplateSchema>;

export const showcaseTemplateListSchema = z.object({
  /** May the viewer create and edit the project's templates (its teachers). */
  canManage: z.boolean(),
  /** May the viewer start a showcase from one (a pupil of the project). */
  canStart: z.boolean(),
  items: z.array(showcaseTemplateSchema),
});
export type ShowcaseTemplateList = z.infer<typeof showcaseTemplateListSchema>;

export const createShowcaseTemplateRequestSchema = z
  .object({
    title: nameText(200),
    intro: proseText(4000, { allowEmpty: true }).default(''),
    slots: z.array(showcaseTemplateSlotSchema).max(MAX_TEMPLATE_SLOTS).default([]),
  })
  .strict();
export type CreateShowcaseTemplateRequest = z.input<typeof createShowcaseTemplateRequestSchema>;

export const updateShowcaseTemplateRequestSchema = z
  .object({
    title: nameText(200).optional(),
    intro: proseText(4000, { allowEmpty: true }).optional(),
    slots: z.array(showcaseTemplateSlotSchema).max(MAX_TEMPLATE_SLOTS).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type UpdateShowcaseTemplateRequest = z.input<typeof updateShowcaseTemplateRequestSchema>;
