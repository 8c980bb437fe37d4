import webpush from 'web-push';
import type { Logger } from 'pino';
import type { PushPayload, PushSubscribeRequest } from '../../../shared/api/digest.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, NotFound } from '../../http/errors.ts';
import { endpointAllowed } from './push-endpoint.ts';
import { deleteSubscription, deleteSubscriptionById, saveSubscription, subscriptionsOf } from './push.repo.ts';
import type { VapidKeys } from './vapid.ts';

export interface PushDeps {
  db: Db;
  logger: Logger;
  vapid: VapidKeys & { subject: string };
  allowedHosts: readonly string[];
}

/** Browsers one account may keep subscribed. */
const MAX_SUBSCRIPTIONS = 10;
const SEND_TIMEOUT_MS = 10_000;
/** A message waits this long at the push service for an offline browser. */
const TTL_SECONDS = 24 * 3600;

/** Web Push (issue 12 §5): the browsers a user subscribed, and sending to them. */
export function pushService({ db, logger, vapid, allowedHosts }: PushDeps) {
  const own = (actor: Actor) => authorize(actor, 'pushSubscription.manage', { type: 'ownSettings', userId: actor.id });
  return {
    publicKey: () => ({ publicKey: vapid.publicKey }),

    async subscribe(actor: Actor, input: PushSubscribeRequest): Promise<void> {
      own(actor);
      if (!endpointAllowed(input.endpoint, allowedHosts))
        throw new BadRequest('This push service is not allowed on this server.', [{ path: 'body.endpoint', message: 'must be a known push service (https)' }]);
      // A browser's key is an uncompressed P-256 point and its secret 16 bytes: anything else could never be encrypted to.
      const key = Buffer.from(input.keys.p256dh, 'base64url');
      if (key.length !== 65 || key[0] !== 4 || Buffer.from(input.keys.auth, 'base64url').length !== 16)
        throw new BadRequest('The subscription keys are not a browser push key pair.', [
          { path: 'body.keys', message: 'must be a P-256 public key and a 16-byte secret' },
        ]);
      await saveSubscription(db, actor.id, { endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth }, MAX_SUBSCRIPTIONS);
    },

    async unsubscribe(actor: Actor, endpoint: string): Promise<void> {
      own(actor);
      if (!(await deleteSubscription(db, actor.id, endpoint))) throw new NotFound('The subscription');
    },

    count: async (userId: string) => (await subscriptionsOf(db, userId)).length,

    /**
     * Sends the payload to every browser of the user; returns how many took it. A subscription the push
     * service says is gone (404, 410) is deleted. The endpoint is checked again (the allowed list may have
     * changed since it was stored), redirects are not followed, and each request is bounded in time.
     */
    async sendTo(userId: string, payload: PushPayload): Promise<number> {
      let delivered = 0;
      for (const s of await subscriptionsOf(db, userId)) {
        if (!endpointAllowed(s.endpoint, allowedHosts)) continue;
        const details = webpush.generateRequestDetails({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }, JSON.stringify(payload), {
          vapidDetails: vapid,
          TTL: TTL_SECONDS,
          contentEncoding: 'aes128gcm',
        });
        const headers = Object.fromEntries(Object.entries(details.headers).map(([k, v]) => [k, String(v)]));
        try {
          const res = await fetch(s.endpoint, {
            method: 'POST',
            headers,
            body: new Uint8Array(details.body),
            redirect: 'manual',
            signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.status === 404 || res.status === 410) await deleteSubscriptionById(db, s.id);
          else if (res.ok) delivered++;
          // The endpoint is a URL with the browser's own token: logged by host only.
          else logger.warn({ status: res.status, host: new URL(s.endpoint).host }, 'push service refused a message');
        } catch (err) {
          logger.warn({ err: (err as Error).message, host: new URL(s.endpoint).host }, 'push message not sent');
        }
      }
      return delivered;
    },
  };
}
export type PushService = ReturnType<typeof pushService>;
