import { z } from 'zod';
import { idSchema, isoDateTime, localeSchema, nameText } from './common.ts';
import { userRefSchema, usernameSchema } from './org.ts';
import { IMPORT_REASON_CODES } from '../portability/import-reasons.ts';
import { IMPORT_TITLE_CODES } from '../portability/import-titles.ts';

export { IMPORT_REASON_CODES, type ImportReasonCode } from '../portability/import-reasons.ts';
export { IMPORT_REJECTED_CODES, type ImportRejectedCode, isImportRejectedCode } from '../portability/import-rejections.ts';

/**
 * Export and import jobs (issue 4). The same shapes travel over HTTP (GET /api/exports/:id,
 * GET /api/imports/:id) and Socket.IO (`export.*`, `import.*` events).
 */
export const EXPORT_SCOPES = ['full', 'shared'] as const;
export type ExportScope = (typeof EXPORT_SCOPES)[number];
export const JOB_STATUSES = ['queued', 'running', 'ready', 'done', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobProgressSchema = z.object({
  /** export: collecting | media | pages | finishing; import: reading | media | rows. */
  phase: z.string(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  /** Bytes written so far (export). */
  bytes: z.number().int().nonnegative().optional(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

/** Values a translated message interpolates (see shared/portability/import-messages.ts). */
export const messageParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

/**
 * Why a job failed: a stable code, a sentence in English, and for an import refused as a whole
 * (code = an ImportRejectedCode) the params the client words it with in the reader's language.
 */
export const jobErrorSchema = z.object({ code: z.string(), message: z.string(), params: messageParamsSchema.optional() });
export type JobError = z.infer<typeof jobErrorSchema>;

// Export

export const exportJobSchema = z.object({
  id: idSchema,
  kind: z.literal('export'),
  status: z.enum(JOB_STATUSES),
  pupil: userRefSchema,
  requestedBy: userRefSchema,
  /** 'full': the whole portfolio; 'shared': only what the pupil shared with guardians. */
  scope: z.enum(EXPORT_SCOPES),
  locale: localeSchema,
  fileName: z.string(),
  progress: jobProgressSchema.nullable(),
  /** Archive size in bytes, once done. */
  size: z.number().int().nullable(),
  /** Where the finished archive is downloaded (after a policy check), or null until done, or when outdated. */
  downloadUrl: z.string().nullable(),
  /** A guardian's archive that holds work the pupil has since stopped sharing: no longer handed out. */
  outdated: z.boolean(),
  error: jobErrorSchema.nullable(),
  createdAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
  /** When the archive and this record are deleted. */
  expiresAt: isoDateTime,
});
export type ExportJob = z.infer<typeof exportJobSchema>;

export const exportJobListSchema = z.object({ exports: z.array(exportJobSchema) });
export type ExportJobList = z.infer<typeof exportJobListSchema>;

/** The scope follows from who asks (a guardian gets what was shared with them); only the language is chosen. */
export const createExportRequestSchema = z.object({ locale: localeSchema.optional() }).strict();
export type CreateExportRequest = z.infer<typeof createExportRequestSchema>;

export const exportParamsSchema = z.object({ exportId: idSchema });
export const importParamsSchema = z.object({ importId: idSchema });

// Import

export const importTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('existing'), pupilId: idSchema }).strict(),
  z
    .object({
      kind: z.literal('new'),
      schoolId: idSchema,
      username: usernameSchema.optional(),
      displayName: nameText(200).optional(),
      /** A group of the same school the new pupil joins, so that its teachers see the imported work (issue 9, item 11). */
      groupId: idSchema.optional(),
    })
    .strict(),
]);
export type ImportTargetRequest = z.infer<typeof importTargetSchema>;

/** The `data` field of the multipart POST /api/imports. */
export const createImportRequestSchema = z.object({ target: importTargetSchema }).strict();
export type CreateImportRequest = z.infer<typeof createImportRequestSchema>;

export const IMPORT_ITEM_TYPES = ['project', 'artefact', 'media', 'feedback', 'version', 'entry', 'assessment', 'showcase'] as const;
export const IMPORT_ACTIONS = ['create', 'skip', 'unmapped'] as const;
export type ImportAction = (typeof IMPORT_ACTIONS)[number];

export const importItemSchema = z.object({
  type: z.enum(IMPORT_ITEM_TYPES),
  sourceId: z.string(),
  /** The title; for one the importer made up, in English (CLI, logs) … */
  title: z.string(),
  /** … and for the client to word in the reader's language: `imports.itemTitle.<code>` with the params. */
  titleCode: z.enum(IMPORT_TITLE_CODES).optional(),
  titleParams: messageParamsSchema.optional(),
  action: z.enum(IMPORT_ACTIONS),
  /** Why, for the client to word in the reader's language: `imports.reason.<code>` with the params. */
  reasonCode: z.enum(IMPORT_REASON_CODES).optional(),
  reasonParams: messageParamsSchema.optional(),
  /** The same in English (CLI, logs). */
  reason: z.string().optional(),
});
export type ImportItemView = z.infer<typeof importItemSchema>;

export const importPreviewSchema = z.object({
  format: z.enum(['polku', 'leap2a', 'takeout', 'seesaw']),
  sourceVersion: z.string(),
  pupilName: z.string(),
  /** Set when the archive names no learner: `pupilName` is then the English placeholder. */
  pupilNameCode: z.enum(IMPORT_TITLE_CODES).optional(),
  items: z.array(importItemSchema),
  counts: z.object({ create: z.number().int(), skip: z.number().int(), unmapped: z.number().int() }),
  /** The learner's profile as the archive states it (LEAP2A persondata), shown, never used to link an account. */
  profile: z.array(z.object({ field: z.string(), label: z.string(), value: z.string() })).optional(),
});
export type ImportPreviewView = z.infer<typeof importPreviewSchema>;

export const importReportSchema = importPreviewSchema.extend({
  pupilId: idSchema,
  created: z.object({ projects: z.number().int(), artefacts: z.number().int(), media: z.number().int(), feedback: z.number().int() }),
});
export type ImportReportView = z.infer<typeof importReportSchema>;

export const importJobSchema = z.object({
  id: idSchema,
  kind: z.literal('import'),
  /** ready: the preview is there and waits for confirmation; queued/running: being applied; done: see report. */
  status: z.enum(JOB_STATUSES),
  fileName: z.string(),
  target: importTargetSchema,
  /** The pupil imported into (for a new account, once it exists). */
  pupil: userRefSchema.nullable(),
  requestedBy: userRefSchema,
  progress: jobProgressSchema.nullable(),
  preview: importPreviewSchema.nullable(),
  report: importReportSchema.nullable(),
  error: jobErrorSchema.nullable(),
  createdAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
  expiresAt: isoDateTime,
});
export type ImportJob = z.infer<typeof importJobSchema>;
