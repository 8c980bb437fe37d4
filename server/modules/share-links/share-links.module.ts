import type { Router } from 'express';
import type { Config } from '../../config.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { AnyRoute } from '../../http/route.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { DEFAULT_TIME_ZONE } from '../../../shared/api/common.ts';
import { attemptLimiter } from '../invitations/attempt-limiter.ts';
import { shareLinkRoutes } from './share-links.routes.ts';
import { shareLinksService } from './share-links.service.ts';
import { DEFAULT_SHARE_LINK_LIMITS, sharePageService, type ShareLinkLimits, type SharePageService } from './share-page.service.ts';
import { sharePageRouter } from './share-page.routes.ts';

export interface ShareLinksModuleDeps {
  config: Config;
  database: DatabaseHandle;
  blobs: BlobStore;
  limits?: ShareLinkLimits | undefined;
}

/** Issue 12 §4 composed: the API routes, the public page's router (mounted at /s) and the media recheck. */
export function shareLinksModule(deps: ShareLinksModuleDeps): { routes: AnyRoute[]; pageRouter: Router; pages: SharePageService } {
  const { config, database } = deps;
  const limits = deps.limits ?? DEFAULT_SHARE_LINK_LIMITS;
  const pages = sharePageService({
    db: database.db,
    blobs: deps.blobs,
    secret: config.sessionSecret,
    openLimiter: attemptLimiter('share-open', limits.open, database.pool),
    passcodeAddressLimiter: attemptLimiter('share-pass-addr', limits.passcodeAddress, database.pool),
    passcodeLinkLimiter: attemptLimiter('share-pass-link', limits.passcodeLink, database.pool),
  });
  const pageRouter = sharePageRouter({
    pages,
    publicUrl: config.publicUrl,
    demo: config.demo,
    secureCookies: config.secureCookies,
    timeZone: DEFAULT_TIME_ZONE,
  });
  return { routes: shareLinkRoutes(shareLinksService({ db: database.db, publicUrl: config.publicUrl })), pageRouter, pages };
}
