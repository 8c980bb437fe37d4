import type { ColumnType, Kysely } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Database } from '../../db/schema.ts';
import type { RosterKeyKind, SsoRole } from './sso.config.ts';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

/** Tables of migrations 0026 (shared with the roster import), 0029 and 0033, as this module sees them. */
export type SsoTables = {
  userIdentities: {
    issuer: string;
    subject: string;
    userId: string;
    createdAt: CreatedAt;
    lastUsedAt: Date | null;
    viaInvitation: ColumnType<boolean, boolean | undefined, boolean>;
  };
  rosterKeys: { schoolId: string; kind: RosterKeyKind; value: string; userId: string; createdAt: CreatedAt };
  ssoSchoolProviders: {
    schoolId: string;
    provider: string;
    mode: SsoMode;
    updatedBy: string | null;
    updatedAt: ColumnType<Date, Date | string | undefined, Date | string>;
  };
  schoolPasswordOff: { schoolId: string; updatedBy: string | null; updatedAt: CreatedAt };
  ssoLogins: {
    stateHash: string;
    browserHash: string;
    provider: string;
    codeVerifier: string;
    nonce: string;
    linkCodeHash: string | null;
    invitationCodeHash: string | null;
    expiresAt: Date;
  };
  ssoLinkCodes: { codeHash: string; schoolId: string; userId: string; createdBy: string | null; expiresAt: Date; createdAt: CreatedAt };
};
export type SsoMode = 'rostered' | 'create';
export type SsoDb = Kysely<Database & SsoTables>;

export const ssoDb = (db: Db | Kysely<Database>): SsoDb => db.withTables<SsoTables>();

export async function findIdentity(db: SsoDb, issuer: string, subject: string) {
  return db.selectFrom('userIdentities').select('userId').where('issuer', '=', issuer).where('subject', '=', subject).executeTakeFirst();
}

/** Links an identity to a user; false when the identity is already someone's (a parallel first sign-in). */
export async function linkIdentity(db: SsoDb, issuer: string, subject: string, userId: string, viaInvitation = false): Promise<boolean> {
  const rows = await db
    .insertInto('userIdentities')
    .values({ issuer, subject, userId, lastUsedAt: new Date(), viaInvitation })
    .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
    .returning('userId')
    .execute();
  return rows.length > 0;
}

export async function touchIdentity(db: SsoDb, issuer: string, subject: string): Promise<void> {
  await db.updateTable('userIdentities').set({ lastUsedAt: new Date() }).where('issuer', '=', issuer).where('subject', '=', subject).execute();
}

/** The schools where a provider is switched on, with their modes. */
export async function schoolsWithProvider(db: SsoDb, provider: string) {
  return db
    .selectFrom('ssoSchoolProviders')
    .innerJoin('schools', 'schools.id', 'ssoSchoolProviders.schoolId')
    .select(['ssoSchoolProviders.schoolId', 'ssoSchoolProviders.mode', 'schools.code'])
    .where('ssoSchoolProviders.provider', '=', provider)
    .execute();
}

export async function rosterMatches(db: SsoDb, schoolIds: readonly string[], kind: RosterKeyKind, value: string) {
  if (schoolIds.length === 0) return [];
  return db
    .selectFrom('rosterKeys')
    .select(['schoolId', 'userId'])
    .where('schoolId', 'in', schoolIds)
    .where('kind', '=', kind)
    .where('value', '=', value)
    .execute();
}

export async function rolesOf(db: SsoDb, userId: string) {
  return db.selectFrom('schoolRoles').select(['schoolId', 'role']).where('userId', '=', userId).execute();
}

export async function providerModes(db: SsoDb, schoolId: string) {
  return db.selectFrom('ssoSchoolProviders').select(['provider', 'mode']).where('schoolId', '=', schoolId).execute();
}

export async function passwordOff(db: SsoDb, schoolIds: readonly string[]): Promise<Set<string>> {
  if (schoolIds.length === 0) return new Set();
  const rows = await db.selectFrom('schoolPasswordOff').select('schoolId').where('schoolId', 'in', schoolIds).execute();
  return new Set(rows.map((r) => r.schoolId));
}

export type { SsoRole };

/**
 * The account an identity is linked to when that account is a guardian's only (at least one role, every role
 * guardian), with whether it is active and whether the link was made by accepting an invitation; null otherwise.
 */
export async function linkedGuardian(db: SsoDb, issuer: string, subject: string) {
  const linked = await db
    .selectFrom('userIdentities')
    .innerJoin('users', 'users.id', 'userIdentities.userId')
    .select(['users.id', 'users.active', 'userIdentities.viaInvitation'])
    .where('userIdentities.issuer', '=', issuer)
    .where('userIdentities.subject', '=', subject)
    .executeTakeFirst();
  if (!linked) return null;
  const roles = await rolesOf(db, linked.id);
  return roles.length > 0 && roles.every((r) => r.role === 'guardian')
    ? { userId: linked.id, active: linked.active, viaInvitation: linked.viaInvitation }
    : null;
}

/** Deletes sign-ins that were never finished and link codes past their expiry; returns how many rows went. */
export async function sweepExpired(db: SsoDb, now = new Date()): Promise<number> {
  const logins = await db.deleteFrom('ssoLogins').where('expiresAt', '<=', now).executeTakeFirst();
  const codes = await db.deleteFrom('ssoLinkCodes').where('expiresAt', '<=', now).executeTakeFirst();
  return Number(logins.numDeletedRows) + Number(codes.numDeletedRows);
}
