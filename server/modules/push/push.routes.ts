import { okSchema } from '../../../shared/api/common.ts';
import { pushPublicKeySchema, pushSubscribeSchema, pushUnsubscribeSchema } from '../../../shared/api/digest.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { PushService } from './push.service.ts';

/** Issue 12 §5: Web Push subscriptions of the signed-in user's browsers. */
export function pushRoutes(push: PushService): AnyRoute[] {
  const tag = 'Web Push';
  return [
    route({
      method: 'get',
      path: '/api/push/public-key',
      tag,
      auth: 'user',
      summary: "The server's VAPID public key, for the browser's subscription",
      response: pushPublicKeySchema,
      handler: () => Promise.resolve(push.publicKey()),
    }),
    route({
      method: 'post',
      path: '/api/push/subscriptions',
      tag,
      auth: 'user',
      summary: 'Subscribe this browser to Web Push (only endpoints of known push services)',
      body: pushSubscribeSchema,
      response: okSchema,
      handler: async ({ actor, body }) => {
        await push.subscribe(actor, body);
        return { ok: true as const };
      },
    }),
    route({
      method: 'post',
      path: '/api/push/subscriptions/remove',
      tag,
      auth: 'user',
      summary: 'Unsubscribe one of your browsers (by its endpoint)',
      body: pushUnsubscribeSchema,
      response: okSchema,
      handler: async ({ actor, body }) => {
        await push.unsubscribe(actor, body.endpoint);
        return { ok: true as const };
      },
    }),
  ];
}
