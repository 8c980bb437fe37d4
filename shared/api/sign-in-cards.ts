import { z } from 'zod';
import { idSchema, isoDateTime, localeSchema, schoolRoleSchema } from './common.ts';

/**
 * QR sign-in cards (issue 11 §3). A card's code is 32 characters of Crockford base32 (160 random bits);
 * printed in groups of four and typed in any case, with or without spaces and dashes. The QR code holds
 * `${PUBLIC_URL}/card#<code>`: the fragment never leaves the browser, so no server or proxy log sees it.
 */
export const CARD_CODE_LENGTH = 32;
const CROCKFORD = /^[0-9a-hjkmnp-tv-z]+$/;

/** The code as typed or scanned: spaces and dashes dropped, lower case, the letters people confuse mapped (o→0, i/l→1). */
export function normaliseCardCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
}

/** The code from whatever was scanned or typed: a card URL (its fragment) or the code itself. */
export function cardCodeFrom(text: string): string {
  const hash = text.indexOf('#');
  return normaliseCardCode(hash === -1 ? text : text.slice(hash + 1));
}

export const cardCodeSchema = z
  .string()
  .max(200, { message: 'is too long for a card code' })
  .transform(normaliseCardCode)
  .refine((code) => code.length === CARD_CODE_LENGTH && CROCKFORD.test(code), { message: 'is not a sign-in card code' });

// The field is called cardCode everywhere, and the log redaction replaces any field of that name.
export const cardSignInRequestSchema = z.object({ cardCode: cardCodeSchema }).strict();

export const cardStateSchema = z.object({
  pupilId: idSchema,
  displayName: z.string(),
  username: z.string(),
  /** The live card's creation time, or null when the pupil has no working card. */
  issuedAt: isoDateTime.nullable(),
  lastUsedAt: isoDateTime.nullable(),
});
export type CardState = z.infer<typeof cardStateSchema>;
export const groupCardsResponseSchema = z.object({ groupId: idSchema, schoolId: idSchema, groupName: z.string(), pupils: z.array(cardStateSchema) });
export type GroupCardsResponse = z.infer<typeof groupCardsResponseSchema>;

/** One printed card: shown once, when issued (only a hash is kept). */
export const printedCardSchema = z.object({
  pupilId: idSchema,
  displayName: z.string(),
  /** The pupil's language (the card's text), or the school's default (fi) when they have none. */
  locale: localeSchema,
  code: z.string(),
  url: z.string(),
});
export type PrintedCard = z.infer<typeof printedCardSchema>;
export const issuedCardsResponseSchema = z.object({ schoolName: z.string(), cards: z.array(printedCardSchema) });
export type IssuedCardsResponse = z.infer<typeof issuedCardsResponseSchema>;

export const cardFormatSchema = z.enum(['json', 'pdf']);
/** Issue (or re-issue) cards for a group's pupils: all of them, or those named. Earlier cards of these pupils stop working. */
export const issueGroupCardsRequestSchema = z
  .object({ pupilIds: z.array(idSchema).min(1).max(500).optional(), format: cardFormatSchema.default('json') })
  .strict();
/** Issue cards for pupils of a school (the admin's user list, across groups). */
export const issueSchoolCardsRequestSchema = z.object({ pupilIds: z.array(idSchema).min(1).max(500), format: cardFormatSchema.default('json') }).strict();
export const revokeCardsRequestSchema = z.object({ pupilIds: z.array(idSchema).min(1).max(500).optional() }).strict();
export const revokedCardsResponseSchema = z.object({ revoked: z.number().int() });

/** A school's card sign-in hours, "HH:MM" in the school's time zone; both null: any time. */
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: 'must be a time such as 07:30' });
export const cardSettingsSchema = z.object({ hoursStart: clock.nullable(), hoursEnd: clock.nullable(), timeZone: z.string() });
export type CardSettings = z.infer<typeof cardSettingsSchema>;
export const updateCardSettingsRequestSchema = z
  .object({ hoursStart: clock.nullable(), hoursEnd: clock.nullable() })
  .strict()
  .refine((v) => (v.hoursStart === null) === (v.hoursEnd === null), { message: 'give both times, or neither', path: ['hoursEnd'] })
  .refine((v) => v.hoursStart === null || v.hoursEnd === null || v.hoursStart < v.hoursEnd, { message: 'must be after the start', path: ['hoursEnd'] });

// --- The admin's user list (issue 11 §6) ---
export const USER_PAGE_SIZES = [25, 50, 100] as const;
export const userDirectoryQuerySchema = z
  .object({
    q: z.string().trim().max(100).optional(),
    role: schoolRoleSchema.optional(),
    groupId: idSchema.optional(),
    active: z.enum(['true', 'false']).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce
      .number()
      .int()
      .refine((n) => (USER_PAGE_SIZES as readonly number[]).includes(n), { message: 'must be 25, 50 or 100' })
      .default(25),
  })
  .strict();
export type UserDirectoryQuery = z.output<typeof userDirectoryQuerySchema>;
export const directoryUserSchema = z.object({
  id: idSchema,
  username: z.string(),
  displayName: z.string(),
  active: z.boolean(),
  roles: z.array(schoolRoleSchema),
  groups: z.array(z.object({ id: idSchema, name: z.string() })),
});
export type DirectoryUser = z.infer<typeof directoryUserSchema>;
export const userDirectoryResponseSchema = z.object({
  users: z.array(directoryUserSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});
export type UserDirectoryResponse = z.infer<typeof userDirectoryResponseSchema>;

/**
 * Bulk actions on the list. Deactivating is undone by activating the same ids (the client offers it at once).
 * Inviting guardians belongs to the invitations feature: POST /api/schools/:schoolId/guardian-invitations
 * (shared/api/invitations.ts `bulkInvitationsRequestSchema`), as it answers with letters.
 */
export const bulkUsersRequestSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('moveToGroup'), userIds: z.array(idSchema).min(1).max(500), groupId: idSchema }).strict(),
  z.object({ action: z.literal('deactivate'), userIds: z.array(idSchema).min(1).max(500) }).strict(),
  z.object({ action: z.literal('activate'), userIds: z.array(idSchema).min(1).max(500) }).strict(),
]);
export type BulkUsersRequest = z.infer<typeof bulkUsersRequestSchema>;
export const bulkUsersResponseSchema = z.object({ changed: z.number().int() });
