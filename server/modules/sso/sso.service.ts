import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, NotFound } from '../../http/errors.ts';
import type { SchoolSignInSettings, SsoProviderSummary } from '../../../shared/api/sso.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { userResourceOf } from '../org/org.repo.ts';
import type { IdentityAccount } from '../invitations/invitations.service.ts';
import { invitationCodeHash } from '../invitations/invitations.repo.ts';
import { readClaims, readGuardianClaims, SsoRefusal, type SignInClaims } from './sso.claims.ts';
import type { OidcClients } from './sso.client.ts';
import type { SsoProviderConfig, SsoRole } from './sso.config.ts';
import {
  findIdentity,
  linkedGuardian,
  linkIdentity,
  passwordOff,
  providerModes,
  rolesOf,
  rosterMatches,
  schoolsWithProvider,
  ssoDb,
  sweepExpired,
  touchIdentity,
  type SsoDb,
  type SsoMode,
} from './sso.repo.ts';

const LOGIN_TTL_MS = 10 * 60_000;
const LINK_CODE_TTL_MS = 14 * 24 * 3600_000;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const token = () => randomBytes(32).toString('base64url');
/** Link codes are typed by people: no look-alike letters, grouped in fours. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const normaliseLinkCode = (code: string) => code.toUpperCase().replace(/[^A-Z0-9]/g, '');

export interface SsoServiceDeps {
  db: Db;
  clients: OidcClients;
  providers: readonly SsoProviderConfig[];
}

export function ssoService({ db, clients, providers }: SsoServiceDeps) {
  const sdb: SsoDb = ssoDb(db);

  /** The user a checked identity belongs to, linking or creating it as the school's settings allow. */
  async function resolveUser(provider: SsoProviderConfig, who: SignInClaims, linkCodeHash: string | null): Promise<string> {
    const enabled = await schoolsWithProvider(sdb, provider.id);
    const enabledIds = enabled.map((s) => s.schoolId);
    const linked = await findIdentity(sdb, who.issuer, who.subject);
    if (linked) {
      await mayUseProvider(linked.userId, enabledIds);
      await touchIdentity(sdb, who.issuer, who.subject);
      return linked.userId;
    }
    // 1. A one-time code the school's admin gave this person.
    if (linkCodeHash) {
      const code = await sdb.selectFrom('ssoLinkCodes').selectAll().where('codeHash', '=', linkCodeHash).executeTakeFirst();
      if (!code || code.expiresAt.getTime() <= Date.now() || !enabledIds.includes(code.schoolId))
        throw new SsoRefusal('unknown_user', 'The link code is not valid (any more).');
      await mayUseProvider(code.userId, enabledIds);
      return link(provider, who, code.userId, 'link_code', code.schoolId, linkCodeHash);
    }
    // 2. The school's roster knows the person by the provider's claim. Only the rosters of the schools the
    // claims name count when they name any (MPASSid does): a roster is written by one school's admin, and
    // another school's roster must not capture (or make ambiguous) this person's first sign-in.
    if (who.rosterKey) {
      const matches = await rosterMatches(sdb, rosterSchools(enabled, who), who.rosterKey.kind, who.rosterKey.value);
      const users = [...new Set(matches.map((m) => m.userId))];
      if (users.length > 1) throw new SsoRefusal('ambiguous', 'Several accounts match this person; the school must link the right one.');
      const [userId] = users;
      if (userId) {
        // The account must be at a school whose roster matched, not merely at some school using this provider.
        await mayUseProvider(
          userId,
          matches.map((m) => m.schoolId),
        );
        return link(provider, who, userId, 'roster', matches[0]?.schoolId ?? null, null);
      }
    }
    // 3. A school that lets this provider create accounts, named by the claims; claims naming no school only when
    // that school is the only one using the provider at all. Any admin may turn on 'create' (and make a school):
    // were the only creating school enough, it would take in the unrostered people of every other school that
    // uses the same tenant, the capture school codes are kept from admins for (operator-only, issue 12).
    const creating = enabled.filter((s) => s.mode === 'create');
    const soleSchool = creating.length === 1 && enabled.length === 1 ? creating[0] : undefined;
    if (creating.length === 0) throw new SsoRefusal('unknown_user', 'This school lets in only people on its roster.');
    if (who.placements.length === 0) throw new SsoRefusal('no_role', 'The provider did not say whether this is a pupil or a teacher.');
    const placements = who.placements
      .map((p) => ({
        role: p.role,
        school: p.schoolCode === null ? soleSchool : creating.find((s) => s.code === p.schoolCode),
      }))
      .filter((p): p is { role: SsoRole; school: (typeof creating)[number] } => p.school !== undefined);
    const choices = new Map(placements.map((p) => [`${p.school.schoolId}|${p.role}`, p]));
    if (choices.size === 0) throw new SsoRefusal('no_school', 'No school that uses this sign-in matches this person.');
    if (choices.size > 1) throw new SsoRefusal('ambiguous', 'The provider names several schools or roles; the school must create this account.');
    const [choice] = [...choices.values()];
    if (!choice) throw new SsoRefusal('no_school', 'No school that uses this sign-in matches this person.');
    return create(provider, who, choice.school.schoolId, choice.role);
  }

  /** Only accounts of a school that switched this provider on, and never an admin: admins sign in with their password. */
  async function mayUseProvider(userId: string, enabledIds: readonly string[]): Promise<void> {
    const roles = await rolesOf(sdb, userId);
    if (roles.some((r) => r.role === 'admin')) throw new SsoRefusal('admin', 'Administrators sign in with their password.');
    if (!roles.some((r) => enabledIds.includes(r.schoolId))) throw new SsoRefusal('not_enabled', 'This school does not use this sign-in.');
  }

  async function link(
    provider: SsoProviderConfig,
    who: SignInClaims,
    userId: string,
    via: string,
    schoolId: string | null,
    linkCodeHash: string | null,
  ): Promise<string> {
    return db.transaction().execute(async (trx) => {
      const t = ssoDb(trx);
      if (linkCodeHash) {
        const used = await t.deleteFrom('ssoLinkCodes').where('codeHash', '=', linkCodeHash).returning('userId').executeTakeFirst();
        if (used?.userId !== userId) throw new SsoRefusal('unknown_user', 'The link code is not valid (any more).');
      }
      if (!(await linkIdentity(t, who.issuer, who.subject, userId))) {
        const other = await findIdentity(t, who.issuer, who.subject);
        if (other?.userId !== userId) throw new SsoRefusal('ambiguous', 'This sign-in was just linked to another account.');
      }
      await recordAudit(trx, {
        actorId: userId,
        action: 'sso.link',
        subjectType: 'user',
        subjectId: userId,
        subjectUserId: userId,
        details: { provider: provider.id, via, schoolId },
      });
      return userId;
    });
  }

  async function create(provider: SsoProviderConfig, who: SignInClaims, schoolId: string, role: SsoRole): Promise<string> {
    return db.transaction().execute(async (trx) => {
      const t = ssoDb(trx);
      const user = await trx
        .insertInto('users')
        .values({ username: usernameFor(provider, who), displayName: who.displayName, email: role === 'pupil' ? null : who.email, passwordHash: null })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('schoolRoles').values({ schoolId, userId: user.id, role }).execute();
      if (!(await linkIdentity(t, who.issuer, who.subject, user.id))) throw new SsoRefusal('ambiguous', 'This sign-in was just linked to another account.');
      if (who.rosterKey) {
        await t
          .insertInto('rosterKeys')
          .values({ schoolId, kind: who.rosterKey.kind, value: who.rosterKey.value, userId: user.id })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      await recordAudit(trx, {
        actorId: user.id,
        action: 'user.create',
        subjectType: 'user',
        subjectId: user.id,
        subjectUserId: user.id,
        details: { via: 'sso', provider: provider.id, role, schoolId },
      });
      return user.id;
    });
  }

  async function guardianSignIn(claims: Readonly<Record<string, unknown>>): Promise<string | null> {
    const { issuer, subject } = readGuardianClaims(claims);
    const guardian = await linkedGuardian(sdb, issuer, subject);
    if (!guardian?.viaInvitation) return null;
    await touchIdentity(sdb, issuer, subject);
    return guardian.userId;
  }

  /**
   * The account an invitation accepted through a provider goes into: the guardian account the identity is
   * already linked to, or a new one (no password; the e-mail only when the provider vouches for it) whose
   * identity link is written in the acceptance's transaction. Never a pupil's, teacher's or admin's account.
   */
  async function invitationAccount(provider: SsoProviderConfig, claims: Readonly<Record<string, unknown>>): Promise<IdentityAccount> {
    const who = readGuardianClaims(claims);
    const linked = await findIdentity(sdb, who.issuer, who.subject);
    if (linked) {
      const guardian = await linkedGuardian(sdb, who.issuer, who.subject);
      if (!guardian) throw new SsoRefusal('not_guardian', 'This sign-in belongs to an account that is not a guardian account.');
      if (!guardian.active) throw new SsoRefusal('unknown_user', 'The account is not active.');
    }
    return {
      kind: 'identity',
      userId: linked?.userId ?? null,
      username: usernameFor(provider, { displayName: who.displayName }),
      displayName: who.displayName,
      email: who.email,
      link: async (trx, userId) => {
        const t = ssoDb(trx);
        if (linked) return touchIdentity(t, who.issuer, who.subject);
        if (!(await linkIdentity(t, who.issuer, who.subject, userId, true)))
          throw new SsoRefusal('ambiguous', 'This sign-in was just linked to another account.');
        await recordAudit(trx, {
          actorId: userId,
          action: 'sso.link',
          subjectType: 'user',
          subjectId: userId,
          subjectUserId: userId,
          details: { provider: provider.id, via: 'invitation', schoolId: null },
        });
      },
    };
  }

  function settingsOf(schoolId: string, modes: Array<{ provider: string; mode: SsoMode }>, off: boolean): SchoolSignInSettings {
    return {
      schoolId,
      passwordSignIn: !off,
      providers: providers.map((p) => ({ id: p.id, label: p.label, preset: p.preset, mode: modes.find((m) => m.provider === p.id)?.mode ?? 'off' })),
    };
  }

  return {
    /** For the sign-in page: the configured providers (none: no buttons). */
    providers(): SsoProviderSummary[] {
      return providers.map((p) => ({ id: p.id, label: p.label, preset: p.preset }));
    },

    /**
     * Begins a sign-in: a single-use row keyed by the state's hash, bound to the browser by `browserToken`.
     * A link code or an invitation code rides along only as its hash (never in a URL the provider or a log sees).
     */
    async start(
      providerId: string,
      redirectUri: string,
      purpose: { linkCode?: string | undefined; invitationCode?: string | undefined } = {},
    ): Promise<{ url: string; browserToken: string }> {
      const provider = clients.providerById(providerId);
      if (!provider) throw new NotFound('The sign-in provider');
      if (purpose.linkCode && purpose.invitationCode) throw new SsoRefusal('failed', 'A sign-in carries a link code or an invitation, not both.');
      const state = token();
      const nonce = token();
      const codeVerifier = token();
      const browserToken = token();
      const code = purpose.linkCode ? normaliseLinkCode(purpose.linkCode) : '';
      await sdb.deleteFrom('ssoLogins').where('expiresAt', '<', new Date()).execute();
      const url = await clients.authorizationUrl(provider, { redirectUri, state, nonce, codeVerifier });
      await sdb
        .insertInto('ssoLogins')
        .values({
          stateHash: sha256(state),
          browserHash: sha256(browserToken),
          provider: provider.id,
          codeVerifier,
          nonce,
          linkCodeHash: code ? sha256(code) : null,
          invitationCodeHash: purpose.invitationCode ? invitationCodeHash(purpose.invitationCode) : null,
          expiresAt: new Date(Date.now() + LOGIN_TTL_MS),
        })
        .execute();
      return { url: url.href, browserToken };
    },

    /**
     * Ends a sign-in, first step: the state is used up (a replayed answer finds nothing), must belong to this
     * browser and provider and be fresh. Tells the caller whether the sign-in accepts an invitation.
     */
    async takeLogin(providerId: string, currentUrl: URL, browserToken: string | undefined): Promise<PendingLogin> {
      const provider = clients.providerById(providerId);
      if (!provider) throw new SsoRefusal('failed', 'No such sign-in provider.');
      const state = currentUrl.searchParams.get('state');
      if (!state || state.length > 200) throw new SsoRefusal('failed', 'The answer has no state.');
      const row = await sdb.deleteFrom('ssoLogins').where('stateHash', '=', sha256(state)).returningAll().executeTakeFirst();
      if (!row || row.provider !== provider.id || row.expiresAt.getTime() <= Date.now())
        throw new SsoRefusal('failed', 'The sign-in was not started here, or took too long.');
      if (!browserToken || sha256(browserToken) !== row.browserHash) throw new SsoRefusal('failed', 'The sign-in was started in another browser.');
      return { provider, state, nonce: row.nonce, codeVerifier: row.codeVerifier, linkCodeHash: row.linkCodeHash, invitationCodeHash: row.invitationCodeHash };
    },

    /**
     * Second step: the code is redeemed and the identity resolved. A sign-in, or (when it carried an invitation)
     * the account the invitation is to be accepted into, which the invitations module does in one transaction.
     */
    async complete(pending: PendingLogin, currentUrl: URL): Promise<SsoOutcome> {
      const { provider } = pending;
      const error = currentUrl.searchParams.get('error');
      if (error === 'access_denied') throw new SsoRefusal('cancelled', 'The sign-in was cancelled.');
      const { claims } = await clients.redeem(provider, currentUrl, { state: pending.state, nonce: pending.nonce, codeVerifier: pending.codeVerifier });
      if (pending.invitationCodeHash)
        return { kind: 'invitation', provider, invitationCodeHash: pending.invitationCodeHash, account: await invitationAccount(provider, claims) };
      // A guardian's identity, linked when they accepted an invitation, signs in whatever the schools chose for
      // this provider: guardians are in no school's directory, and the schools' allow-lists are for their own people.
      // Any other link (a link code, a first sign-in) goes through the schools' modes as before.
      const guardian = await guardianSignIn(claims);
      if (guardian) return { kind: 'signIn', userId: guardian, provider };
      const who = readClaims(provider, claims);
      return { kind: 'signIn', userId: await resolveUser(provider, who, pending.linkCodeHash), provider };
    },

    /** Deletes unfinished sign-ins and expired link codes (the hourly maintenance). */
    sweepExpired: (now?: Date) => sweepExpired(sdb, now),

    async endSessionUrl(providerId: string, postLogoutRedirectUri: string): Promise<{ url: string; label: string } | null> {
      const provider = clients.providerById(providerId);
      if (!provider) return null;
      const url = await clients.endSessionUrl(provider, postLogoutRedirectUri);
      return url ? { url, label: provider.label } : null;
    },

    /**
     * False when a school where this user is a pupil or a teacher has turned password sign-in off. Admins
     * (never signed in by a provider) and guardians (not in the schools' directories) keep their passwords.
     */
    async passwordAllowed(userId: string): Promise<boolean> {
      const roles = await rolesOf(sdb, userId);
      if (roles.some((r) => r.role === 'admin')) return true;
      const schools = roles.filter((r) => r.role === 'pupil' || r.role === 'teacher').map((r) => r.schoolId);
      return (await passwordOff(sdb, [...new Set(schools)])).size === 0;
    },

    async settings(actor: Actor, schoolId: string): Promise<SchoolSignInSettings> {
      authorize(actor, 'school.signIn.manage', { type: 'school', schoolId }, 'The school');
      const [modes, off] = await Promise.all([providerModes(sdb, schoolId), passwordOff(sdb, [schoolId])]);
      return settingsOf(schoolId, modes, off.has(schoolId));
    },

    async updateSettings(
      actor: Actor,
      schoolId: string,
      input: { passwordSignIn: boolean; providers: ReadonlyArray<{ id: string; mode: SsoMode | 'off' }> },
      ip: string | null,
    ): Promise<SchoolSignInSettings> {
      authorize(actor, 'school.signIn.manage', { type: 'school', schoolId }, 'The school');
      for (const p of input.providers) if (!clients.providerById(p.id)) throw new BadRequest(`There is no sign-in provider "${p.id}" in this installation.`);
      await db.transaction().execute(async (trx) => {
        const t = ssoDb(trx);
        for (const { id, mode } of input.providers) {
          if (mode === 'off') await t.deleteFrom('ssoSchoolProviders').where('schoolId', '=', schoolId).where('provider', '=', id).execute();
          else
            await t
              .insertInto('ssoSchoolProviders')
              .values({ schoolId, provider: id, mode, updatedBy: actor.id })
              .onConflict((oc) => oc.columns(['schoolId', 'provider']).doUpdateSet({ mode, updatedBy: actor.id, updatedAt: new Date() }))
              .execute();
        }
        if (input.passwordSignIn) await t.deleteFrom('schoolPasswordOff').where('schoolId', '=', schoolId).execute();
        else
          await t
            .insertInto('schoolPasswordOff')
            .values({ schoolId, updatedBy: actor.id })
            .onConflict((oc) => oc.column('schoolId').doNothing())
            .execute();
        await recordAudit(trx, { actorId: actor.id, action: 'school.signIn.update', subjectType: 'school', subjectId: schoolId, details: { ...input }, ip });
      });
      return this.settings(actor, schoolId);
    },

    /** A one-time code that links the user's first provider sign-in to their account (admins of all their schools; never for an admin). */
    async createLinkCode(actor: Actor, userId: string, schoolId: string, ip: string | null): Promise<{ code: string; expiresAt: string }> {
      const resource = await userResourceOf(db, userId);
      authorize(actor, 'user.manageAccount', resource, 'The user');
      if (!resource.schoolIds.includes(schoolId)) throw new BadRequest('The user has no role at that school.');
      if (resource.adminSchoolIds.length > 0) throw new BadRequest('Administrators sign in with their password; they get no link code.');
      const bytes = randomBytes(12);
      const code = [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
      const expiresAt = new Date(Date.now() + LINK_CODE_TTL_MS);
      await db.transaction().execute(async (trx) => {
        const t = ssoDb(trx);
        // One live code per user and school: a new one replaces the old.
        await t.deleteFrom('ssoLinkCodes').where('userId', '=', userId).where('schoolId', '=', schoolId).execute();
        await t
          .insertInto('ssoLinkCodes')
          .values({ codeHash: sha256(code), schoolId, userId, createdBy: actor.id, expiresAt })
          .execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'sso.linkCode.create',
          subjectType: 'user',
          subjectId: userId,
          subjectUserId: userId,
          details: { schoolId },
          ip,
        });
      });
      return { code: code.match(/.{4}/g)?.join('-') ?? code, expiresAt: expiresAt.toISOString() };
    },
  };
}

export type SsoService = ReturnType<typeof ssoService>;

/** A sign-in whose state checked out, before its code is redeemed. */
export interface PendingLogin {
  provider: SsoProviderConfig;
  state: string;
  nonce: string;
  codeVerifier: string;
  linkCodeHash: string | null;
  invitationCodeHash: string | null;
}

export type SsoOutcome =
  | { kind: 'signIn'; userId: string; provider: SsoProviderConfig }
  | { kind: 'invitation'; provider: SsoProviderConfig; invitationCodeHash: string; account: IdentityAccount };

/**
 * The schools whose roster keys may identify this person: the enabled schools the claims name, when they
 * name any; otherwise every enabled school (one tenant or domain shared by several schools), where a value
 * that several schools' rosters hold is refused as ambiguous rather than guessed.
 */
function rosterSchools(enabled: ReadonlyArray<{ schoolId: string; code: string | null }>, who: SignInClaims): string[] {
  const named = new Set(who.placements.map((p) => p.schoolCode).filter((c): c is string => c !== null));
  if (named.size === 0) return enabled.map((s) => s.schoolId);
  return enabled.filter((s) => s.code !== null && named.has(s.code)).map((s) => s.schoolId);
}

/** A username for an account made at first sign-in: the provider, a slug of the name, and random letters (unique). */
function usernameFor(provider: SsoProviderConfig, who: Pick<SignInClaims, 'displayName'>): string {
  const slug = who.displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^\.+|\.+$/g, '')
    .slice(0, 40);
  return `${provider.id}.${slug || 'user'}.${randomBytes(3).toString('hex')}`.slice(0, 100);
}
