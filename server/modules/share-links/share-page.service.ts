import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Locale } from '../../../shared/roles.ts';
import type { MediaVariant } from '../../../shared/portfolio.ts';
import { verifyAgainstNothing, verifyPassword } from '../../auth/password.ts';
import { shareLinkOpens } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import { sanitizeRichText } from '../artefacts/sanitize.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { addressKey } from '../auth/address-key.ts';
import type { AttemptLimit, AttemptLimiter } from '../invitations/attempt-limiter.ts';
import {
  artefactsForPage,
  feedbackForPage,
  linkById,
  linkByTokenHash,
  mediaForPage,
  mediaForRecheck,
  ownerFacts,
  recordAccess,
  shareLinksDb,
  shareTokenHash,
  showcaseFacts,
  showcaseHolds,
  showcaseItems,
  type ShareLinkRow,
} from './share-links.repo.ts';
import type { SharedArtefact, SharedFeedback, SharedMedia, SharedPage } from './share-page.tsx';

export interface ShareLinkLimits {
  /** Looks at any link (and at unknown ones) from one address. */
  open: AttemptLimit;
  /** Passcode tries from one address. */
  passcodeAddress: AttemptLimit;
  /** Passcode tries at one link, from anywhere. */
  passcodeLink: AttemptLimit;
}
export const DEFAULT_SHARE_LINK_LIMITS: ShareLinkLimits = {
  open: { points: 300, windowSeconds: 600 },
  passcodeAddress: { points: 20, windowSeconds: 3600 },
  passcodeLink: { points: 10, windowSeconds: 3600 },
};

/** A media URL on the page lives this long at most (and never past the link): the page is read again for new ones. */
export const SHARE_MEDIA_URL_SECONDS = 600;
/** A right passcode opens the link in that browser for this long (never past the link). */
export const SHARE_PASS_SECONDS = 3600;
/** Wrong passcodes a link takes over its whole life before it closes (attack review 14: 4 digits within a year). */
export const SHARE_PASSCODE_LIFETIME_TRIES = 50;
const RECHECK_SHARE = 'share:';
/** 32 random bytes in base64url. Anything else is unknown without a database look. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface SharePageDeps {
  db: Db;
  blobs: BlobStore;
  /** Signs the passcode cookie (the session secret). */
  secret: string;
  openLimiter: AttemptLimiter;
  passcodeAddressLimiter: AttemptLimiter;
  passcodeLinkLimiter: AttemptLimiter;
}

/** Issue 12 §4: the public side of secret links: finding one by its token, its passcode, its page and its media. */
export function sharePageService(deps: SharePageDeps) {
  const { db, blobs } = deps;

  const passMac = (linkId: string, expires: number) => createHmac('sha256', deps.secret).update(`share-pass:${linkId}:${expires}`).digest('base64url');

  async function signedMedia(link: ShareLinkRow, m: Awaited<ReturnType<typeof mediaForPage>>[number], now: Date): Promise<SharedMedia> {
    // Never past the link; the blob route asks recheckMediaUrl again at every use (local store).
    const seconds = Math.max(1, Math.min(SHARE_MEDIA_URL_SECONDS, Math.floor((link.expiresAt.getTime() - now.getTime()) / 1000) - 1));
    const sign = async (variant: MediaVariant, downloadName?: string) => {
      const key = m.variants[variant];
      if (!key) return null;
      return blobs.signedUrl(key, {
        expiresInSeconds: seconds,
        recheck: `${RECHECK_SHARE}${link.id}:${m.id}`,
        ...(downloadName ? { downloadName } : {}),
      });
    };
    // A file's own name often names its maker (or others): on a link without the pupil's name, only its kind and extension.
    const extension = /\.[A-Za-z0-9]{1,8}$/.exec(m.originalName ?? '')?.[0] ?? '';
    const name = link.showName ? (m.originalName ?? m.kind) : `${m.kind}${extension}`;
    const src = m.kind === 'image' ? ((await sign('display')) ?? (await sign('original'))) : await sign('original', m.kind === 'file' ? name : undefined);
    return { id: m.id, kind: m.kind, name, src, poster: m.kind === 'video' ? await sign('poster') : null, width: m.width, height: m.height };
  }

  async function artefactViews(link: ShareLinkRow, ids: readonly string[], now: Date): Promise<Map<string, SharedArtefact>> {
    const [rows, media, feedback] = await Promise.all([
      artefactsForPage(db, ids, link.ownerId),
      mediaForPage(db, ids),
      link.includeFeedback ? feedbackForPage(db, ids) : Promise.resolve([]),
    ]);
    const out = new Map<string, SharedArtefact>();
    for (const row of rows) {
      const own = media.filter((m) => m.artefactId === row.id);
      const thread: SharedFeedback[] | null = link.includeFeedback
        ? feedback
            .filter((f) => f.artefactId === row.id)
            .map((f) => ({
              id: f.id,
              parentId: f.parentId,
              // By role only. The owner's own replies are the pupil's; anyone else on the thread is a teacher.
              author: f.authorId === link.ownerId || (f.authorId === null && f.importedAuthor?.role === 'pupil') ? ('pupil' as const) : ('teacher' as const),
              body: f.body,
              createdAt: f.createdAt,
            }))
            // A voice-only message has no words to show here.
            .filter((f) => f.body.trim() !== '')
        : null;
      out.set(row.id, {
        id: row.id,
        kind: row.kind,
        title: row.title,
        bodyHtml: sanitizeRichText(row.bodyHtml),
        links: row.links.map((l) => ({ url: l.url, title: l.title ?? null })),
        createdAt: row.createdAt,
        media: await Promise.all(own.map((m) => signedMedia(link, m, now))),
        feedback: thread,
      });
    }
    return out;
  }

  return {
    /** The link a token opens now, or null for an unknown, expired or revoked one (the caller answers all alike). */
    async find(token: string, now = new Date()): Promise<ShareLinkRow | null> {
      if (!TOKEN_SHAPE.test(token)) return null;
      const row = await linkByTokenHash(db, shareTokenHash(token));
      return row && shareLinkOpens(row, now) ? row : null;
    },

    /** One look from an address (any token, known or not); false when its looks are used up. */
    mayLook: (ip: string) => deps.openLimiter.tryConsume(addressKey(ip)),

    /** A passcode try: counted per address and per link before it is checked, so that guessing is slow everywhere. */
    async tryPasscode(link: ShareLinkRow, passcode: string, ip: string): Promise<'right' | 'wrong' | 'limited'> {
      const [byAddress, byLink] = await Promise.all([
        deps.passcodeAddressLimiter.tryConsume(addressKey(ip)),
        deps.passcodeLinkLimiter.tryConsume(`link:${link.id}`),
      ]);
      if (!byAddress || !byLink) return 'limited';
      const right = link.passcodeHash && passcode.length <= 100 ? await verifyPassword(link.passcodeHash, passcode) : await verifyAgainstNothing(passcode);
      if (!right) {
        // The hourly limits slow guessing; this caps it over the link's whole life (a 4-digit passcode would
        // otherwise fall within a long link's year). The link then closes as if revoked; its owner makes a new one.
        const counted = await shareLinksDb(db)
          .updateTable('shareLinks')
          .set({
            passcodeFailures: sql<number>`passcode_failures + 1`,
            revokedAt: sql<Date | null>`case when passcode_failures + 1 >= ${SHARE_PASSCODE_LIFETIME_TRIES} then coalesce(revoked_at, now()) else revoked_at end`,
          })
          .where('id', '=', link.id)
          .returning(['passcodeFailures'])
          .executeTakeFirst();
        await recordAudit(db, {
          actorId: null,
          action: counted && counted.passcodeFailures >= SHARE_PASSCODE_LIFETIME_TRIES ? 'shareLink.closedByGuessing' : 'shareLink.passcodeWrong',
          subjectType: 'shareLink',
          subjectId: link.id,
          subjectUserId: link.ownerId,
          ip,
        });
        return 'wrong';
      }
      await deps.passcodeAddressLimiter.rewardAddress(ip);
      return 'right';
    },

    /** The cookie a right passcode gives: this link only, for an hour at most and never past the link. */
    passCookie(link: ShareLinkRow, now = new Date()): { value: string; maxAgeMs: number } {
      const expires = Math.min(Math.floor(now.getTime() / 1000) + SHARE_PASS_SECONDS, Math.floor(link.expiresAt.getTime() / 1000));
      return { value: `${expires}.${passMac(link.id, expires)}`, maxAgeMs: Math.max(0, expires * 1000 - now.getTime()) };
    },

    hasPass(link: ShareLinkRow, cookie: string | undefined, now = new Date()): boolean {
      if (!link.passcodeHash) return true;
      const [expiresText, mac, ...rest] = (cookie ?? '').split('.');
      const expires = Number(expiresText);
      if (!mac || rest.length > 0 || !Number.isSafeInteger(expires) || expires * 1000 <= now.getTime()) return false;
      const given = Buffer.from(mac);
      const expected = Buffer.from(passMac(link.id, expires));
      return given.length === expected.length && timingSafeEqual(given, expected);
    },

    /**
     * The page of an open link, read fresh; a look is counted and audited (by the link's id, never its token).
     * A HEAD (a link checker, a chat app's probe) reads nothing the owner would call a visit: `count: false`.
     */
    async page(link: ShareLinkRow, ip: string, opts: { count: boolean }, now = new Date()): Promise<SharedPage | null> {
      const owner = await ownerFacts(db, link.ownerId);
      if (!owner) return null;
      const ownerName = link.showName ? owner.displayName : null;
      let page: SharedPage | null = null;
      if (link.artefactId) {
        const views = await artefactViews(link, [link.artefactId], now);
        const artefact = views.get(link.artefactId);
        if (artefact) page = { type: 'artefact', title: artefact.title, ownerName, expiresAt: link.expiresAt, artefact };
      } else if (link.showcaseId) {
        const showcase = await showcaseFacts(db, link.showcaseId);
        if (showcase && showcase.ownerId === link.ownerId) {
          const items = await showcaseItems(db, showcase.id, link.ownerId);
          const views = await artefactViews(
            link,
            items.flatMap((i) => (i.liveArtefactId ? [i.liveArtefactId] : [])),
            now,
          );
          page = {
            type: 'showcase',
            title: showcase.title,
            ownerName,
            expiresAt: link.expiresAt,
            introHtml: sanitizeRichText(showcase.introHtml),
            items: items.map((i) => ({
              id: i.id,
              heading: i.heading,
              bodyHtml: sanitizeRichText(i.bodyHtml),
              artefact: i.liveArtefactId ? (views.get(i.liveArtefactId) ?? null) : null,
              wasArtefact: i.artefactId !== null,
            })),
          };
        }
      }
      if (!page || !opts.count) return page;
      await db.transaction().execute(async (trx) => {
        await recordAccess(trx, link.id, now);
        await recordAudit(trx, { actorId: null, action: 'shareLink.open', subjectType: 'shareLink', subjectId: link.id, subjectUserId: link.ownerId, ip });
      });
      return page;
    },

    /**
     * The blob route's second look at a link's media URL: the link still opens, and the file is still on a live
     * artefact of the owner that the link shows (the artefact itself, or an item of the showcase). Null: not ours.
     */
    async recheckMediaUrl(reference: string, now = new Date()): Promise<boolean | null> {
      if (!reference.startsWith(RECHECK_SHARE)) return null;
      const [linkId, mediaId, ...rest] = reference.slice(RECHECK_SHARE.length).split(':');
      if (!linkId || !mediaId || rest.length > 0) return false;
      const link = await linkById(db, linkId);
      if (!link || !shareLinkOpens(link, now)) return false;
      const media = await mediaForRecheck(db, mediaId);
      if (!media || media.removedAt || media.deletedAt || media.ownerId !== link.ownerId) return false;
      if (link.artefactId) return media.artefactId === link.artefactId;
      return link.showcaseId !== null && (await showcaseHolds(db, link.showcaseId, media.artefactId));
    },
  };
}
export type SharePageService = ReturnType<typeof sharePageService>;

/** The page's language: the browser's first of fi, sv, en (Finnish when it names none of them). */
export function pageLocale(accepts: (...langs: string[]) => string | false): Locale {
  const found = accepts('fi', 'sv', 'en');
  return found === 'sv' || found === 'en' ? found : 'fi';
}
