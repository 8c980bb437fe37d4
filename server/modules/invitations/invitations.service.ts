import type { Logger } from 'pino';
import { sql, type Transaction } from 'kysely';
import type {
  BulkInvitationsRequest,
  BulkInvitationsResponse,
  CreateInvitationsRequest,
  InvitationLetter,
  InvitationLetters,
  Invitation,
  OpenInvitationResponse,
} from '../../../shared/api/invitations.ts';
import { DEFAULT_LOCALE, type Locale } from '../../../shared/roles.ts';
import type { Actor } from '../../auth/actor.ts';
import { hashPassword } from '../../auth/password.ts';
import { authorize, can } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import { Conflict, Forbidden, HttpError, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { Mailer } from '../mail/mailer.ts';
import { invitationMail } from '../mail/templates.ts';
import { findUserByUsername } from '../org/org.repo.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { recordNotifications } from '../notifications/notifications.service.ts';
import type { AttemptLimiter } from './attempt-limiter.ts';
import { invitationCodeHash, invitationRows, isAdult, newInvitationCode, presentInvitation, pupilAtSchool } from './invitations.repo.ts';

export interface InvitationsDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
  validMs: number;
  /** Wrong codes, per address. */
  codeLimiter: AttemptLimiter;
  /** Forgets cached sessions in every process (a link made or ended outside a signed-in write). */
  forgetSessions: () => void;
  /** Ends the guardian links of pupils who have turned 18 (the organisation's guardian links service). */
  endAdultGuardianLinks: () => Promise<unknown[]>;
  logger: Logger;
  /** Issue 12 §5: the inviter hears when an invitation is accepted. */
  notifier: Notifier;
}

/** What accepting asks of the account: a new one, or one whose identity the caller has already established. */
export type AcceptAccount =
  { kind: 'new'; username: string; displayName: string; password: string; email?: string | undefined } | { kind: 'existing'; userId: string } | IdentityAccount;

/**
 * A provider identity that signed in (issue 11 §4): the account it is already linked to (`userId`), or a new
 * one without a password whose link the caller (the SSO module, which owns identities) writes with `link`
 * inside the acceptance's transaction, so the account, its identity and the invitation stand or fall together.
 */
export interface IdentityAccount {
  kind: 'identity';
  userId: string | null;
  username: string;
  displayName: string;
  email: string | null;
  link: (trx: Transaction<Database>, userId: string) => Promise<void>;
}

const invalidCode = () => {
  const err = new HttpError(400, 'bad_request', 'This invitation code does not work. Check the code in the letter, or ask the school for a new invitation.');
  err.reason = 'invitation_invalid';
  return err;
};
const usedCode = (why: 'expired' | 'used') => {
  const err = new HttpError(
    400,
    'bad_request',
    why === 'expired' ? 'This invitation has expired. Ask the school for a new one.' : 'This invitation has already been used or was withdrawn.',
  );
  err.reason = why === 'expired' ? 'invitation_expired' : 'invitation_used';
  return err;
};

export function invitationsService({ db, mailer, publicUrl, validMs, codeLimiter, forgetSessions, endAdultGuardianLinks, logger, notifier }: InvitationsDeps) {
  const acceptUrl = `${publicUrl}/invitation`;

  type LetterFacts = { pupilName: string; pupilLocale: Locale | null; schoolName: string; timeZone: string };

  /** Whose letters these are, in one query however many invitations were made. */
  async function letterFacts(invitationIds: string[]): Promise<Map<string, LetterFacts>> {
    if (invitationIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('guardianInvitations as i')
      .innerJoin('users as p', 'p.id', 'i.pupilId')
      .innerJoin('schools as s', 's.id', 'i.schoolId')
      .select(['i.id', 'p.displayName as pupilName', 'p.locale as pupilLocale', 's.name as schoolName', 's.timeZone'])
      .where('i.id', 'in', invitationIds)
      .execute();
    return new Map(rows.map(({ id, ...facts }) => [id, facts]));
  }

  /** Makes a fresh code for an invitation row (new or re-sent), e-mails it when it can, and returns the letter. */
  async function issue(
    invitationId: string,
    email: string | null,
    locale: Locale | null,
    fresh?: { code: string; expiresAt: Date },
    known?: LetterFacts,
  ): Promise<InvitationLetter> {
    // A new invitation's code was written with its row; a re-sent one gets a new code here.
    const code = fresh?.code ?? newInvitationCode();
    const expiresAt = fresh?.expiresAt ?? new Date(Date.now() + validMs);
    if (!fresh) {
      await db
        .updateTable('guardianInvitations')
        .set({ codeHash: invitationCodeHash(code), expiresAt, openedAt: null, sentAt: null })
        .where('id', '=', invitationId)
        .execute();
    }
    const facts = known ?? (await letterFacts([invitationId])).get(invitationId);
    if (!facts) throw new NotFound('The invitation');
    const letterLocale = locale ?? facts.pupilLocale ?? DEFAULT_LOCALE;
    const link = `${acceptUrl}#code=${code}`;
    let emailed = false;
    if (email && mailer.configured) {
      const validUntil = new Intl.DateTimeFormat(letterLocale, { dateStyle: 'long', timeZone: facts.timeZone }).format(expiresAt);
      try {
        await mailer.send(email, invitationMail(letterLocale, { pupilName: facts.pupilName, schoolName: facts.schoolName, code, link, validUntil }));
        emailed = true;
        await db.updateTable('guardianInvitations').set({ sentAt: new Date() }).where('id', '=', invitationId).execute();
      } catch (err) {
        // The letter still works; the list shows it as not sent.
        logger.warn({ err, invitationId }, 'invitation e-mail could not be sent');
      }
    }
    return {
      invitationId,
      pupilName: facts.pupilName,
      schoolName: facts.schoolName,
      locale: letterLocale,
      code,
      link,
      acceptUrl,
      expiresAt: expiresAt.toISOString(),
      emailed,
    };
  }

  async function listByIds(ids: string[]): Promise<Invitation[]> {
    if (ids.length === 0) return [];
    return (await invitationRows(db).where('i.id', 'in', ids).execute()).map(presentInvitation);
  }

  /** The invitation and the pupil resource at its school, after the policy let the actor manage it. */
  async function authorizeInvitation(actor: Actor, id: string) {
    const row = await db.selectFrom('guardianInvitations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound('The invitation');
    authorize(actor, 'guardianInvitation.manage', await pupilAtSchool(db, row.pupilId, row.schoolId), 'The invitation');
    return row;
  }

  async function insertInvitations(
    actor: Actor,
    schoolId: string,
    pupils: Array<{ pupilId: string; email: string | null }>,
    locale: Locale | null,
    ip?: string,
  ) {
    return db.transaction().execute(async (trx) => {
      const made: Array<{ id: string; code: string; expiresAt: Date }> = [];
      for (const p of pupils) {
        const code = newInvitationCode();
        const expiresAt = new Date(Date.now() + validMs);
        const row = await trx
          .insertInto('guardianInvitations')
          .values({
            schoolId,
            pupilId: p.pupilId,
            createdBy: actor.id,
            email: p.email,
            locale,
            codeHash: invitationCodeHash(code),
            expiresAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        made.push({ id: row.id, code, expiresAt });
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'guardianInvitation.create',
          subjectType: 'guardianInvitation',
          subjectId: row.id,
          subjectUserId: p.pupilId,
          details: { schoolId, emailed: p.email !== null },
          ip,
        });
      }
      return made;
    });
  }

  /** New invitations in one transaction, then their letters (e-mailed where an address was given and SMTP is set up). */
  async function makeAndIssue(
    actor: Actor,
    schoolId: string,
    pupils: Array<{ pupilId: string; email: string | null }>,
    locale: Locale | null,
    ip?: string,
  ): Promise<InvitationLetters> {
    const made = await insertInvitations(actor, schoolId, pupils, locale, ip);
    const facts = await letterFacts(made.map((m) => m.id));
    const letters: InvitationLetter[] = [];
    for (const [i, m] of made.entries()) letters.push(await issue(m.id, pupils[i]?.email ?? null, locale, m, facts.get(m.id)));
    return { invitations: await listByIds(made.map((m) => m.id)), letters };
  }

  return {
    mailConfigured: () => mailer.configured,

    async create(actor: Actor, input: CreateInvitationsRequest, ip?: string): Promise<InvitationLetters> {
      let schoolId: string;
      let pupils: Array<{ pupilId: string; email: string | null }>;
      if ('groupId' in input) {
        const group = await db.selectFrom('groups').select(['id', 'schoolId']).where('id', '=', input.groupId).executeTakeFirst();
        if (!group) throw new NotFound('The group');
        authorize(actor, 'guardianInvitation.manageGroup', { type: 'group', schoolId: group.schoolId, groupId: group.id }, 'The group');
        schoolId = group.schoolId;
        const members = await db
          .selectFrom('memberships')
          .innerJoin('users', 'users.id', 'memberships.userId')
          .innerJoin('schoolRoles', (j) =>
            j.onRef('schoolRoles.userId', '=', 'users.id').on('schoolRoles.schoolId', '=', group.schoolId).on('schoolRoles.role', '=', 'pupil'),
          )
          .select('users.id')
          .where('memberships.groupId', '=', group.id)
          .where('memberships.role', '=', 'pupil')
          .where('users.active', '=', true)
          .where(sql<boolean>`(users.birth_date is null or users.birth_date > (current_date - interval '18 years')::date)`)
          .orderBy('users.displayName')
          .execute();
        pupils = members.map((m) => ({ pupilId: m.id, email: null }));
      } else {
        const schools = await db.selectFrom('schoolRoles').select('schoolId').where('userId', '=', input.pupilId).where('role', '=', 'pupil').execute();
        let chosen: string | null = null;
        for (const s of schools)
          if (!chosen && can(actor, 'guardianInvitation.manage', await pupilAtSchool(db, input.pupilId, s.schoolId))) chosen = s.schoolId;
        if (!chosen) {
          authorize(
            actor,
            'guardianInvitation.manage',
            { type: 'pupil', pupilId: input.pupilId, schoolIds: schools.map((s) => s.schoolId), groupIds: [], projectTeacherIds: [] },
            'The pupil',
          );
          throw new NotFound('The pupil');
        }
        const pupil = await db.selectFrom('users').select(['active']).where('id', '=', input.pupilId).executeTakeFirstOrThrow();
        if (!pupil.active) throw new Conflict('The pupil’s account is deactivated.');
        if (await isAdult(db, input.pupilId)) throw new Conflict('The pupil is 18 or older: guardians are no longer invited.');
        schoolId = chosen;
        pupils = [{ pupilId: input.pupilId, email: input.email ?? null }];
      }
      return makeAndIssue(actor, schoolId, pupils, input.locale ?? null, ip);
    },

    /**
     * Issue 11 §6: invites the guardians of the pupils chosen in the admin's user list, one invitation each,
     * in one transaction. Chosen users who are not pupils here, deactivated pupils and pupils of 18 or more
     * are left out and counted; anyone not at this school at all makes the whole request a 404.
     */
    async createForSchool(actor: Actor, schoolId: string, input: BulkInvitationsRequest, ip?: string): Promise<BulkInvitationsResponse> {
      authorize(actor, 'guardianInvitation.manageSchool', { type: 'school', schoolId }, 'The school');
      const ids = input.invitees.map((i) => i.userId);
      const rows = await db
        .selectFrom('users')
        .leftJoin('schoolRoles as r', (j) => j.onRef('r.userId', '=', 'users.id').on('r.schoolId', '=', schoolId))
        .select([
          'users.id',
          'users.active',
          'r.role',
          sql<boolean>`coalesce(users.birth_date <= (current_date - interval '18 years')::date, false)`.as('adult'),
        ])
        .where('users.id', 'in', ids)
        .execute();
      const rolesOf = new Map<string, { active: boolean; adult: boolean; roles: Set<string> }>();
      for (const r of rows) {
        const entry = rolesOf.get(r.id) ?? { active: r.active, adult: r.adult, roles: new Set<string>() };
        if (r.role) entry.roles.add(r.role);
        rolesOf.set(r.id, entry);
      }
      // As the user list's other bulk actions: someone of another school (or nobody) is not this admin's to see.
      if (ids.some((id) => (rolesOf.get(id)?.roles.size ?? 0) === 0)) throw new NotFound('Some of the chosen users');
      const skipped = { notPupils: 0, inactive: 0, adults: 0 };
      const pupils: Array<{ pupilId: string; email: string | null }> = [];
      for (const invitee of input.invitees) {
        const facts = rolesOf.get(invitee.userId)!;
        if (!facts.roles.has('pupil')) skipped.notPupils++;
        else if (!facts.active) skipped.inactive++;
        else if (facts.adult) skipped.adults++;
        else pupils.push({ pupilId: invitee.userId, email: invitee.email ?? null });
      }
      const made = pupils.length > 0 ? await makeAndIssue(actor, schoolId, pupils, input.locale ?? null, ip) : { invitations: [], letters: [] };
      return { ...made, skipped };
    },

    async resend(actor: Actor, id: string, input: { email?: string | null | undefined; locale?: Locale | undefined }, ip?: string): Promise<InvitationLetters> {
      const row = await authorizeInvitation(actor, id);
      if (row.revokedAt || row.acceptedAt) throw new Conflict('This invitation has been used or withdrawn; make a new one.');
      const email = input.email === undefined ? row.email : input.email;
      const locale = input.locale ?? row.locale;
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('guardianInvitations').set({ email, locale }).where('id', '=', id).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'guardianInvitation.resend',
          subjectType: 'guardianInvitation',
          subjectId: id,
          subjectUserId: row.pupilId,
          ip,
        });
      });
      const letter = await issue(id, email, locale);
      return { invitations: await listByIds([id]), letters: [letter] };
    },

    async revoke(actor: Actor, id: string, ip?: string): Promise<Invitation> {
      const row = await authorizeInvitation(actor, id);
      await db.transaction().execute(async (trx) => {
        const done = await trx
          .updateTable('guardianInvitations')
          .set({ revokedAt: new Date() })
          .where('id', '=', id)
          .where('revokedAt', 'is', null)
          .where('acceptedAt', 'is', null)
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) === 0) throw new Conflict('This invitation has already been used or withdrawn.');
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'guardianInvitation.revoke',
          subjectType: 'guardianInvitation',
          subjectId: id,
          subjectUserId: row.pupilId,
          ip,
        });
      });
      const [presented] = await listByIds([id]);
      return presented!;
    },

    async listForPupil(actor: Actor, pupilId: string): Promise<Invitation[]> {
      const schools = await db.selectFrom('schoolRoles').select('schoolId').where('userId', '=', pupilId).where('role', '=', 'pupil').execute();
      const visible: string[] = [];
      for (const s of schools) if (can(actor, 'guardianInvitation.manage', await pupilAtSchool(db, pupilId, s.schoolId))) visible.push(s.schoolId);
      if (visible.length === 0) {
        authorize(
          actor,
          'guardianInvitation.manage',
          { type: 'pupil', pupilId, schoolIds: schools.map((s) => s.schoolId), groupIds: [], projectTeacherIds: [] },
          'The pupil',
        );
        throw new NotFound('The pupil');
      }
      return (await invitationRows(db).where('i.pupilId', '=', pupilId).where('i.schoolId', 'in', visible).execute()).map(presentInvitation);
    },

    async listForGroup(actor: Actor, groupId: string): Promise<Invitation[]> {
      const group = await db.selectFrom('groups').select(['id', 'schoolId']).where('id', '=', groupId).executeTakeFirst();
      if (!group) throw new NotFound('The group');
      authorize(actor, 'guardianInvitation.manageGroup', { type: 'group', schoolId: group.schoolId, groupId }, 'The group');
      const rows = await invitationRows(db)
        .where('i.schoolId', '=', group.schoolId)
        .where('i.pupilId', 'in', db.selectFrom('memberships').select('userId').where('groupId', '=', groupId).where('role', '=', 'pupil'))
        .execute();
      return rows.map(presentInvitation);
    },

    async listForSchool(actor: Actor, schoolId: string): Promise<Invitation[]> {
      authorize(actor, 'guardianInvitation.list', { type: 'school', schoolId }, 'The school');
      return (await invitationRows(db).where('i.schoolId', '=', schoolId).execute()).map(presentInvitation);
    },

    /**
     * The guardian opens the invitation (the acceptance page with its code): marks it opened and tells
     * whose it is. Wrong codes count against the address.
     */
    async open(code: string, address: string): Promise<OpenInvitationResponse> {
      const row = await this.findUsable(code, address);
      if (!row.openedAt)
        await db.updateTable('guardianInvitations').set({ openedAt: new Date() }).where('id', '=', row.id).where('openedAt', 'is', null).execute();
      const facts = await db
        .selectFrom('users')
        .innerJoin('schools', (j) => j.on('schools.id', '=', row.schoolId))
        .select(['users.displayName', 'schools.name'])
        .where('users.id', '=', row.pupilId)
        .executeTakeFirstOrThrow();
      return { pupilName: facts.displayName, schoolName: facts.name, expiresAt: row.expiresAt.toISOString() };
    },

    /** The invitation a code names, if it can still be accepted; otherwise a 400 (a wrong code also costs the address a try). */
    async findUsable(code: string, address: string) {
      return this.findUsableByHash(invitationCodeHash(code), address);
    },

    /** As findUsable, by the code's hash (a provider sign-in carries only the hash). */
    async findUsableByHash(codeHash: string, address: string) {
      await codeLimiter.consumeAddress(address);
      const row = await db.selectFrom('guardianInvitations').selectAll().where('codeHash', '=', codeHash).executeTakeFirst();
      if (!row) throw invalidCode();
      // A code that exists was not guessed: the address gets its try back, whatever the invitation's state.
      await codeLimiter.rewardAddress(address);
      if (row.revokedAt || row.acceptedAt) throw usedCode('used');
      if (row.expiresAt <= new Date()) throw usedCode('expired');
      return row;
    },

    /**
     * Accepts an invitation into a new account or one whose holder the caller has verified (password, the
     * signed-in session, or the guardian's own provider identity). Grants exactly a guardian role at the
     * invitation's school and a link to its pupil; returns the guardian's id.
     */
    async accept(code: string, account: AcceptAccount, address: string): Promise<string> {
      return this.acceptByHash(invitationCodeHash(code), account, address);
    },

    async acceptByHash(codeHash: string, account: AcceptAccount, address: string): Promise<string> {
      const found = await this.findUsableByHash(codeHash, address);
      const passwordHash = account.kind === 'new' ? await hashPassword(account.password) : null;
      if (account.kind === 'new' && (await findUserByUsername(db, account.username))) throw new Conflict(`The username ${account.username} is already taken.`);
      const existingId = account.kind === 'existing' ? account.userId : account.kind === 'identity' ? account.userId : null;
      if (existingId) {
        const roles = await db.selectFrom('schoolRoles').select('role').where('userId', '=', existingId).execute();
        if (roles.some((r) => r.role !== 'guardian')) {
          throw new Forbidden('This account is not a guardian account. Create a separate guardian account to accept the invitation.');
        }
      }
      const { userId: guardianId, notices } = await db.transaction().execute(async (trx) => {
        // Taken first, so that two acceptances of one code cannot both pass.
        const claimed = await trx
          .updateTable('guardianInvitations')
          .set({ acceptedAt: new Date() })
          .where('id', '=', found.id)
          .where('acceptedAt', 'is', null)
          .where('revokedAt', 'is', null)
          .where('expiresAt', '>', new Date())
          .where('codeHash', '=', found.codeHash)
          .returning(['id', 'schoolId', 'pupilId', 'createdBy'])
          .executeTakeFirst();
        if (!claimed) throw usedCode('used');
        const pupil = await trx.selectFrom('users').select(['active']).where('id', '=', claimed.pupilId).executeTakeFirst();
        const stillPupil = await trx
          .selectFrom('schoolRoles')
          .select('userId')
          .where('userId', '=', claimed.pupilId)
          .where('schoolId', '=', claimed.schoolId)
          .where('role', '=', 'pupil')
          .executeTakeFirst();
        if (!pupil?.active || !stillPupil || (await isAdult(trx, claimed.pupilId))) throw usedCode('used');
        let userId: string;
        if (existingId) userId = existingId;
        else {
          // A provider identity's new account has no password: it signs in through its provider (or after a password reset by e-mail).
          const values =
            account.kind === 'new'
              ? { username: account.username, displayName: account.displayName, email: account.email ?? found.email, passwordHash }
              : account.kind === 'identity'
                ? { username: account.username, displayName: account.displayName, email: account.email, passwordHash: null }
                : null;
          if (!values) throw usedCode('used');
          const user = await trx
            .insertInto('users')
            .values({ ...values, locale: found.locale })
            .returning('id')
            .executeTakeFirstOrThrow();
          userId = user.id;
        }
        if (account.kind === 'identity') await account.link(trx, userId);
        await trx
          .insertInto('schoolRoles')
          .values({ schoolId: claimed.schoolId, userId, role: 'guardian' })
          .onConflict((oc) => oc.doNothing())
          .execute();
        await trx
          .insertInto('guardianLinks')
          .values({ guardianId: userId, pupilId: claimed.pupilId })
          .onConflict((oc) => oc.doNothing())
          .execute();
        await trx.updateTable('guardianInvitations').set({ acceptedBy: userId }).where('id', '=', claimed.id).execute();
        await recordAudit(trx, {
          actorId: userId,
          action: 'guardianInvitation.accept',
          subjectType: 'guardianInvitation',
          subjectId: claimed.id,
          subjectUserId: claimed.pupilId,
          details: {
            newAccount: account.kind === 'new' || (account.kind === 'identity' && account.userId === null),
            schoolId: claimed.schoolId,
            ...(account.kind === 'identity' ? { via: 'sso' } : {}),
          },
          ip: address,
        });
        // Issue 12 §5: the teacher or admin who invited hears of it, with the two names they already know.
        const names = new Map(
          (await trx.selectFrom('users').select(['id', 'displayName']).where('id', 'in', [claimed.pupilId, userId]).execute()).map((u) => [
            u.id,
            u.displayName,
          ]),
        );
        const inviter = claimed.createdBy !== null && claimed.createdBy !== userId ? claimed.createdBy : null;
        const data = {
          invitationId: claimed.id,
          pupilId: claimed.pupilId,
          schoolId: claimed.schoolId,
          pupilName: names.get(claimed.pupilId) ?? '',
          guardianName: names.get(userId) ?? '',
        };
        return { userId, notices: await recordNotifications(trx, inviter ? [{ recipientId: inviter, kind: 'invitation_accepted', data }] : []) };
      });
      notices.publish(notifier);
      forgetSessions();
      return guardianId;
    },

    /**
     * The 18th-birthday sweep (the maintenance timer): the pupils' guardian links end where every ended link
     * takes effect (the organisation's guardian links), then their open invitations are withdrawn (accepting
     * one already fails for an adult, so a sweep interrupted between the two loses nothing). Returns how many
     * links ended.
     */
    async endLinksOfAdults(): Promise<number> {
      const ended = await endAdultGuardianLinks();
      await db
        .updateTable('guardianInvitations')
        .set({ revokedAt: new Date() })
        .where('revokedAt', 'is', null)
        .where('acceptedAt', 'is', null)
        .where(
          'pupilId',
          'in',
          db
            .selectFrom('users')
            .select('id')
            .where(sql<boolean>`birth_date <= (current_date - interval '18 years')::date`),
        )
        .execute();
      return ended.length;
    },
  };
}

export type InvitationsService = ReturnType<typeof invitationsService>;
