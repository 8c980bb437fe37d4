import type { CardSettings, GroupCardsResponse, IssuedCardsResponse, PrintedCard } from '../../../shared/api/sign-in-cards.ts';
import type { Locale } from '../../../shared/roles.ts';
import type { SessionEndReason } from '../../../shared/realtime.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { cardUrl, hashCardCode, newCardCode, printedCode } from './card-secret.ts';
import { clockToMinutes, minutesToClock, withinHours } from './sign-in-hours.ts';
import { findLiveCard, groupOf, groupPupils, isLive, revokeLive, schoolOf, schoolPupils } from './sign-in-cards.repo.ts';

export interface SignInCardsDeps {
  db: Db;
  publicUrl: string;
  /** Ends the sessions opened with these cards (the session store's, passed in to keep modules apart). */
  endCardSessions(cardIds: readonly string[], reason: SessionEndReason): Promise<unknown>;
}

/** What a verified card signs in: the pupil, and the card (its id goes into the session). */
export interface VerifiedCard {
  readonly cardId: string;
  readonly userId: string;
  readonly schoolId: string;
}

interface Pupil {
  id: string;
  displayName: string;
  locale: Locale | null;
}

export function signInCardsService({ db, publicUrl, endCardSessions }: SignInCardsDeps) {
  async function groupResource(groupId: string) {
    const group = await groupOf(db, groupId);
    if (!group) throw new NotFound('The group');
    return { group, resource: { type: 'group' as const, schoolId: group.schoolId, groupId: group.id } };
  }

  /** Pupils of the group named by `pupilIds` (all of them without it); refuses anyone who is not one. */
  async function pickGroupPupils(groupId: string, schoolId: string, pupilIds: readonly string[] | undefined) {
    const pupils = await groupPupils(db, groupId, schoolId);
    if (!pupilIds) return pupils;
    const wanted = new Set(pupilIds);
    const picked = pupils.filter((p) => wanted.has(p.id));
    if (picked.length !== wanted.size) throw new BadRequest('Some of the chosen people are not active pupils of this group.');
    return picked;
  }

  /** New cards for these pupils, their earlier ones revoked, in one transaction; the codes are returned once and never kept. */
  async function issue(
    actor: Actor,
    schoolId: string,
    pupils: readonly Pupil[],
    ip: string | null,
    context: Record<string, unknown>,
  ): Promise<IssuedCardsResponse> {
    const school = await schoolOf(db, schoolId);
    if (!school) throw new NotFound('The school');
    const made = pupils.map((p) => ({ pupil: p, code: newCardCode() }));
    const cards: PrintedCard[] = made.map(({ pupil, code }) => ({
      pupilId: pupil.id,
      displayName: pupil.displayName,
      locale: pupil.locale ?? 'fi',
      code: printedCode(code),
      url: cardUrl(publicUrl, code),
    }));
    const revoked = await db.transaction().execute(async (trx) => {
      const ended = await revokeLive(
        trx,
        schoolId,
        pupils.map((p) => p.id),
        actor.id,
      );
      if (cards.length > 0) {
        await trx
          .insertInto('signInCards')
          .values(made.map(({ pupil, code }) => ({ schoolId, userId: pupil.id, secretHash: hashCardCode(code), createdBy: actor.id })))
          .execute();
      }
      for (const c of cards) {
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'signInCard.issue',
          subjectType: 'user',
          subjectId: c.pupilId,
          subjectUserId: c.pupilId,
          details: { schoolId, ...context },
          ip,
        });
      }
      return ended;
    });
    // After commit: sessions opened with a replaced card end with it.
    await endCardSessions(
      revoked.map((r) => r.id),
      'signed_out',
    );
    return { schoolName: school.name, cards };
  }

  async function revoke(actor: Actor, schoolId: string, pupilIds: readonly string[], ip: string | null): Promise<number> {
    const revoked = await db.transaction().execute(async (trx) => {
      const rows = await revokeLive(trx, schoolId, pupilIds, actor.id);
      for (const r of rows) {
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'signInCard.revoke',
          subjectType: 'user',
          subjectId: r.userId,
          subjectUserId: r.userId,
          details: { schoolId },
          ip,
        });
      }
      return rows;
    });
    await endCardSessions(
      revoked.map((r) => r.id),
      'signed_out',
    );
    return revoked.length;
  }

  return {
    /**
     * The card for a code, or null: unknown, revoked, its pupil inactive or no longer a pupil of the card's school,
     * or outside the school's sign-in hours all look the same to the caller.
     */
    async verify(code: string, now = new Date()): Promise<VerifiedCard | null> {
      const card = await findLiveCard(db, hashCardCode(code));
      if (!card || !card.active || !card.isPupil) return null;
      if (!withinHours(now, card.timeZone, card.hoursStart, card.hoursEnd)) return null;
      return { cardId: card.id, userId: card.userId, schoolId: card.schoolId };
    },

    /** Whether the card still works (checked again once the new session is saved: a revocation may have slipped in). */
    async stillLive(card: VerifiedCard): Promise<boolean> {
      return (await isLive(db, card.cardId)) !== undefined;
    },

    async recordUse(card: VerifiedCard, ip: string | null): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('signInCards').set({ lastUsedAt: new Date() }).where('id', '=', card.cardId).execute();
        await recordAudit(trx, {
          actorId: card.userId,
          action: 'auth.card_login',
          subjectType: 'user',
          subjectId: card.userId,
          subjectUserId: card.userId,
          details: { schoolId: card.schoolId, cardId: card.cardId },
          ip,
        });
      });
    },

    async listGroup(actor: Actor, groupId: string): Promise<GroupCardsResponse> {
      const { group, resource } = await groupResource(groupId);
      authorize(actor, 'signInCard.manage', resource, 'The group');
      const pupils = await groupPupils(db, group.id, group.schoolId);
      return {
        groupId: group.id,
        schoolId: group.schoolId,
        groupName: group.name,
        pupils: pupils.map((p) => ({
          pupilId: p.id,
          displayName: p.displayName,
          username: p.username,
          issuedAt: p.issuedAt ? p.issuedAt.toISOString() : null,
          lastUsedAt: p.lastUsedAt ? p.lastUsedAt.toISOString() : null,
        })),
      };
    },

    async issueForGroup(actor: Actor, groupId: string, pupilIds: readonly string[] | undefined, ip: string | null): Promise<IssuedCardsResponse> {
      const { group, resource } = await groupResource(groupId);
      authorize(actor, 'signInCard.manage', resource, 'The group');
      const pupils = await pickGroupPupils(group.id, group.schoolId, pupilIds);
      if (pupils.length === 0) throw new BadRequest('The group has no active pupils to print cards for.');
      return issue(actor, group.schoolId, pupils, ip, { groupId: group.id });
    },

    async issueForSchool(actor: Actor, schoolId: string, pupilIds: readonly string[], ip: string | null): Promise<IssuedCardsResponse> {
      authorize(actor, 'signInCard.manageSchool', { type: 'school', schoolId }, 'The school');
      const pupils = await schoolPupils(db, schoolId, pupilIds);
      if (pupils.length !== new Set(pupilIds).size) throw new BadRequest('Cards are printed for active pupils only: some of the chosen people are not.');
      return issue(actor, schoolId, pupils, ip, {});
    },

    async revokeForGroup(actor: Actor, groupId: string, pupilIds: readonly string[] | undefined, ip: string | null): Promise<number> {
      const { group, resource } = await groupResource(groupId);
      authorize(actor, 'signInCard.manage', resource, 'The group');
      // Inactive pupils' cards are revoked too: a card of a pupil who left must not wake up with the account.
      const members = await db.selectFrom('memberships').select('userId').where('groupId', '=', group.id).where('role', '=', 'pupil').execute();
      const inGroup = new Set(members.map((m) => m.userId));
      if (pupilIds && pupilIds.some((id) => !inGroup.has(id))) throw new BadRequest('Some of the chosen people are not pupils of this group.');
      return revoke(actor, group.schoolId, pupilIds ?? [...inGroup], ip);
    },

    async settings(actor: Actor, schoolId: string): Promise<CardSettings> {
      authorize(actor, 'signInCard.readSettings', { type: 'school', schoolId }, 'The school');
      const school = await schoolOf(db, schoolId);
      if (!school) throw new NotFound('The school');
      return {
        hoursStart: school.hoursStart === null ? null : minutesToClock(school.hoursStart),
        hoursEnd: school.hoursEnd === null ? null : minutesToClock(school.hoursEnd),
        timeZone: school.timeZone,
      };
    },

    async updateSettings(
      actor: Actor,
      schoolId: string,
      input: { hoursStart: string | null; hoursEnd: string | null },
      ip: string | null,
    ): Promise<CardSettings> {
      authorize(actor, 'signInCard.manageSchool', { type: 'school', schoolId }, 'The school');
      const hoursStart = input.hoursStart === null ? null : clockToMinutes(input.hoursStart);
      const hoursEnd = input.hoursEnd === null ? null : clockToMinutes(input.hoursEnd);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('signInCardSettings')
          .values({ schoolId, hoursStart, hoursEnd })
          .onConflict((oc) => oc.column('schoolId').doUpdateSet({ hoursStart, hoursEnd, updatedAt: new Date() }))
          .execute();
        await recordAudit(trx, { actorId: actor.id, action: 'signInCard.settings', subjectType: 'school', subjectId: schoolId, details: { ...input }, ip });
      });
      return this.settings(actor, schoolId);
    },
  };
}

export type SignInCardsService = ReturnType<typeof signInCardsService>;
