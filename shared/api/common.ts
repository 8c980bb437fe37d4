import { z } from 'zod';
import { LOCALES, SCHOOL_ROLES } from '../roles.ts';

export const idSchema = z.uuid({ message: 'must be an id (UUID)' });
export const localeSchema = z.enum(LOCALES);
export const schoolRoleSchema = z.enum(SCHOOL_ROLES);
export const isoDateTime = z.iso.datetime({ offset: true });
/** Someone known only by name from an imported archive: never an account, always shown as imported. */
export const importedPersonSchema = z.object({ displayName: z.string(), role: schoolRoleSchema.nullable() });
export type ImportedPersonRef = z.infer<typeof importedPersonSchema>;

/** Trimmed, non-empty single-line text. */
export const nameText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });

export const okSchema = z.object({ ok: z.literal(true) });
