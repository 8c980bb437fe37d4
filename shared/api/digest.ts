import { z } from 'zod';
import { idSchema, isoDateTime } from './common.ts';

/**
 * Issue 12 §5: how a user hears of new things outside the app (the weekly guardian digest, an e-mail or
 * a push per new notification), the digest itself, and Web Push subscriptions.
 */
export const DIGEST_FREQUENCIES = ['weekly', 'never', 'every'] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

export const notificationPreferencesSchema = z.object({
  /** 'weekly' (guardians only): one digest a week; 'every': one message per new notification; 'never'. */
  frequency: z.enum(DIGEST_FREQUENCIES),
  email: z.boolean(),
  push: z.boolean(),
});
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;

export const preferencesViewSchema = notificationPreferencesSchema.extend({
  /** Whether the weekly digest can be chosen (guardians). */
  weeklyAllowed: z.boolean(),
  /** E-mail can be sent: an SMTP server is configured and the account has an address. */
  emailAvailable: z.boolean(),
  /** Web Push is set up on the server (its public key is at /api/push/public-key). */
  pushAvailable: z.boolean(),
  /** How many browsers of this account are subscribed to Web Push. */
  pushSubscriptions: z.number().int().min(0),
});
export type PreferencesView = z.infer<typeof preferencesViewSchema>;

/** An ISO week, e.g. 2026-W49 (in the school's time zone). */
export const isoWeekSchema = z.string().regex(/^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$/, { message: 'must be an ISO week such as 2026-W49' });
export const digestQuerySchema = z.object({ week: isoWeekSchema.optional() });

const sharedItem = z.object({ artefactId: idSchema, title: z.string(), kind: z.string(), at: isoDateTime });
const goalItem = z.object({
  goalId: idSchema,
  text: z.string(),
  projectTitle: z.string(),
  /** The child's latest self-assessment shared with guardians, if any. */
  latestSelf: z.object({ level: z.number().int(), label: z.string().nullable(), reflection: z.string().nullable(), at: isoDateTime }).nullable(),
});
const feedbackItem = z.object({
  artefactId: idSchema,
  artefactTitle: z.string(),
  feedbackId: idSchema,
  authorName: z.string(),
  body: z.string(),
  at: isoDateTime,
});

export const digestSchema = z.object({
  week: isoWeekSchema,
  /** The digest covers [from, to): from one week's send time to the next (to is now for the running week). */
  from: isoDateTime,
  to: isoDateTime,
  /** The week before (always) and after (null for the running week). */
  previousWeek: isoWeekSchema,
  nextWeek: isoWeekSchema.nullable(),
  timeZone: z.string(),
  children: z.array(
    z.object({
      pupil: z.object({ id: idSchema, displayName: z.string() }),
      shared: z.array(sharedItem),
      goals: z.array(goalItem),
      feedback: z.array(feedbackItem),
    }),
  ),
});
export type Digest = z.infer<typeof digestSchema>;

// --- Web Push ---
export const pushPublicKeySchema = z.object({ publicKey: z.string().nullable() });
export const pushSubscribeSchema = z.object({
  endpoint: z
    .string()
    .trim()
    .max(1000)
    .pipe(z.url({ message: 'must be a URL' })),
  keys: z.object({
    p256dh: z
      .string()
      .max(200)
      .regex(/^[A-Za-z0-9_-]+=*$/, { message: 'must be base64url' }),
    auth: z
      .string()
      .max(100)
      .regex(/^[A-Za-z0-9_-]+=*$/, { message: 'must be base64url' }),
  }),
});
export type PushSubscribeRequest = z.infer<typeof pushSubscribeSchema>;
export const pushUnsubscribeSchema = z.object({ endpoint: z.string().trim().max(1000) });

/** What a push message carries: a generic title and a path in the app; never a name or content. */
export const pushPayloadSchema = z.object({ title: z.string(), url: z.string().startsWith('/') });
export type PushPayload = z.infer<typeof pushPayloadSchema>;
