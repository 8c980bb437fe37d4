import { z } from 'zod';
import { isoDateTime } from './common.ts';

/** Issue 11 §1: school sign-in through OpenID Connect providers. */
export const ssoPresetSchema = z.enum(['mpassid', 'entra', 'google', 'oidc']);
export const ssoModeSchema = z.enum(['off', 'rostered', 'create']);
export type SsoMode = z.infer<typeof ssoModeSchema>;
const providerIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, { message: 'must be a provider id such as mpassid' });

export const ssoProviderSummarySchema = z.object({ id: z.string(), label: z.string(), preset: ssoPresetSchema });
export type SsoProviderSummary = z.infer<typeof ssoProviderSummarySchema>;
export const ssoProvidersResponseSchema = z.object({ providers: z.array(ssoProviderSummarySchema) });

export const schoolSignInSettingsSchema = z.object({
  schoolId: z.string(),
  passwordSignIn: z.boolean(),
  providers: z.array(ssoProviderSummarySchema.extend({ mode: ssoModeSchema })),
});
export type SchoolSignInSettings = z.infer<typeof schoolSignInSettingsSchema>;

export const updateSchoolSignInRequestSchema = z
  .object({
    passwordSignIn: z.boolean(),
    providers: z
      .array(z.object({ id: providerIdSchema, mode: ssoModeSchema }).strict())
      .max(50)
      .refine((list) => new Set(list.map((p) => p.id)).size === list.length, { message: 'names a provider twice' }),
  })
  .strict();

export const createLinkCodeRequestSchema = z.object({ schoolId: z.uuid({ message: 'must be an id (UUID)' }) }).strict();
export const linkCodeResponseSchema = z.object({ code: z.string(), expiresAt: isoDateTime });

export const ssoLogoutResponseSchema = z.object({
  ok: z.literal(true),
  /** The provider's own sign-out, offered when the session came from one that has it. */
  providerLogout: z.object({ url: z.string(), label: z.string() }).nullable(),
});
export type SsoLogoutResponse = z.infer<typeof ssoLogoutResponseSchema>;

/** The refusal codes the callback puts in `/sign-in?sso_error=…`. */
export const SSO_ERROR_CODES = [
  'failed',
  'not_allowed',
  'unknown_user',
  'no_school',
  'no_role',
  'ambiguous',
  'not_enabled',
  'admin',
  'rate_limited',
  'cancelled',
  'not_guardian',
  'invitation_invalid',
  'invitation_expired',
  'invitation_used',
] as const;

/**
 * The form Polku's own pages post to /auth/sso/<provider>/start when a sign-in carries a code: a link code
 * (a rostered user's first sign-in) or a guardian invitation's code. Posted, never in a URL (logs keep URLs).
 */
export const ssoStartFormSchema = z
  .object({
    link: z.string().trim().max(40).optional(),
    invitation: z.string().trim().max(40).optional(),
  })
  .strict()
  .refine((f) => !(f.link && f.invitation), { message: 'carries a link code or an invitation, not both' });
