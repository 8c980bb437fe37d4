import { digestQuerySchema, digestSchema, notificationPreferencesSchema, preferencesViewSchema } from '../../../shared/api/digest.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { DigestService } from './digest.service.ts';
import type { PreferencesService } from './preferences.service.ts';

/** Issue 12 §5: delivery preferences (every role) and the guardian's weekly digest. */
export function digestRoutes(deps: { digest: DigestService; preferences: PreferencesService }): AnyRoute[] {
  const tag = 'Digest';
  return [
    route({
      method: 'get',
      path: '/api/notification-preferences',
      tag,
      auth: 'user',
      summary: 'How you hear of new things outside the app (weekly digest, every new item, never; e-mail, Web Push)',
      response: preferencesViewSchema,
      handler: ({ actor }) => deps.preferences.get(actor),
    }),
    route({
      method: 'put',
      path: '/api/notification-preferences',
      tag,
      auth: 'user',
      summary: 'Choose how you hear of new things outside the app',
      body: notificationPreferencesSchema,
      response: preferencesViewSchema,
      handler: ({ actor, body }) => deps.preferences.set(actor, body),
    }),
    route({
      method: 'get',
      path: '/api/digest',
      tag,
      auth: 'user',
      summary: "A guardian's weekly digest: the running week, or an earlier one (?week=2026-W49)",
      query: digestQuerySchema,
      response: digestSchema,
      handler: ({ actor, query }) => deps.digest.read(actor, query.week),
    }),
  ];
}
