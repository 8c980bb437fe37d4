import { z } from 'zod';
import { idSchema, isoDateTime, nameText } from './common.ts';
import { hasForbiddenTagCharacters } from './tags.ts';

/**
 * Assessment scales (issue 10, section 1): formative levels with a label in each of the app's
 * languages and an icon that a seven-year-old can read. No level carries a number.
 */
export const MIN_SCALE_LEVELS = 2;
export const MAX_SCALE_LEVELS = 7;
export const SCALE_LABEL_MAX = 40;
export const SCALE_NAME_MAX = 80;
export const SCALE_ICON_MAX = 8;
/** The built-in scale a project without a scale of its own uses. */
export const DEFAULT_SCALE_KEY = 'growth4';

/**
 * One line shown to young pupils and their guardians: like a tag, no control characters and no
 * text-direction marks (a right-to-left override before an icon would turn the rest of the option around).
 */
export const plainLine = (max: number) =>
  nameText(max).refine((s) => !hasForbiddenTagCharacters(s), { message: 'must not contain control characters or text-direction marks' });

const labelsOf = (max: number) => z.object({ fi: plainLine(max), sv: plainLine(max), en: plainLine(max) }).strict();
const icon = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(SCALE_ICON_MAX, { message: `must be at most ${SCALE_ICON_MAX} characters` })
  .refine((s) => !hasForbiddenTagCharacters(s), { message: 'must not contain control characters or text-direction marks' });

export const scaleLevelSchema = z.object({ labels: labelsOf(SCALE_LABEL_MAX), icon }).strict();
export type ScaleLevel = z.infer<typeof scaleLevelSchema>;

const levels = z
  .array(scaleLevelSchema)
  .min(MIN_SCALE_LEVELS, { message: `must have at least ${MIN_SCALE_LEVELS} levels` })
  .max(MAX_SCALE_LEVELS, { message: `must have at most ${MAX_SCALE_LEVELS} levels` });

export const scaleSchema = z.object({
  id: idSchema,
  /** Null for a built-in scale (read-only, offered to every school). */
  schoolId: idSchema.nullable(),
  builtinKey: z.string().nullable(),
  name: z.object({ fi: z.string(), sv: z.string(), en: z.string() }),
  levels: z.array(z.object({ labels: z.object({ fi: z.string(), sv: z.string(), en: z.string() }), icon: z.string() })),
  updatedAt: isoDateTime,
});
export type Scale = z.infer<typeof scaleSchema>;
export const scaleListSchema = z.object({ scales: z.array(scaleSchema) });

export const createScaleRequestSchema = z.object({ name: labelsOf(SCALE_NAME_MAX), levels }).strict();
export type CreateScaleRequest = z.infer<typeof createScaleRequestSchema>;
export const updateScaleRequestSchema = z.object({ name: labelsOf(SCALE_NAME_MAX).optional(), levels: levels.optional() }).strict();
export type UpdateScaleRequest = z.infer<typeof updateScaleRequestSchema>;

export const scaleParamsSchema = z.object({ scaleId: idSchema });
