import type { Logger } from 'pino';
import { DEFAULT_LOCALE } from '../../../shared/roles.ts';
import type { Actor } from '../../auth/actor.ts';
import type { Db } from '../../db/database.ts';
import type { ActorFacts } from '../auth/auth.service.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import type { PushService } from '../push/push.service.ts';
import { digestMail, notificationMail, pushTitles } from './digest-mail.ts';
import {
  claimDelivery,
  claimWeek,
  guardiansDue,
  markDelivered,
  markWeekSent,
  preferencesOf,
  releaseWeek,
  schoolTimeZones,
  undelivered,
  userContact,
  type Recipient,
} from './digest.repo.ts';
import { digestItemCount, type DigestService } from './digest.service.ts';
import { dueWeek, type SendTime } from './digest-week.ts';
import { defaultPreferences } from './preferences.service.ts';

export interface DigestJobDeps {
  db: Db;
  logger: Logger;
  mailer: Pick<Mailer, 'configured' | 'send'>;
  push: Pick<PushService, 'sendTo' | 'count'> | null;
  digest: Pick<DigestService, 'build'>;
  notifications: Pick<NotificationsService, 'seen'>;
  loadActor(userId: string): Promise<ActorFacts | null>;
  publicUrl: string;
  send: SendTime;
  /** This process, as written into the claims it makes. */
  workerId: string;
}

const BATCH = 50;
const MAX_BATCHES = 20;
/** A claim never marked sent after this long (by the real clock, whatever "now" a look is given) was left by a process that died while sending: taken again. */
const STALE_MS = 15 * 60_000;
/** "Every new item" looks back this far: a notification older than this (written while delivery was down) is not sent late. */
const EVERY_ITEM_WINDOW_MS = 24 * 3600_000;

/** The policy's actor for background work on a user's behalf: no session, never a card session. */
const jobActor = (facts: ActorFacts): Actor => ({ ...facts, sessionId: 'digest-job' });

/**
 * Issue 12 §5: the weekly digest and "every new item" delivery. Every process runs it on a timer; a send
 * happens only after its claim row is inserted (digest_sends per guardian and ISO week, notification_deliveries
 * per notification), and a primary key lets only one insert win, so any number of processes send each thing
 * once. A failed e-mail gives its claim back for the next look; a process that dies mid-send leaves a claim
 * that goes stale and is taken again (then the message may, rarely, arrive twice: better than never).
 */
export function digestJob(deps: DigestJobDeps) {
  const { db, logger, mailer, push, publicUrl, send, workerId } = deps;

  async function deliverDigest(g: Recipient & { week: string }, now: Date): Promise<void> {
    const facts = await deps.loadActor(g.id);
    if (!facts) {
      await markWeekSent(db, g.id, g.week, workerId, 0);
      return;
    }
    const prefs = (await preferencesOf(db, g.id)) ?? defaultPreferences(true);
    const byEmail = prefs.email && mailer.configured && Boolean(g.email);
    const byPush = prefs.push && push !== null && (await push.count(g.id)) > 0;
    // No way to reach them: the week is done (the page shows it), without reading it.
    if (!byEmail && !byPush) {
      await markWeekSent(db, g.id, g.week, workerId, null);
      return;
    }
    const actor = jobActor(facts);
    const locale = g.locale ?? DEFAULT_LOCALE;
    const digest = await deps.digest.build(actor, g.week, g.timeZone, now);
    const items = digestItemCount(digest);
    // A week with nothing to tell sends nothing; the page still shows it.
    if (items > 0) {
      if (byEmail && g.email) await mailer.send(g.email, digestMail(locale, digest, publicUrl));
      if (byPush && push) await push.sendTo(g.id, { title: pushTitles[locale].digest, url: `/digest?week=${g.week}` });
    }
    await markWeekSent(db, g.id, g.week, workerId, items);
  }

  async function sendWeekly(now: Date): Promise<number> {
    const zones = await schoolTimeZones(db);
    const due = zones.map((zone) => ({ zone, week: dueWeek(now, zone, send) }));
    const tried = new Set<string>();
    let sent = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const batch = (await guardiansDue(db, due, BATCH)).filter((g) => !tried.has(g.id));
      if (batch.length === 0) break;
      for (const g of batch) {
        tried.add(g.id);
        if (!(await claimWeek(db, g.id, g.week, workerId, new Date(Date.now() - STALE_MS)))) continue;
        try {
          await deliverDigest(g, now);
          sent++;
        } catch (err) {
          logger.warn({ err, guardianId: g.id, week: g.week }, 'weekly digest not sent; it is tried again at the next look');
          await releaseWeek(db, g.id, g.week, workerId);
        }
      }
    }
    return sent;
  }

  async function deliverNew(now: Date): Promise<number> {
    let delivered = 0;
    for (const n of await undelivered(db, new Date(now.getTime() - EVERY_ITEM_WINDOW_MS), BATCH * 2)) {
      if (!(await claimDelivery(db, n.id, workerId, new Date(Date.now() - STALE_MS)))) continue;
      try {
        const [facts, contact] = await Promise.all([deps.loadActor(n.recipientId), userContact(db, n.recipientId)]);
        // Seen through the notification centre's own check: a subject no longer theirs to see is not sent.
        const notification = facts ? await deps.notifications.seen(jobActor(facts), n.id) : null;
        if (notification && contact) {
          const locale = contact.locale ?? DEFAULT_LOCALE;
          if (n.email && mailer.configured && contact.email) await mailer.send(contact.email, notificationMail(locale, notification, publicUrl));
          if (n.push && push) await push.sendTo(n.recipientId, { title: pushTitles[locale].newItem, url: '/notifications' });
          delivered++;
        }
        await markDelivered(db, n.id, workerId);
      } catch (err) {
        // Left claimed: it goes stale and is tried again then (not at once, so a refusing server is not hammered).
        logger.warn({ err, notificationId: n.id }, 'new-item message not sent');
      }
    }
    return delivered;
  }

  return {
    sendWeekly,
    deliverNew,
    /** One look: due weekly digests, then new items. */
    async run(now = new Date()): Promise<{ digests: number; items: number }> {
      const digests = await sendWeekly(now);
      const items = await deliverNew(now);
      return { digests, items };
    },
  };
}
export type DigestJob = ReturnType<typeof digestJob>;
