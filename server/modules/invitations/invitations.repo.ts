import { createHash, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Invitation, InvitationState } from '../../../shared/api/invitations.ts';
import type { Db } from '../../db/database.ts';

/** Crockford's base-32 digits: no I, L, O or U, so a code read from paper is not mistyped. */
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 20; // 100 bits

/** A new invitation code as printed: 20 random base-32 digits in groups of four. */
export function newInvitationCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code.match(/.{4}/g)!.join('-');
}

/** The code as kept: SHA-256 of its digits, read as a person would (O as 0, I and L as 1). */
export function invitationCodeHash(code: string): string {
  const digits = code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return createHash('sha256').update(digits).digest('hex');
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function invitationState(
  r: { revokedAt: Date | null; acceptedAt: Date | null; expiresAt: Date; openedAt: Date | null; sentAt: Date | null },
  now = new Date(),
): InvitationState {
  if (r.revokedAt) return 'revoked';
  if (r.acceptedAt) return 'accepted';
  if (r.expiresAt <= now) return 'expired';
  if (r.openedAt) return 'opened';
  if (r.sentAt) return 'sent';
  return 'created';
}

export function invitationRows(db: Db) {
  return db
    .selectFrom('guardianInvitations as i')
    .innerJoin('users as p', 'p.id', 'i.pupilId')
    .leftJoin('users as g', 'g.id', 'i.acceptedBy')
    .select([
      'i.id',
      'i.schoolId',
      'i.pupilId',
      'p.displayName as pupilName',
      'i.email',
      'i.locale',
      'i.expiresAt',
      'i.sentAt',
      'i.openedAt',
      'i.acceptedAt',
      'i.acceptedBy',
      'g.displayName as acceptedByName',
      'i.revokedAt',
      'i.createdAt',
    ])
    .orderBy('p.displayName')
    .orderBy('i.createdAt', 'desc');
}
type InvitationRow = Awaited<ReturnType<ReturnType<typeof invitationRows>['execute']>>[number];

export function presentInvitation(r: InvitationRow): Invitation {
  return {
    id: r.id,
    schoolId: r.schoolId,
    pupil: { id: r.pupilId, displayName: r.pupilName },
    email: r.email,
    locale: r.locale,
    state: invitationState(r),
    expiresAt: r.expiresAt.toISOString(),
    sentAt: r.sentAt?.toISOString() ?? null,
    openedAt: r.openedAt?.toISOString() ?? null,
    acceptedAt: r.acceptedAt?.toISOString() ?? null,
    acceptedBy: r.acceptedBy && r.acceptedByName ? { id: r.acceptedBy, displayName: r.acceptedByName } : null,
    createdAt: r.createdAt.toISOString(),
  };
}

/** A pupil as the policy's `pupil` resource, at one school only: that school (if they are a pupil there) and their groups there. */
export async function pupilAtSchool(db: Db, pupilId: string, schoolId: string) {
  const resources = await pupilsAtSchools(db, [{ pupilId, schoolId }]);
  return resources.get(`${pupilId}:${schoolId}`) ?? pupilResource(pupilId, schoolId, false, []);
}

/**
 * The same for many (pupil, school) pairs in two queries, keyed `pupilId:schoolId` (the notification page
 * checks every accepted invitation on it at once).
 */
export async function pupilsAtSchools(db: Db, pairs: ReadonlyArray<{ pupilId: string; schoolId: string }>) {
  const out = new Map<string, ReturnType<typeof pupilResource>>();
  if (pairs.length === 0) return out;
  const pupilIds = [...new Set(pairs.map((p) => p.pupilId))];
  const schoolIds = [...new Set(pairs.map((p) => p.schoolId))];
  const [roles, groups] = await Promise.all([
    db
      .selectFrom('schoolRoles')
      .select(['userId', 'schoolId'])
      .where('userId', 'in', pupilIds)
      .where('schoolId', 'in', schoolIds)
      .where('role', '=', 'pupil')
      .execute(),
    db
      .selectFrom('memberships')
      .innerJoin('groups', 'groups.id', 'memberships.groupId')
      .select(['groups.id', 'groups.schoolId', 'memberships.userId'])
      .where('memberships.userId', 'in', pupilIds)
      .where('memberships.role', '=', 'pupil')
      .where('groups.schoolId', 'in', schoolIds)
      .execute(),
  ]);
  for (const { pupilId, schoolId } of pairs) {
    const role = roles.some((r) => r.userId === pupilId && r.schoolId === schoolId);
    const groupIds = groups.filter((g) => g.userId === pupilId && g.schoolId === schoolId).map((g) => g.id);
    out.set(`${pupilId}:${schoolId}`, pupilResource(pupilId, schoolId, role, groupIds));
  }
  return out;
}

function pupilResource(pupilId: string, schoolId: string, role: boolean, groupIds: string[]) {
  return {
    type: 'pupil' as const,
    pupilId,
    schoolIds: role ? [schoolId] : [],
    groupIds: role ? groupIds : [],
    projectTeacherIds: [] as string[],
  };
}

/** Whether the user is 18 or older today (false when the birth date is not known). */
export async function isAdult(db: Db, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where(sql<boolean>`birth_date <= (current_date - interval '18 years')::date`)
    .executeTakeFirst();
  return row !== undefined;
}
