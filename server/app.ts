import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type RequestHandler } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import type { PassportInstance } from './auth/passport.ts';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/database.ts';
import { errorMiddleware, HttpError, NotFound } from './http/errors.ts';
import { buildOpenApi } from './http/openapi.ts';
import { requestLogger } from './http/request-log.ts';
import { mountRoutes, type AnyRoute } from './http/route.ts';
import { sameOriginGuard } from './http/same-origin.ts';
import { forgetSessionsAfterWrites, isRead } from './auth/session-cache-sync.ts';
import { narrowForCard } from './auth/policy.ts';
import type { BlobStore } from './storage/blob-store.ts';
import { healthRouter } from './modules/system/system.routes.ts';

export const SESSION_COOKIE = 'polku.sid';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  blobs: BlobStore;
  logger: Logger;
  sessionMiddleware: RequestHandler;
  /** Who is signed in, for requests that only read (see session-reader.ts). */
  readSession: RequestHandler;
  /** Forgets the cached sessions and their users' facts, in this process and the deployment's others. */
  forgetSessions: () => void;
  passport: PassportInstance;
  routes: readonly AnyRoute[];
  /** Extra routers mounted under /api before the declared routes (e.g. the local blob route at '/blobs'). */
  apiRouters?: ReadonlyArray<{ path: string; router: Router }>;
  clientDir: string;
  version: string;
  /** Routers outside /api that sign in on a GET (an OpenID Connect callback), given express-session and passport. */
  signInRouters?: ReadonlyArray<{ path: string; router: Router }>;
  /** Server-rendered public pages outside /api with no session (issue 12 §4: a secret link's page at /s). */
  publicRouters?: ReadonlyArray<{ path: string; router: Router }>;
}

export function sessionMiddlewareFor(config: Config, store: session.Store): RequestHandler {
  return session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: config.trustProxy !== false && config.trustProxy !== 0,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, maxAge: config.sessionMaxAgeMs, path: '/' },
  });
}

/** The Express app: middleware order is the security story, so it reads top to bottom. */
export function buildApp(deps: AppDeps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  // Whose address req.ip is (the sign-in limits count by it): only the proxies TRUST_PROXY names.
  app.set('trust proxy', config.trustProxy);

  // API responses carry no ETag: hashing every JSON body cost CPU on each read, and the client never revalidates.
  app.set('etag', false);
  app.use(requestLogger(logger, { ignore: (req) => req.url === '/healthz' }));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:', ...mediaOrigins(config)],
          'media-src': ["'self'", 'blob:', ...mediaOrigins(config)],
          'connect-src': ["'self'"],
          // Polku's own forms, and where a form that starts a provider sign-in is redirected to (browsers check redirects too).
          'form-action': ["'self'", ...ssoOrigins(config)],
          'upgrade-insecure-requests': config.secureCookies ? [] : null,
        },
      },
      hsts: config.secureCookies,
    }),
  );
  app.use(healthRouter(deps.database, deps.blobs, logger));

  const api = Router();
  api.use(express.json({ limit: '1mb' }));
  api.use(refuseEncodedUploads);
  api.use(sameOriginGuard(config.publicUrl, config.demo));
  // Before the session middleware: express-session wraps res.end too, and saves the session in its
  // wrapper, which must run before ours forgets (a sign-in's new session, a sign-out's ended one).
  api.use(forgetSessionsAfterWrites(deps.forgetSessions));
  // Who is signed in: reads only look (sessionReader); writes get express-session and passport,
  // which sign in, sign out and regenerate.
  const writerSession = Router();
  writerSession.use(deps.sessionMiddleware, deps.passport.initialize(), deps.passport.session(), (req, _res, next) => {
    req.actor = req.user ? narrowForCard({ ...req.user, sessionId: req.sessionID }, req.session.signInCard?.schoolId) : null;
    next();
  });
  api.use((req, res, next) => (isRead(req.method) ? deps.readSession(req, res, next) : writerSession(req, res, next)));
  const openApi = buildOpenApi(deps.routes, { version: deps.version, serverUrl: config.publicUrl });
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  for (const { path: mountPath, router } of deps.apiRouters ?? []) api.use(mountPath, router);
  mountRoutes(api, deps.routes, '/api');
  api.use((req, _res, next) => next(new NotFound(`The API route ${req.method} ${req.originalUrl.split('?')[0]}`)));
  // Only /api gets the body parser, session and passport: static files never touch the database.
  app.use('/api', api);
  for (const { path: mountPath, router } of deps.signInRouters ?? []) {
    app.use(mountPath, deps.sessionMiddleware, deps.passport.initialize(), deps.passport.session(), router);
  }
  for (const { path: mountPath, router } of deps.publicRouters ?? []) app.use(mountPath, router);

  if (existsSync(path.join(deps.clientDir, 'index.html'))) {
    app.use(express.static(deps.clientDir, { index: false, maxAge: '1h', setHeaders: immutableAssets }));
    // The single-page app answers every other GET; its router shows a not-found page itself.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(path.join(deps.clientDir, 'index.html'));
    });
  } else {
    logger.warn({ clientDir: deps.clientDir }, 'client bundle not built: run `npm run build` for the web pages');
  }

  app.use(errorMiddleware(logger));
  return app;
}

/**
 * express.json decompresses what it reads; multipart uploads are read raw, so a compressed one
 * would be stored as compressed bytes under a false type. Refused before anything is read.
 */
const refuseEncodedUploads: RequestHandler = (req, _res, next) => {
  const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || !req.is('multipart/form-data')) return next();
  next(new HttpError(415, 'unsupported_media_type', 'Uploads must be sent without a Content-Encoding (compression).'));
};

/** The configured sign-in providers' origins (their authorization endpoints live at their issuers' hosts). */
function ssoOrigins(config: Config): string[] {
  return [...new Set(config.sso.providers.map((p) => new URL(p.issuer).origin))];
}

/** Signed S3 media URLs point at the bucket's host, which the page must be allowed to load from. */
function mediaOrigins(config: Config): string[] {
  if (config.storage.kind !== 's3') return [];
  const endpoint = config.storage.publicEndpoint ?? config.storage.endpoint;
  if (!endpoint) return ['https://*.amazonaws.com'];
  return [new URL(endpoint).origin];
}

function immutableAssets(res: express.Response, filePath: string) {
  // Vite puts a content hash in every file name under assets/.
  if (filePath.includes(`${path.sep}assets${path.sep}`)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
}
