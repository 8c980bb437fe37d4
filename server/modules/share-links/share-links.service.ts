import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  SHARE_LINK_DEFAULT_MIN_AGE,
  type createShareLinkRequestSchema,
  type CreatedShareLink,
  type ShareLink,
  type ShareLinkList,
  type ShareSubject,
} from '../../../shared/api/share-links.ts';
import type { Actor } from '../../auth/actor.ts';
import { hashPassword } from '../../auth/password.ts';
import { authorize, can, shareCreateBlock, shareLinkOpens } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { NotFound } from '../../http/errors.ts';
import { artefactFacts } from '../artefacts/artefacts.repo.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { insertLink, linkById, linksOfSubject, ownerFacts, revokeLink, shareTokenHash, showcaseFacts, type ShareLinkRow } from './share-links.repo.ts';

export interface ShareLinksDeps {
  db: Db;
  publicUrl: string;
}

const DAY_MS = 86_400_000;

/** Whole years from a 'YYYY-MM-DD' birth date to today (UTC), or null when not known. */
export function ageOn(birthDate: string | null, today = new Date()): number | null {
  const m = birthDate ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate) : null;
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = today.getUTCFullYear() - y;
  if (today.getUTCMonth() + 1 < mo || (today.getUTCMonth() + 1 === mo && today.getUTCDate() < d)) age -= 1;
  return age;
}

/** The subject as the policy's `shareSubject`, read fresh; 404 when it does not exist (or is deleted). */
export async function subjectFacts(db: Db, subject: ShareSubject) {
  let ownerId: string;
  let projectTeacherIds: readonly string[];
  if (subject.type === 'artefact') {
    const facts = await artefactFacts(db, subject.id);
    if (!facts || facts.row.deletedAt) throw new NotFound('The artefact');
    ownerId = facts.row.ownerId;
    projectTeacherIds = facts.resource.projectTeacherIds;
  } else {
    const showcase = await showcaseFacts(db, subject.id);
    if (!showcase) throw new NotFound('The showcase');
    ownerId = showcase.ownerId;
    projectTeacherIds = showcase.projectTeacherIds ?? [];
  }
  const owner = await ownerFacts(db, ownerId);
  if (!owner) throw new NotFound(subject.type === 'artefact' ? 'The artefact' : 'The showcase');
  return {
    type: 'shareSubject' as const,
    ownerId,
    ownerGroupIds: owner.groupIds,
    projectTeacherIds,
    ownerAge: ageOn(owner.birthDate),
    minAge: owner.minAge ?? SHARE_LINK_DEFAULT_MIN_AGE,
  };
}

export const subjectOf = (row: Pick<ShareLinkRow, 'artefactId' | 'showcaseId'>): ShareSubject =>
  row.artefactId ? { type: 'artefact', id: row.artefactId } : { type: 'showcase', id: row.showcaseId ?? '' };

export function presentLink(row: ShareLinkRow, now = new Date()): ShareLink {
  return {
    id: row.id,
    subject: subjectOf(row),
    state: row.revokedAt ? 'revoked' : shareLinkOpens(row, now) ? 'active' : 'expired',
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastAccessedAt: row.lastAccessedAt?.toISOString() ?? null,
    accessCount: row.accessCount,
    hasPasscode: row.passcodeHash !== null,
    includeFeedback: row.includeFeedback,
    showName: row.showName,
    createdBy: row.createdBy && row.createdByName ? { id: row.createdBy, displayName: row.createdByName } : null,
  };
}

/** Issue 12 §4: making, listing and revoking secret links (the public page is share-page.service.ts). */
export function shareLinksService({ db, publicUrl }: ShareLinksDeps) {
  return {
    /** The subject's links the actor may manage, and whether (or why not) they may make one. */
    async list(actor: Actor, subject: ShareSubject): Promise<ShareLinkList> {
      const resource = await subjectFacts(db, subject);
      const rows = await linksOfSubject(db, subject);
      const links = rows.filter((row) => can(actor, 'shareLink.manage', { type: 'shareLink', createdBy: row.createdBy, subject: resource }));
      if (links.length === 0) authorize(actor, 'shareLink.list', resource, subject.type === 'artefact' ? 'The artefact' : 'The showcase');
      return { links: links.map((row) => presentLink(row)), createBlocked: shareCreateBlock(actor, resource) };
    },

    async create(actor: Actor, input: z.output<typeof createShareLinkRequestSchema>, ip?: string): Promise<CreatedShareLink> {
      const resource = await subjectFacts(db, input.subject);
      authorize(actor, 'shareLink.create', resource, input.subject.type === 'artefact' ? 'The artefact' : 'The showcase');
      // 256 random bits, base64url: the link's only credential. Only its hash is stored; the address is shown once.
      const token = randomBytes(32).toString('base64url');
      const passcodeHash = input.passcode === null ? null : await hashPassword(input.passcode);
      const createdAt = new Date();
      const linkId = await db.transaction().execute(async (trx) => {
        const id = await insertLink(trx, {
          tokenHash: shareTokenHash(token),
          subject: input.subject,
          ownerId: resource.ownerId,
          createdBy: actor.id,
          passcodeHash,
          includeFeedback: input.includeFeedback,
          showName: input.showName,
          createdAt,
          expiresAt: new Date(createdAt.getTime() + input.expiresInDays * DAY_MS),
        });
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'shareLink.create',
          subjectType: 'shareLink',
          subjectId: id,
          subjectUserId: resource.ownerId,
          details: { subjectType: input.subject.type, subjectId: input.subject.id, days: input.expiresInDays, passcode: passcodeHash !== null },
          ip: ip ?? null,
        });
        return id;
      });
      const row = await linkById(db, linkId);
      if (!row) throw new NotFound('The link');
      return { link: presentLink(row), url: `${publicUrl}/s/${token}` };
    },

    /** Revokes at once: the next look at the page, and at any of its media URLs, finds it gone. */
    async revoke(actor: Actor, linkId: string, ip?: string): Promise<ShareLink> {
      const row = await linkById(db, linkId);
      if (!row) throw new NotFound('The link');
      const resource = await subjectFacts(db, subjectOf(row));
      authorize(actor, 'shareLink.manage', { type: 'shareLink', createdBy: row.createdBy, subject: resource }, 'The link');
      await db.transaction().execute(async (trx) => {
        if (!(await revokeLink(trx, linkId, actor.id))) return;
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'shareLink.revoke',
          subjectType: 'shareLink',
          subjectId: linkId,
          subjectUserId: row.ownerId,
          ip: ip ?? null,
        });
      });
      const after = await linkById(db, linkId);
      if (!after) throw new NotFound('The link');
      return presentLink(after);
    },
  };
}
export type ShareLinksService = ReturnType<typeof shareLinksService>;
