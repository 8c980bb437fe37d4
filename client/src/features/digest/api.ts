import { okSchema } from '../../../../shared/api/common.ts';
import { digestSchema, preferencesViewSchema, pushPublicKeySchema, type NotificationPreferences } from '../../../../shared/api/digest.ts';
import { http } from '../../lib/http.ts';

/** Issue 12 §5: delivery preferences, the guardian's weekly digest, and this browser's Web Push subscription. */
export const digestApi = {
  preferences: (signal?: AbortSignal) => http.get('/api/notification-preferences', preferencesViewSchema, signal),
  savePreferences: (p: NotificationPreferences) => http.put('/api/notification-preferences', p, preferencesViewSchema),
  digest: (week: string | null, signal?: AbortSignal) => http.get(`/api/digest${week ? `?week=${encodeURIComponent(week)}` : ''}`, digestSchema, signal),
  publicKey: () => http.get('/api/push/public-key', pushPublicKeySchema),
  subscribe: (s: { endpoint: string; keys: { p256dh: string; auth: string } }) => http.post('/api/push/subscriptions', s, okSchema),
  unsubscribe: (endpoint: string) => http.post('/api/push/subscriptions/remove', { endpoint }, okSchema),
};
