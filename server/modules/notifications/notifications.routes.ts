import { okSchema } from '../../../shared/api/common.ts';
import { notificationListQuerySchema, notificationPageSchema, notificationParamsSchema, unreadCountSchema } from '../../../shared/api/notifications.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { NotificationsService } from './notifications.service.ts';

/** Issue 12 §5: the signed-in user's own notification centre (every role). */
export function notificationRoutes(notifications: NotificationsService): AnyRoute[] {
  const tag = 'Notifications';
  return [
    route({
      method: 'get',
      path: '/api/notifications',
      tag,
      auth: 'user',
      summary: 'Your notifications, newest first, a page at a time (only those whose subject you may still see)',
      query: notificationListQuerySchema,
      response: notificationPageSchema,
      handler: ({ actor, query }) => notifications.list(actor, query),
    }),
    route({
      method: 'get',
      path: '/api/notifications/unread-count',
      tag,
      auth: 'user',
      summary: 'How many of your notifications are unread (for the badge; capped)',
      response: unreadCountSchema,
      handler: ({ actor }) => notifications.unreadCount(actor),
    }),
    route({
      method: 'post',
      path: '/api/notifications/read-all',
      tag,
      auth: 'user',
      summary: 'Mark all your notifications read',
      response: okSchema,
      handler: async ({ actor }) => {
        await notifications.markAllRead(actor);
        return { ok: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/notifications/:notificationId/read',
      tag,
      auth: 'user',
      summary: 'Mark one of your notifications read',
      params: notificationParamsSchema,
      response: okSchema,
      handler: async ({ actor, params }) => {
        await notifications.markRead(actor, params.notificationId);
        return { ok: true as const };
      },
    }),
  ];
}
