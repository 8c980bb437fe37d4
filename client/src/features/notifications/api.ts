import { okSchema } from '../../../../shared/api/common.ts';
import { notificationPageSchema, unreadCountSchema } from '../../../../shared/api/notifications.ts';
import { apiPath, http } from '../../lib/http.ts';

/** Issue 12 §5: the signed-in user's notification centre. */
export const notificationsApi = {
  page: (before: string | null, signal?: AbortSignal) =>
    http.get(`/api/notifications?limit=20${before ? `&before=${encodeURIComponent(before)}` : ''}`, notificationPageSchema, signal),
  unreadCount: (signal?: AbortSignal) => http.get('/api/notifications/unread-count', unreadCountSchema, signal),
  markRead: (notificationId: string) => http.post(`${apiPath('/api/notifications', notificationId)}/read`, undefined, okSchema),
  markAllRead: () => http.post('/api/notifications/read-all', undefined, okSchema),
};
