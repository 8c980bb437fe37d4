import { z } from 'zod';
import { LOCALES, SCHOOL_ROLES } from '../roles.ts';

export const idSchema = z.uuid({ message: 'must be an id (UUID)' });
export const localeSchema = z.enum(LOCALES);
export const schoolRoleSchema = z.enum(SCHOOL_ROLES);
export const isoDateTime = z.iso.datetime({ offset: true });

/** Trimmed, non-empty single-line text. */
export const nameText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });

export const okSchema = z.object({ ok: z.literal(true) });
