import { createServer, type RequestListener, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { buildApp, SESSION_COOKIE, sessionMiddlewareFor } from './app.ts';
import { configurePassport } from './auth/passport.ts';
import { sessionFromCookie } from './auth/session-cookie.ts';
import { sessionReader } from './auth/session-reader.ts';
import { DbSessionStore } from './auth/session-store.ts';
import type { Config } from './config.ts';
import { openDatabase, type DatabaseHandle } from './db/database.ts';
import { redactingLogger } from './http/log-redaction.ts';
import { allowedOrigins } from './http/same-origin.ts';
import { migrate } from './db/migrate.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { authService } from './modules/auth/auth.service.ts';
import { loginLimiter, type LoginLimits } from './modules/auth/login-limiter.ts';
import { guardianLinksService } from './modules/org/guardian-links.service.ts';
import { orgRoutes } from './modules/org/org.routes.ts';
import { userDirectoryRoutes } from './modules/org/user-directory.routes.ts';
import { userDirectoryService } from './modules/org/user-directory.service.ts';
import { signInCardRoutes } from './modules/sign-in-cards/sign-in-cards.routes.ts';
import { signInCardsService } from './modules/sign-in-cards/sign-in-cards.service.ts';
import { artefactUploads } from './modules/artefacts/artefact-media.ts';
import { artefactRoutes } from './modules/artefacts/artefacts.routes.ts';
import { artefactsService } from './modules/artefacts/artefacts.service.ts';
import { overviewService } from './modules/artefacts/overview.service.ts';
import { purgeDeletedArtefacts, sweepOrphanBlobs } from './modules/artefacts/purge.ts';
import { feedbackRoutes } from './modules/feedback/feedback.routes.ts';
import { feedbackService } from './modules/feedback/feedback.service.ts';
import { peerFeedbackRoutes } from './modules/peer-feedback/peer-feedback.routes.ts';
import { peerFeedbackService } from './modules/peer-feedback/peer-feedback.service.ts';
import { portabilityModule } from './modules/portability/portability.module.ts';
import { rostersModule } from './modules/rosters/rosters.module.ts';
import { scaleRoutes } from './modules/assessment/scales.routes.ts';
import { scalesService } from './modules/assessment/scales.service.ts';
import { goalAssessmentRoutes } from './modules/assessment/goal-assessments.routes.ts';
import { insightRoutes } from './modules/insight/insight.routes.ts';
import { insightService } from './modules/insight/insight.service.ts';
import { goalAssessmentsService } from './modules/assessment/goal-assessments.service.ts';
import { artefactParamsSchema } from '../shared/api/artefacts.ts';
import { goalPupilParamsSchema } from '../shared/api/goal-assessments.ts';
import { authorize, narrowForCard } from './auth/policy.ts';
import { issuesFromZod, ValidationFailed } from './http/errors.ts';
import { voiceUpload } from './media/voice.ts';
import { projectRoutes } from './modules/projects/projects.routes.ts';
import { projectsService } from './modules/projects/projects.service.ts';
import { referenceRoutes } from './modules/reference/reference.routes.ts';
import { referenceService } from './modules/reference/reference.service.ts';
import { usersService } from './modules/org/users.service.ts';
import { oidcClients } from './modules/sso/sso.client.ts';
import { ssoRoutes, ssoSignInRouter } from './modules/sso/sso.routes.ts';
import { ssoService } from './modules/sso/sso.service.ts';
import { attachRealtimeAdapter } from './realtime/adapters.ts';
import { createRealtimeServer, socketNotifier, type RealtimeServer } from './realtime/socket-server.ts';
import { seedDemoPortfolio } from './seed/demo-portfolio.ts';
import { seedDemoSchool } from './seed/demo-school.ts';
import type { BlobStore } from './storage/blob-store.ts';
import { LocalBlobStore } from './storage/local-blob-store.ts';
import { createLocalBlobRouter } from './storage/local-blob-route.ts';
import { NotedBlobStore, sweepDeadWriters } from './storage/noted-blob-store.ts';
import { openBlobStore } from './storage/open-blob-store.ts';
import { sweepTempFiles } from './media/temp-files.ts';
import { toolsAvailable } from './media/av.ts';
import { invitationsModule } from './modules/invitations/invitations.module.ts';
import { guardianVoiceRoutes } from './modules/guardian-voice/guardian-voice.routes.ts';
import { guardianVoiceService } from './modules/guardian-voice/guardian-voice.service.ts';
import { notificationRoutes } from './modules/notifications/notifications.routes.ts';
import { notificationsService } from './modules/notifications/notifications.service.ts';
import { showcaseRoutes } from './modules/showcases/showcases.routes.ts';
import { showcaseTemplatesService } from './modules/showcases/showcase-templates.service.ts';
import { showcasesService } from './modules/showcases/showcases.service.ts';
import { digestModule } from './modules/digest/digest.module.ts';
import { shareLinksModule } from './modules/share-links/share-links.module.ts';
import type { ShareLinkLimits } from './modules/share-links/share-page.service.ts';
import { guardianSharingRoutes } from './modules/guardian-sharing/guardian-sharing.routes.ts';
import { guardianSharingService } from './modules/guardian-sharing/guardian-sharing.service.ts';
import { attemptLimiter, DEFAULT_SSO_START_LIMIT, type AttemptLimits } from './modules/invitations/attempt-limiter.ts';

const SHUTDOWN_GRACE_MS = 10_000;
const MAX_FILES_PER_UPLOAD = 20;
const PURGE_INTERVAL_MS = 10_000;
const ORPHAN_SWEEP_INTERVAL_MS = 10 * 60_000;
// A blob without its row for this long was left by a crash (uploads claim theirs within seconds).
const ORPHAN_AGE_MS = 3600_000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * What crashed processes of this host left: their temp files and folders (raw uploads may still hold
 * a GPS position), and the blobs they had noted but not claimed. At start and with the orphan sweep.
 */
async function sweepCrashLeftovers(tmpDir: string, db: Polku['database']['db'], blobs: BlobStore, logger: Logger): Promise<void> {
  const removed = await sweepTempFiles(tmpDir);
  const blobsDeleted = await sweepDeadWriters(db, blobs, logger);
  if (removed.length > 0 || blobsDeleted > 0) logger.info({ tempFiles: removed.length, blobs: blobsDeleted }, 'removed what a stopped process left behind');
}

export interface Polku {
  readonly url: string;
  readonly server: Server;
  readonly io: RealtimeServer;
  readonly database: DatabaseHandle;
  readonly blobs: BlobStore;
  readonly logger: Logger;
  readonly demoSeeded: boolean;
  /** Background jobs, also callable directly (tests, operators). */
  readonly maintenance: {
    purgeDeleted(): Promise<number>;
    sweepOrphans(maxAgeMs?: number): Promise<number>;
    pruneSessions(): Promise<number>;
    /** Deletes export and import jobs past their retention, with their archives and uploads. */
    sweepPortability(now?: Date): Promise<number>;
    /** Claims whatever export or import jobs are waiting and resolves when this process has run them. */
    runJobs(): Promise<void>;
    /** Issue 11 §4: ends the guardian links of pupils who have turned 18; returns how many. */
    endAdultGuardianLinks(): Promise<number>;
    /** Issue 11 §1: deletes provider sign-ins never finished and link codes past their expiry; returns how many. */
    sweepSignIns(now?: Date): Promise<number>;
    /** Resolves when every roster apply this process started has ended (tests). */
    rosterJobs(): Promise<void>;
    /** Deletes notifications past keeping (read: 120 days, unread: a year); returns how many. */
    pruneNotifications(now?: Date): Promise<number>;
    /** Issue 12 §5: one look of the digest job (due weekly digests, then "every new item" messages). */
    runDigest(now?: Date): Promise<{ digests: number; items: number }>;
  };
  /** Graceful stop: no new connections, in-flight requests finish, sockets close, then the database. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** An already-open database (tests share one per file); it is not closed by close(). */
  database?: DatabaseHandle;
  blobs?: BlobStore;
  loginLimits?: LoginLimits;
  clientDir?: string;
  /** Limits of guardian-invitation codes and password resets (issue 11). */
  attemptLimits?: AttemptLimits;
  /** Limits of secret links' looks and passcode tries (issue 12 §4). */
  shareLinkLimits?: ShareLinkLimits;
}

/** The composition root's work: config → database (+ migrations) → blob store → app → HTTP + Socket.IO. */
export async function startPolku(config: Config, options: StartOptions = {}): Promise<Polku> {
  // Every logger below is a child of this one, so none of them can log a cookie or a signed URL.
  const logger = redactingLogger(options.logger ?? pino({ level: config.logLevel, base: { service: 'polku' } }));
  const database =
    options.database ?? (await openDatabase(config.database, (err) => logger.warn({ err }, 'database connection lost; the pool reconnects on the next query')));
  const applied = await migrate(database.db);
  if (applied.length > 0) logger.info({ applied }, 'database migrated');
  // Not awaited: start-up does not wait for it, the operator reads it in the log.
  void toolsAvailable(config.media.ffmpegPath).then((ok) => {
    if (!ok)
      logger.warn(
        { ffmpegPath: config.media.ffmpegPath },
        'ffmpeg or ffprobe cannot be run: audio and video uploads will be refused until it is installed (FFMPEG_PATH)',
      );
  });
  const demoSeeded = config.demo ? (await seedDemoSchool(database.db)).created : false;
  const store = options.blobs ?? (await openBlobStore(config.storage, { secret: config.sessionSecret }));
  // Every writer goes through this: each key is noted in pending_blobs before its bytes are written.
  const blobs = new NotedBlobStore(store, database.db);
  await sweepCrashLeftovers(config.media.tmpDir, database.db, blobs, logger);

  const sessions = new DbSessionStore(database.db, config.sessionCacheMs);
  const sessionMiddleware = sessionMiddlewareFor(config, sessions);
  // The app is built after Socket.IO (its services need the notifier), but the request listener
  // must exist before Socket.IO attaches: Socket.IO then answers /socket.io/ itself and hands
  // every other request on, instead of both answering it.
  let app: RequestListener | null = null;
  const server = createServer((req, res) => app?.(req, res));
  const io = createRealtimeServer(server, {
    publicUrl: config.publicUrl,
    allowedOrigins: allowedOrigins(config.publicUrl, config.demo),
    sessionOf: (cookieHeader) => sessionFromCookie(cookieHeader, { cookieName: SESSION_COOKIE, secret: config.sessionSecret, store: sessions }),
    // The same actor as the session's HTTP requests (session-reader.ts, app.ts): narrowed for a card session.
    actorOf: async ({ userId, sessionId, cardSchoolId }) => {
      const facts = await auth.loadActor(userId);
      return facts && narrowForCard({ ...facts, sessionId }, cardSchoolId);
    },
    sessionExpiry: (sid) => sessions.expiryOf(sid),
    endIfExpired: (sid) => sessions.endIfExpired(sid),
    logger: logger.child({ module: 'realtime' }),
  });
  const stopAdapter = await attachRealtimeAdapter(io, config.realtimeAdapter, config.realtimeChannelPrefix, database, logger);
  const notifier = socketNotifier(io, { crossProcess: config.realtimeAdapter.kind !== 'none' });
  // A write in any process may change who may do what: every process forgets its cached sessions.
  io.on('sessions.forget', () => sessions.forgetAll());
  const forgetSessions = () => {
    sessions.forgetAll();
    if (config.realtimeAdapter.kind !== 'none') io.serverSideEmit('sessions.forget');
  };
  const sso = ssoService({ db: database.db, clients: oidcClients(config.sso.providers), providers: config.sso.providers });
  const auth = authService({ db: database.db, sessions, notifier, demo: config.demo, passwordAllowed: sso.passwordAllowed });
  const orgDeps = { db: database.db, notifier, endUserSessions: auth.endUserSessions, forgetSessions };
  const users = usersService(orgDeps);
  const guardianLinks = guardianLinksService(orgDeps);
  const passport = configurePassport(auth, sessions);
  const reference = referenceService(database.db);
  const mediaLogger = logger.child({ module: 'media' });
  const artefacts = artefactsService({ db: database.db, blobs, media: config.media, logger: mediaLogger, notifier, reference });
  const projects = projectsService({ db: database.db, reference });
  const scales = scalesService({ db: database.db });
  const goalAssessments = goalAssessmentsService({ db: database.db, notifier, blobs, media: config.media });
  const feedback = feedbackService({ db: database.db, notifier, artefacts, blobs, media: config.media });
  // Voice feedback and reflections (issue 10 §2–3): who may record is checked before the body is read.
  const voiceLimits = { tmpDir: config.media.tmpDir, maxAudioBytes: config.media.maxBytes.audio };
  const feedbackVoiceUpload = voiceUpload(voiceLimits, async (actor, req) => {
    const params = artefactParamsSchema.safeParse(req.params);
    if (!params.success) throw new ValidationFailed(issuesFromZod(params.error, 'params'));
    authorize(actor, 'feedback.create', (await artefacts.readable(actor, params.data.artefactId)).resource, 'The artefact');
  });
  const assessmentVoiceUpload = voiceUpload(voiceLimits, async (actor, req) => {
    const params = goalPupilParamsSchema.safeParse(req.params);
    if (!params.success) throw new ValidationFailed(issuesFromZod(params.error, 'params'));
    await goalAssessments.mayRecord(actor, params.data.goalId, params.data.pupilId);
  });
  const portability = portabilityModule({ db: database.db, blobs, notifier, logger: logger.child({ module: 'portability' }), config });
  const rosters = rostersModule({
    db: database.db,
    notifier,
    logger: logger.child({ module: 'rosters' }),
    config,
    endUserSessions: auth.endUserSessions,
    guardianLinksEnded: guardianLinks.linksEnded,
  });
  const upload = artefactUploads(
    { tmpDir: config.media.tmpDir, maxFileBytes: Math.max(...Object.values(config.media.maxBytes)), maxFiles: MAX_FILES_PER_UPLOAD },
    artefacts,
  );
  const limiter = loginLimiter(options.loginLimits, { pool: database.pool, db: database.db });
  const routes = [
    ...authRoutes({
      auth,
      users,
      limiter,
      notifier,
      cookieName: SESSION_COOKIE,
      passport,
    }),
    ...orgRoutes(orgDeps),
    ...referenceRoutes(reference),
    ...projectRoutes(projects),
    ...scaleRoutes(scales),
    ...goalAssessmentRoutes(goalAssessments, assessmentVoiceUpload),
    ...insightRoutes(insightService(database.db)),
    ...artefactRoutes({ artefacts, overview: overviewService(database.db), upload }),
    ...feedbackRoutes(feedback, feedbackVoiceUpload),
    ...peerFeedbackRoutes(peerFeedbackService({ db: database.db, notifier, blobs })),
    ...portability.routes,
    // Issue 11 §3 and §6: QR sign-in cards, the admin's user list.
    ...signInCardRoutes({
      cards: signInCardsService({ db: database.db, publicUrl: config.publicUrl, endCardSessions: (ids, reason) => sessions.destroyCardSessions(ids, reason) }),
      auth,
      users,
      limiter,
      cookieName: SESSION_COOKIE,
    }),
    ...userDirectoryRoutes(userDirectoryService(orgDeps)),
    ...ssoRoutes({ sso, notifier, cookieName: SESSION_COOKIE, publicUrl: config.publicUrl }),
    ...rosters.routes,
  ];
  // Issue 11 §4–5: guardian invitations, e-mail and password reset.
  const invitations = invitationsModule({
    config,
    database,
    auth,
    users,
    limiter,
    forgetSessions,
    guardianLinks,
    logger,
    limits: options.attemptLimits,
    notifier,
  });
  routes.push(...invitations.routes);
  // Issue 12 §2: guardian voice (reactions, comments and their moderation).
  routes.push(...guardianVoiceRoutes(guardianVoiceService({ db: database.db, notifier })));
  // Issue 12 §3: showcases and their project templates.
  const showcases = showcasesService({
    db: database.db,
    notifier,
    blobs,
    loadActor: async (id) => {
      // The recheck has no session, only the URL's viewer: their facts now (no session id to speak of).
      const facts = await auth.loadActor(id);
      return facts ? { ...facts, sessionId: '' } : null;
    },
  });
  routes.push(...showcaseRoutes(showcases, showcaseTemplatesService({ db: database.db }, showcases)));
  // Issue 12 §5: the notification centre (its producers write through recordNotifications).
  const notifications = notificationsService({ db: database.db, notifier });
  routes.push(...notificationRoutes(notifications));
  // Issue 12 §5: delivery preferences, the guardian's weekly digest and Web Push.
  const digest = await digestModule({ config, db: database.db, logger, feedback, goalAssessments, notifications, loadActor: auth.loadActor });
  routes.push(...digest.routes);
  // Issue 12 §4: secret links (the API here; their public page at /s below).
  const shareLinks = shareLinksModule({ config, database, blobs, limits: options.shareLinkLimits });
  routes.push(...shareLinks.routes);
  // Issue 12 §1: teacher approval before guardians see (the share itself goes through the artefact's save).
  routes.push(...guardianSharingRoutes(guardianSharingService({ db: database.db, notifier, artefacts })));
  if (config.demo) {
    await seedDemoPortfolio({
      db: database.db,
      tmpDir: config.media.tmpDir,
      ffmpegPath: config.media.ffmpegPath,
      logger,
      loadActor: auth.loadActor,
      projects,
      artefacts,
      feedback,
      assessments: goalAssessments,
    });
  }
  app = buildApp({
    config,
    database,
    blobs,
    logger,
    sessionMiddleware,
    readSession: sessionReader({
      cookieName: SESSION_COOKIE,
      secret: config.sessionSecret,
      secure: config.secureCookies,
      maxAgeMs: config.sessionMaxAgeMs,
      store: sessions,
      actorFrom: auth.actorFrom,
      logger,
    }),
    forgetSessions,
    passport,
    routes,
    apiRouters:
      store instanceof LocalBlobStore
        ? [
            {
              path: '/blobs',
              router: createLocalBlobRouter(store, async (reference) => {
                // A secret link's media (issue 12 §4): only while the link opens and the file is still on what it shows.
                const shared = await shareLinks.pages.recheckMediaUrl(reference);
                if (shared !== null) return shared;
                // Voice recordings of feedback and reflections carry their own references; the rest are artefact media.
                const voice = (await feedback.recheckVoiceUrl(reference)) ?? (await goalAssessments.recheckVoiceUrl(reference));
                // Issue 12 §3: a file seen through a showcase carries the showcase's own reference.
                return voice ?? (await showcases.recheckMediaUrl(reference)) ?? artefacts.recheckMediaUrl(reference);
              }),
            },
          ]
        : [],
    clientDir: options.clientDir ?? path.join(ROOT, 'dist', 'client'),
    version: VERSION,
    publicRouters: [{ path: '/s', router: shareLinks.pageRouter }],
    signInRouters: [
      {
        path: '/auth/sso',
        router: ssoSignInRouter({
          sso,
          limiter,
          startLimiter: attemptLimiter('sso-start', options.attemptLimits?.ssoStart ?? DEFAULT_SSO_START_LIMIT, database.pool),
          acceptInvitation: (codeHash, account, address) => invitations.service.acceptByHash(codeHash, account, address),
          signIn: { db: database.db, loadActor: auth.loadActor },
          publicUrl: config.publicUrl,
          secureCookies: config.secureCookies,
          logger: logger.child({ module: 'sso' }),
        }),
      },
    ],
  });

  const maintenance = {
    purgeDeleted: () => purgeDeletedArtefacts(database.db, blobs, mediaLogger),
    sweepOrphans: async (maxAgeMs = ORPHAN_AGE_MS) => {
      await sweepCrashLeftovers(config.media.tmpDir, database.db, blobs, mediaLogger);
      return sweepOrphanBlobs(database.db, blobs, mediaLogger, maxAgeMs);
    },
    pruneSessions: async () => (await sessions.pruneExpired()) + (await limiter.pruneExpired()),
    sweepPortability: (now?: Date) => portability.service.sweepExpired(now),
    runJobs: async () => {
      await portability.runner.fill();
      await portability.runner.idle();
    },
    endAdultGuardianLinks: () => invitations.service.endLinksOfAdults(),
    sweepSignIns: (now?: Date) => sso.sweepExpired(now),
    rosterJobs: () => rosters.service.idle(),
    runDigest: (now?: Date) => digest.job.run(now),
    pruneNotifications: (now?: Date) => notifications.prune(now),
  };
  const timers = [
    every(3600_000, maintenance.pruneSessions),
    every(PURGE_INTERVAL_MS, maintenance.purgeDeleted),
    every(ORPHAN_SWEEP_INTERVAL_MS, () => maintenance.sweepOrphans()),
    every(ORPHAN_SWEEP_INTERVAL_MS, () => maintenance.sweepPortability()),
    every(3600_000, maintenance.endAdultGuardianLinks),
    every(3600_000, () => maintenance.sweepSignIns()),
    every(6 * 3600_000, () => maintenance.pruneNotifications()),
    ...(config.digest.checkMs > 0 ? [every(config.digest.checkMs, () => maintenance.runDigest())] : []),
  ];
  function every(ms: number, job: () => Promise<unknown>) {
    let running = false;
    return setInterval(() => {
      if (running) return;
      running = true;
      job()
        .catch((err: unknown) => logger.warn({ err }, 'maintenance job failed'))
        .finally(() => (running = false));
    }, ms).unref();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  // Jobs left queued (or by a process that died) since the last start.
  portability.runner.kick();

  let closing: Promise<void> | null = null;
  async function close(): Promise<void> {
    for (const timer of timers) clearInterval(timer);
    // Running exports and imports stop cleanly and go back to the queue for the next process.
    await portability.runner.stop();
    await rosters.service.stop();
    digest.close();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections become idle as their last requests finish: close them as they do,
    // and cut whatever is still open after the grace period (a stuck upload must not hang shutdown).
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    server.closeIdleConnections();
    // io.close() disconnects every socket and also closes the HTTP server.
    await io.close();
    await stopped;
    clearInterval(idle);
    clearTimeout(forced);
    await stopAdapter();
    if (!options.blobs) await store.close();
    if (!options.database) await database.close();
  }

  return {
    url,
    server,
    io,
    database,
    blobs,
    logger,
    demoSeeded,
    maintenance,
    close: () => (closing ??= close()),
  };
}
