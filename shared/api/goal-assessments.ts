import { z } from 'zod';
import { idSchema, importedPersonSchema, isoDateTime, proseText } from './common.ts';
import { scaleSchema } from './scales.ts';
import { voiceSchema } from './feedback.ts';

/**
 * Assessment for learning on one goal (issue 10, sections 1–2): the goal page of one pupil, with the
 * evidence linked to the goal, and the pupil's self-assessments and teachers' levels over time.
 * Every assessment is kept (growth over time); none is ever edited, only shared or unshared.
 */
export const REFLECTION_MAX = 500;
export const MAX_ASSESSMENT_ARTEFACTS = 20;
/**
 * Assessments one pupil's goal may hold of each kind (self, teacher): many more than a school year needs, and
 * a bound on what the goal page and the heatmap read (rows are only ever added).
 */
export const MAX_ASSESSMENTS_PER_GOAL = 100;

export const assessmentKindSchema = z.enum(['self', 'teacher']);
export type AssessmentKind = z.infer<typeof assessmentKindSchema>;

/** A short reflection: line breaks are fine, control and text-direction characters are not. */
const reflection = proseText(REFLECTION_MAX, { allowEmpty: true });

export const goalAssessmentSchema = z.object({
  id: idSchema,
  goalId: idSchema,
  pupilId: idSchema,
  kind: assessmentKindSchema,
  /** Who assessed; null when the account is gone. */
  assessor: z.object({ id: idSchema, displayName: z.string() }).nullable(),
  /** A teacher level brought by an import: the teacher by name only, never an account here (then `assessor` is null). */
  importedAssessor: importedPersonSchema.nullable(),
  /** Index into the project scale's levels, lowest first. */
  level: z.number().int(),
  reflection: z.string().nullable(),
  /** The artefacts it is based on, those the viewer may see. */
  artefactIds: z.array(idSchema),
  sharedWithGuardians: z.boolean(),
  createdAt: isoDateTime,
  /** Issue 10 §2: a spoken reflection, heard wherever the assessment is seen. */
  voice: voiceSchema.nullable(),
});
export type GoalAssessment = z.infer<typeof goalAssessmentSchema>;

export const goalEvidenceSchema = z.object({
  id: idSchema,
  title: z.string(),
  kind: z.string(),
  visibility: z.string(),
  createdAt: isoDateTime,
});
export type GoalEvidence = z.infer<typeof goalEvidenceSchema>;

export const goalPageSchema = z.object({
  goal: z.object({ id: idSchema, text: z.string(), successCriteria: z.array(z.string()) }),
  project: z.object({ id: idSchema, title: z.string(), subjectCodes: z.array(z.string()), competenceIds: z.array(z.string()) }),
  pupil: z.object({ id: idSchema, displayName: z.string() }),
  scale: scaleSchema,
  /** Artefacts of the pupil linked to the goal that the viewer may see, newest first. */
  evidence: z.array(goalEvidenceSchema),
  /** Assessments the viewer may see, oldest first. */
  assessments: z.array(goalAssessmentSchema),
  /** What the viewer may record here: their own self-assessment, a teacher's level, or nothing. */
  canAssess: assessmentKindSchema.nullable(),
  /** Whether the viewer may share assessments with guardians (the pupil). */
  canShare: z.boolean(),
});
export type GoalPage = z.infer<typeof goalPageSchema>;

export const goalPupilParamsSchema = z.object({ goalId: idSchema, pupilId: idSchema });
export const goalAssessmentParamsSchema = z.object({ assessmentId: idSchema });

export const createGoalAssessmentRequestSchema = z
  .object({
    level: z.number().int({ message: 'must be a whole number' }).min(0, { message: 'must be a level of the scale' }),
    reflection: reflection.optional(),
    artefactIds: z
      .array(idSchema)
      .max(MAX_ASSESSMENT_ARTEFACTS, { message: `must name at most ${MAX_ASSESSMENT_ARTEFACTS} artefacts` })
      .default([]),
    /** Only the pupil shares with guardians. */
    sharedWithGuardians: z.boolean().default(false),
  })
  .strict();
export type CreateGoalAssessmentRequest = z.input<typeof createGoalAssessmentRequestSchema>;

export const shareGoalAssessmentRequestSchema = z.object({ sharedWithGuardians: z.boolean() }).strict();
export type ShareGoalAssessmentRequest = z.infer<typeof shareGoalAssessmentRequestSchema>;
