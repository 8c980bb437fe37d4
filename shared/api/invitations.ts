import { z } from 'zod';
import { idSchema, isoDateTime, localeSchema, nameText } from './common.ts';
import { passwordSchema, usernameSchema } from './org.ts';

/** Issue 11 §4–5: guardian invitations, password reset by e-mail, a pupil's password reset by their teacher. */

const emailSchema = z
  .email({ message: 'must be an email address' })
  .max(254)
  .transform((e) => e.toLowerCase());

/** A guardian's address as a form checks it before sending (the same rule as the server's). */
export const guardianEmailSchema = emailSchema;

export const INVITATION_STATES = ['created', 'sent', 'opened', 'accepted', 'expired', 'revoked'] as const;
export const invitationStateSchema = z.enum(INVITATION_STATES);
export type InvitationState = z.infer<typeof invitationStateSchema>;

export const invitationSchema = z.object({
  id: idSchema,
  schoolId: idSchema,
  pupil: z.object({ id: idSchema, displayName: z.string() }),
  email: z.string().nullable(),
  locale: localeSchema.nullable(),
  state: invitationStateSchema,
  expiresAt: isoDateTime,
  sentAt: isoDateTime.nullable(),
  openedAt: isoDateTime.nullable(),
  acceptedAt: isoDateTime.nullable(),
  acceptedBy: z.object({ id: idSchema, displayName: z.string() }).nullable(),
  createdAt: isoDateTime,
});
export type Invitation = z.infer<typeof invitationSchema>;
export const invitationListSchema = z.object({ invitations: z.array(invitationSchema) });

/** A letter to send home: shown once, when the code is made (only its hash is kept). */
export const invitationLetterSchema = z.object({
  invitationId: idSchema,
  pupilName: z.string(),
  schoolName: z.string(),
  locale: localeSchema,
  code: z.string(),
  /** The acceptance page with the code in its fragment (never sent to a server in a Referer or a log). */
  link: z.string(),
  acceptUrl: z.string(),
  expiresAt: isoDateTime,
  /** Whether it was e-mailed just now. */
  emailed: z.boolean(),
});
export type InvitationLetter = z.infer<typeof invitationLetterSchema>;
export const invitationLettersSchema = z.object({ invitations: z.array(invitationSchema), letters: z.array(invitationLetterSchema) });
export type InvitationLetters = z.infer<typeof invitationLettersSchema>;

export const createInvitationsRequestSchema = z.union([
  z.object({ pupilId: idSchema, email: emailSchema.optional(), locale: localeSchema.optional() }).strict(),
  z.object({ groupId: idSchema, locale: localeSchema.optional() }).strict(),
]);
export type CreateInvitationsRequest = z.infer<typeof createInvitationsRequestSchema>;

/**
 * Issue 11 §6: the admin's user list invites the guardians of the chosen pupils at once (one letter each,
 * e-mailed where an address is typed and the school sends e-mail). At most this many in one request: the
 * letters are made in one transaction and e-mailed one by one before the answer.
 */
export const MAX_BULK_INVITATIONS = 100;
export const bulkInvitationsRequestSchema = z
  .object({
    invitees: z
      .array(z.object({ userId: idSchema, email: emailSchema.optional() }).strict())
      .min(1)
      .max(MAX_BULK_INVITATIONS, { message: `at most ${MAX_BULK_INVITATIONS} at once` })
      .refine((list) => new Set(list.map((i) => i.userId)).size === list.length, { message: 'each user at most once' }),
    locale: localeSchema.optional(),
  })
  .strict();
export type BulkInvitationsRequest = z.infer<typeof bulkInvitationsRequestSchema>;
/** Letters for those invited, and how many of the chosen were left out and why. */
export const bulkInvitationsResponseSchema = invitationLettersSchema.extend({
  skipped: z.object({
    /** Chosen users who are not pupils at this school (teachers, guardians, admins). */
    notPupils: z.number().int(),
    /** Pupils whose account is deactivated. */
    inactive: z.number().int(),
    /** Pupils who are 18 or older (guardians are no longer invited). */
    adults: z.number().int(),
  }),
});
export type BulkInvitationsResponse = z.infer<typeof bulkInvitationsResponseSchema>;
export const resendInvitationRequestSchema = z.object({ email: emailSchema.nullable().optional(), locale: localeSchema.optional() }).strict();

/** What a guardian types from a letter: letters and digits, dashes and spaces ignored. */
export const invitationCodeSchema = z
  .string()
  .max(200)
  .transform((c) => c.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[0-9A-Z]{10,64}$/, { message: 'must be the code from the letter' }));

export const openInvitationRequestSchema = z.object({ code: invitationCodeSchema }).strict();
export const openInvitationResponseSchema = z.object({ pupilName: z.string(), schoolName: z.string(), expiresAt: isoDateTime });
export type OpenInvitationResponse = z.infer<typeof openInvitationResponseSchema>;

export const acceptInvitationRequestSchema = z
  .object({
    code: invitationCodeSchema,
    account: z.discriminatedUnion('kind', [
      z
        .object({ kind: z.literal('new'), username: usernameSchema, displayName: nameText(200), password: passwordSchema, email: emailSchema.optional() })
        .strict(),
      z.object({ kind: z.literal('existing'), username: z.string().trim().min(1).max(100), password: z.string().min(1).max(1000) }).strict(),
      // The account already signed in (with a password, or later with a school's Google or Microsoft sign-in).
      z.object({ kind: z.literal('session') }).strict(),
    ]),
  })
  .strict();
export type AcceptInvitationRequest = z.infer<typeof acceptInvitationRequestSchema>;

export const mailStatusSchema = z.object({ email: z.boolean() });
export type MailStatus = z.infer<typeof mailStatusSchema>;

export const requestPasswordResetSchema = z.object({ email: emailSchema, locale: localeSchema.optional() }).strict();
export const confirmPasswordResetSchema = z
  .object({
    token: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]{20,100}$/, { message: 'must be the link from the e-mail' }),
    password: passwordSchema,
  })
  .strict();
export const setPupilPasswordSchema = z.object({ password: passwordSchema }).strict();
