import { z } from 'zod';
import { idSchema } from './common.ts';
import { scaleSchema } from './scales.ts';

/**
 * Issue 10 §6, the teacher's view of a group: a pupil × goal heatmap for a project, and which
 * transversal competences (L1–L7) and subjects each pupil of a group has evidence of this term.
 */
export const heatmapParamsSchema = z.object({ projectId: idSchema });
export const coverageParamsSchema = z.object({ groupId: idSchema });

/** One pupil on one goal: the latest levels (indexes into the scale's levels) and the work linked to the goal. */
export const heatmapCellSchema = z.object({
  goalId: idSchema,
  /** The pupil's latest self-assessment; null when there is none. */
  selfLevel: z.number().int().nullable(),
  /** The latest level any teacher recorded; null when there is none. */
  teacherLevel: z.number().int().nullable(),
  /** The pupil's artefacts (not deleted) linked to the goal. 0: no evidence yet. */
  evidenceCount: z.number().int(),
});
export type HeatmapCell = z.infer<typeof heatmapCellSchema>;

export const heatmapSchema = z.object({
  project: z.object({ id: idSchema, title: z.string() }),
  scale: scaleSchema,
  /** The project's goals in their order: the columns. */
  goals: z.array(z.object({ id: idSchema, text: z.string() })),
  /** The pupils of the project's groups the viewer teaches (all of them for a project teacher), by name: the rows. */
  pupils: z.array(
    z.object({
      id: idSchema,
      displayName: z.string(),
      /** One per goal, in the order of `goals`. */
      cells: z.array(heatmapCellSchema),
    }),
  ),
});
export type Heatmap = z.infer<typeof heatmapSchema>;

/** The basic-education transversal competences the coverage view counts (ids of the reference data). */
export const COVERAGE_COMPETENCE_IDS = ['basic:L1', 'basic:L2', 'basic:L3', 'basic:L4', 'basic:L5', 'basic:L6', 'basic:L7'] as const;

export const coverageSchema = z.object({
  group: z.object({ id: idSchema, name: z.string() }),
  /**
   * The first day of this term in the school's time zone (YYYY-MM-DD): 1 August from August to December,
   * 1 January from January to July (the later of the two that has passed). Work created since then counts.
   */
  termStart: z.iso.date(),
  pupils: z.array(
    z.object({
      id: idSchema,
      displayName: z.string(),
      /** Artefacts (not deleted) created this term. */
      artefactCount: z.number().int(),
      /** Which of L1–L7 this term's artefacts are tagged with, in order. */
      competenceIds: z.array(z.string()),
      /** Subject codes this term's artefacts are tagged with, alphabetically. */
      subjectCodes: z.array(z.string()),
    }),
  ),
});
export type Coverage = z.infer<typeof coverageSchema>;
