import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/database.ts';
import type { AnyRoute } from '../../http/route.ts';
import type { ActorFacts } from '../auth/auth.service.ts';
import type { GoalAssessmentsService } from '../assessment/goal-assessments.service.ts';
import type { FeedbackService } from '../feedback/feedback.service.ts';
import { createMailer } from '../mail/mailer.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import { pushRoutes } from '../push/push.routes.ts';
import { pushService } from '../push/push.service.ts';
import { loadVapidKeys } from '../push/vapid.ts';
import { digestJob, type DigestJob } from './digest.job.ts';
import { digestRoutes } from './digest.routes.ts';
import { digestService } from './digest.service.ts';
import { preferencesService } from './preferences.service.ts';

export interface DigestModuleDeps {
  config: Config;
  db: Db;
  logger: Logger;
  feedback: FeedbackService;
  goalAssessments: GoalAssessmentsService;
  notifications: NotificationsService;
  loadActor(userId: string): Promise<ActorFacts | null>;
}

/** Issue 12 §5 composed: preferences, the digest page, Web Push, and the delivery job. */
export async function digestModule(deps: DigestModuleDeps): Promise<{ routes: AnyRoute[]; job: DigestJob; close(): void }> {
  const { config, db } = deps;
  const logger = deps.logger.child({ module: 'digest' });
  const send = { day: config.digest.sendDay, minute: config.digest.sendMinute };
  const mailer = createMailer(config.mail, logger.child({ module: 'mail' }));
  const keys = await loadVapidKeys(config.dataDir, { publicKey: config.push.publicKey ?? undefined, privateKey: config.push.privateKey ?? undefined });
  const push = pushService({
    db,
    logger: logger.child({ module: 'push' }),
    vapid: { ...keys, subject: config.push.subject },
    allowedHosts: config.push.endpointHosts,
  });
  const digest = digestService({ db, feedback: deps.feedback, goalAssessments: deps.goalAssessments, send });
  const preferences = preferencesService({ db, mailConfigured: mailer.configured, pushAvailable: true, pushCount: push.count });
  const job = digestJob({
    db,
    logger,
    mailer,
    push,
    digest,
    notifications: deps.notifications,
    loadActor: deps.loadActor,
    publicUrl: config.publicUrl,
    send,
    workerId: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  });
  return { routes: [...digestRoutes({ digest, preferences }), ...pushRoutes(push)], job, close: () => mailer.close() };
}
