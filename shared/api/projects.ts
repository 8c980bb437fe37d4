import { z } from 'zod';
import { idSchema, isoDateTime, nameText } from './common.ts';
import { userRefSchema } from './org.ts';
import { plainLine, scaleSchema } from './scales.ts';
import { hasForbiddenTagCharacters } from './tags.ts';

/**
 * Success criteria from an imported archive, which whoever made it may have crafted: control characters
 * and text-direction marks out (the API refuses them), whitespace folded, empty lines dropped.
 */
export function cleanImportedCriteria(lines: readonly string[]): string[] {
  return lines
    .map((line) =>
      [...line]
        .filter((c) => !hasForbiddenTagCharacters(c))
        .join('')
        .replace(/\s+/gu, ' ')
        .trim(),
    )
    .filter((line) => line.length > 0);
}

const isoDate = z.iso.date({ message: 'must be a date like 2026-09-01' });

/** Reflection prompts of a phase: short questions a pupil may answer in their work (issue 10 §2). */
export const MAX_REFLECTION_PROMPTS = 8;
export const REFLECTION_PROMPT_MAX = 200;
export const phaseSchema = z.object({ id: idSchema, title: z.string(), reflectionPrompts: z.array(z.string()) });
/** Success criteria of a goal: short lines saying what "I can …" looks like (issue 10). */
export const MAX_SUCCESS_CRITERIA = 10;
export const SUCCESS_CRITERION_MAX = 200;
export const goalSchema = z.object({ id: idSchema, text: z.string(), successCriteria: z.array(z.string()) });

export const projectSchema = z.object({
  id: idSchema,
  schoolId: idSchema,
  title: z.string(),
  description: z.string(),
  schoolYear: z.string().nullable(),
  startsOn: z.string().nullable(),
  endsOn: z.string().nullable(),
  subjectCodes: z.array(z.string()),
  competenceIds: z.array(z.string()),
  phases: z.array(phaseSchema),
  goals: z.array(goalSchema),
  teachers: z.array(userRefSchema),
  groups: z.array(z.object({ id: idSchema, name: z.string() })),
  /** The scale the project's goals are assessed on: the one chosen, else the built-in 4-step growth scale. */
  scale: scaleSchema,
  /** The scale chosen for the project; null when it uses the default. */
  scaleId: idSchema.nullable(),
  updatedAt: isoDateTime,
});
export type Project = z.infer<typeof projectSchema>;
export const projectListSchema = z.object({ projects: z.array(projectSchema) });

/** Phases and goals: existing ones keep their id (so artefacts keep pointing at them); new ones have none. */
const phaseInput = z.object({
  id: idSchema.optional(),
  title: nameText(100),
  /** Left out when editing: a phase keeps the prompts it has (a new phase has none). */
  reflectionPrompts: z
    .array(plainLine(REFLECTION_PROMPT_MAX))
    .max(MAX_REFLECTION_PROMPTS, { message: `must have at most ${MAX_REFLECTION_PROMPTS} reflection prompts` })
    .optional(),
});
const goalInput = z.object({
  id: idSchema.optional(),
  text: nameText(300),
  /** Left out when editing: a goal keeps the criteria it has (a new goal has none). */
  successCriteria: z
    .array(plainLine(SUCCESS_CRITERION_MAX))
    .max(MAX_SUCCESS_CRITERIA, { message: `must have at most ${MAX_SUCCESS_CRITERIA} success criteria` })
    .optional(),
});

export const createProjectRequestSchema = z
  .object({
    schoolId: idSchema,
    title: nameText(200),
    description: z.string().max(20_000).default(''),
    schoolYear: z
      .string()
      .regex(/^\d{4}-\d{4}$/, { message: 'must look like 2026-2027' })
      .nullable()
      .optional(),
    startsOn: isoDate.nullable().optional(),
    endsOn: isoDate.nullable().optional(),
    subjectCodes: z.array(z.string().max(10)).max(30).default([]),
    competenceIds: z.array(z.string().max(60)).max(30).default([]),
    phases: z.array(phaseInput).max(20).default([]),
    goals: z.array(goalInput).max(50).default([]),
    teacherIds: z.array(idSchema).max(20).default([]),
    groupIds: z.array(idSchema).max(50).default([]),
    /** A built-in scale or one of the school's own; null or left out: the 4-step growth scale. */
    scaleId: idSchema.nullable().optional(),
  })
  .strict()
  .refine((p) => !p.startsOn || !p.endsOn || p.endsOn >= p.startsOn, { message: 'must not be before the start date', path: ['endsOn'] });
export type CreateProjectRequest = z.input<typeof createProjectRequestSchema>;

export const updateProjectRequestSchema = z
  .object({
    title: nameText(200).optional(),
    description: z.string().max(20_000).optional(),
    schoolYear: z
      .string()
      .regex(/^\d{4}-\d{4}$/, { message: 'must look like 2026-2027' })
      .nullable()
      .optional(),
    startsOn: isoDate.nullable().optional(),
    endsOn: isoDate.nullable().optional(),
    subjectCodes: z.array(z.string().max(10)).max(30).optional(),
    competenceIds: z.array(z.string().max(60)).max(30).optional(),
    phases: z.array(phaseInput).max(20).optional(),
    goals: z.array(goalInput).max(50).optional(),
    teacherIds: z.array(idSchema).max(20).optional(),
    groupIds: z.array(idSchema).max(50).optional(),
    scaleId: idSchema.nullable().optional(),
  })
  .strict();
export type UpdateProjectRequest = z.infer<typeof updateProjectRequestSchema>;

export const projectParamsSchema = z.object({ projectId: idSchema });
