import { z } from 'zod';
import { idSchema, isoDateTime } from './common.ts';

/**
 * Roster import (issue 11 §2): upload → preview (a diff for one school) → apply as a background job → report.
 * The same job shape travels over HTTP (GET /api/roster-imports/:id) and Socket.IO (`roster.*` events).
 */
export const ROSTER_FORMATS = ['oneroster', 'sds'] as const;
export type RosterFormat = (typeof ROSTER_FORMATS)[number];
export const ROSTER_STATUSES = ['ready', 'running', 'done', 'failed'] as const;
export const ROSTER_ROLES = ['pupil', 'teacher', 'guardian'] as const;
export type RosterRole = (typeof ROSTER_ROLES)[number];

/**
 * Why a roster file or one of its rows cannot be used. The code and params say it in any language (the
 * client words it through i18n `rosters.reason.<code>`); `message` is the English sentence (CLI, logs).
 */
export const ROSTER_MESSAGES = {
  // The whole file (nothing is imported)
  not_zip: 'The file is not a ZIP archive. Export the roster as a ZIP of CSV files (OneRoster 1.2 or Microsoft SDS v2.1).',
  archive: 'The ZIP archive cannot be read: {detail}',
  unknown_format: 'This is neither a OneRoster nor a Microsoft SDS roster: it needs users.csv with orgs.csv and manifest.csv (OneRoster) or roles.csv (SDS).',
  missing_file: 'The roster lacks the file {file}.',
  missing_columns: '{file} lacks the column(s) {columns}.',
  file_too_large: '{file} is larger than {max} MB. Export one school at a time.',
  too_many_rows: '{file} has more than {max} rows. Export one school at a time.',
  bad_encoding: '{file} is not UTF-8 or Windows-1252 text.',
  bad_csv: '{file} line {line}: the CSV cannot be read ({detail}).',
  duplicate_id: '{file} line {line}: the id "{id}" appears twice (also on line {first}). Each row needs its own id.',
  no_school: 'The roster has no school with the code {code} (orgs.csv: schools {schools}).',
  no_users: 'The roster lists nobody at {school}. Nothing is imported and nobody is deactivated: check that the export is of the right school.',
  no_known_users:
    'None of the {count} people in this roster is among the {existing} people earlier rosters brought to this school: applying it would deactivate all of them. Nothing is imported: check that the export is of the right school and from the same student information system.',
  // One row (it is left out, the rest is imported)
  role_not_imported: 'The role "{role}" is not imported: only pupils, teachers and guardians are. Admins are appointed in Polku.',
  missing_name: 'The user has no name.',
  two_schools: 'The pupil is listed in two schools ({schools}); a pupil can be in one school only.',
  unknown_user: 'Refers to user "{id}", who is not in users.csv for this school.',
  unknown_class: 'Refers to class "{id}", which is not in classes.csv for this school.',
  guardian_in_class: 'A guardian cannot be enrolled in a class.',
  guardian_of_non_pupil: 'A guardian link needs a pupil and a guardian; "{id}" is not a pupil here.',
  duplicate_class_name: 'Another class of this roster is called "{name}" ({year}): rename one of them.',
  bad_birth_date: 'The birth date "{value}" is not a date (YYYY-MM-DD); it is left out.',
  learner_id_taken:
    'The learner id "{value}" also belongs to an account at another school. It is saved for this user too, but a school sign-in that does not name the school finds both accounts and is refused until one school corrects its roster: give the right person a link code, or ask the other school to check its roster.',
  username_taken:
    'The user name "{value}" also belongs to an account at another school. It is saved for this user too, but a school sign-in that does not name the school finds both accounts and is refused until one school corrects its roster: give the right person a link code, or ask the other school to check its roster.',
  email_taken:
    'The e-mail address "{value}" also belongs to an account at another school. It is saved for this user too, but a school sign-in that does not name the school finds both accounts and is refused until one school corrects its roster: give the right person a link code, or ask the other school to check its roster.',
} as const;
export type RosterMessageCode = keyof typeof ROSTER_MESSAGES;
export type RosterMessageParams = Record<string, string | number>;

export function rosterMessage(code: RosterMessageCode, params: RosterMessageParams = {}): string {
  return ROSTER_MESSAGES[code].replace(/\{(\w+)\}/g, (_m, k: string) => String(params[k] ?? ''));
}

const paramsSchema = z.record(z.string(), z.union([z.string(), z.number()]));

export const rosterProblemSchema = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  code: z.string(),
  params: paramsSchema,
  message: z.string(),
});
export type RosterProblem = z.infer<typeof rosterProblemSchema>;

const countsSchema = z.object({
  users: z.object({ create: z.number(), update: z.number(), deactivate: z.number(), unchanged: z.number() }),
  groups: z.object({ create: z.number(), update: z.number(), unchanged: z.number() }),
  memberships: z.object({ create: z.number(), remove: z.number() }),
  guardianLinks: z.object({ create: z.number(), remove: z.number() }),
  unusable: z.number(),
  /** Users of other schools in a district-wide roster: not this import's business. */
  otherSchools: z.number(),
});
export type RosterCounts = z.infer<typeof countsSchema>;

export const rosterPreviewSchema = z.object({
  format: z.enum(ROSTER_FORMATS),
  rosterSchool: z.object({ sourcedId: z.string(), name: z.string() }),
  counts: countsSchema,
  users: z.array(
    z.object({
      action: z.enum(['create', 'update', 'deactivate']),
      sourcedId: z.string(),
      displayName: z.string(),
      role: z.enum(ROSTER_ROLES).nullable(),
      username: z.string(),
      changes: z.array(z.string()),
    }),
  ),
  groups: z.array(z.object({ action: z.enum(['create', 'update']), sourcedId: z.string(), name: z.string(), schoolYear: z.string().nullable() })),
  memberships: z.array(z.object({ action: z.enum(['create', 'remove']), group: z.string(), user: z.string() })),
  guardianLinks: z.array(z.object({ action: z.enum(['create', 'remove']), guardian: z.string(), pupil: z.string() })),
  unusable: z.array(rosterProblemSchema),
  /** The lists above hold at most this many rows each; the counts are complete. */
  listLimit: z.number(),
});
export type RosterPreview = z.infer<typeof rosterPreviewSchema>;

export const rosterProgressSchema = z.object({ phase: z.string(), done: z.number(), total: z.number() });
export type RosterProgress = z.infer<typeof rosterProgressSchema>;

export const rosterImportSchema = z.object({
  id: idSchema,
  schoolId: idSchema,
  status: z.enum(ROSTER_STATUSES),
  format: z.enum(ROSTER_FORMATS),
  fileName: z.string(),
  createdAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
  preview: rosterPreviewSchema,
  progress: rosterProgressSchema.nullable(),
  /** What was written (the same counts as the preview, as applied). */
  report: countsSchema.nullable(),
  error: z.object({ code: z.string(), message: z.string(), params: paramsSchema.optional() }).nullable(),
});
export type RosterImport = z.infer<typeof rosterImportSchema>;

export const rosterImportParamsSchema = z.object({ rosterImportId: idSchema });
export const rosterSchoolParamsSchema = z.object({ schoolId: idSchema });
