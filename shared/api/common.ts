import { z } from 'zod';
import { LOCALES, SCHOOL_ROLES } from '../roles.ts';

export const idSchema = z.uuid({ message: 'must be an id (UUID)' });
export const localeSchema = z.enum(LOCALES);
export const schoolRoleSchema = z.enum(SCHOOL_ROLES);
export const isoDateTime = z.iso.datetime({ offset: true });
/** Someone known only by name from an imported archive: never an account, always shown as imported. */
export const importedPersonSchema = z.object({ displayName: z.string(), role: schoolRoleSchema.nullable() });
export type ImportedPersonRef = z.infer<typeof importedPersonSchema>;

export const DEFAULT_TIME_ZONE = 'Europe/Helsinki';
/** True for a time zone name this runtime knows (IANA, e.g. Europe/Helsinki or America/New_York). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
export const timeZoneSchema = z
  .string()
  .trim()
  .min(1, { message: 'is required' })
  .max(100)
  .refine(isTimeZone, { message: 'must be an IANA time zone name, such as Europe/Helsinki' });

/** Trimmed, non-empty single-line text. */
/**
 * Control characters, and the invisible ones that turn text around (bidi controls): a name is shown
 * to teachers and guardians, and "\u202etxt.exe" must not read as something else. Tabs and line
 * breaks are whitespace, not hidden. Also the characters that show nothing at all (zero-width space,
 * word joiner and invisible operators, BOM, the Hangul and Mongolian fillers that make a name look
 * blank) and the line and paragraph separators that break a line no one sees. The joiners (U+200C,
 * U+200D) stay: emoji sequences and some scripts need them.
 */
const HIDDEN =
  '[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\ufff9-\ufffb]';
const HIDDEN_ONE = new RegExp(HIDDEN, 'u');
const HIDDEN_ALL = new RegExp(HIDDEN, 'gu');
export const hasHiddenCharacters = (text: string) => HIDDEN_ONE.test(text);
/** For what arrives from archives (cleaned, not refused: the rest of the line is kept). */
export const withoutHiddenCharacters = (text: string) => text.replace(HIDDEN_ALL, '');

export const nameText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` })
    .refine((text) => !hasHiddenCharacters(text), { message: 'must not contain invisible control or text-direction characters' });

/**
 * Trimmed prose that people write to each other (feedback, reflections): line breaks and tabs are fine,
 * control and text-direction characters are not, as in names. Empty is refused unless `allowEmpty` says so.
 */
export const proseText = (max: number, { allowEmpty = false }: { allowEmpty?: boolean } = {}) =>
  z
    .string()
    .trim()
    .min(allowEmpty ? 0 : 1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` })
    .refine((text) => !hasHiddenCharacters(text), { message: 'must not contain invisible control or text-direction characters' });

export const okSchema = z.object({ ok: z.literal(true) });
