import { z } from 'zod';

export const labelsSchema = z.object({ fi: z.string(), sv: z.string(), en: z.string() });
export type Labels = z.infer<typeof labelsSchema>;

export const subjectSchema = z.object({ code: z.string(), labels: labelsSchema });
export const competenceSchema = z.object({ id: z.string(), framework: z.string(), key: z.string(), labels: labelsSchema });
export const frameworkSchema = z.object({ key: z.string(), labels: labelsSchema, competences: z.array(competenceSchema) });

export const referenceDataSchema = z.object({
  subjects: z.array(subjectSchema),
  frameworks: z.array(frameworkSchema),
});
export type ReferenceData = z.infer<typeof referenceDataSchema>;
export type Subject = z.infer<typeof subjectSchema>;
export type Competence = z.infer<typeof competenceSchema>;
