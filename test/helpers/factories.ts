import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../server/auth/password.ts';
import type { Db } from '../../server/db/database.ts';
import type { GroupRole, SchoolRole } from '../../shared/roles.ts';
import { TEST_PASSWORD } from './test-app.ts';

/**
 * Test data factories: each call makes its own rows with unique names, so test files can run in
 * parallel on one database without truncating anything. Parents are created on demand.
 */
const unique = () => randomBytes(4).toString('hex');
let testPasswordHash: Promise<string> | null = null;

export async function makeSchool(db: Db, name = `Koulu ${unique()}`) {
  return db.insertInto('schools').values({ name }).returningAll().executeTakeFirstOrThrow();
}

export async function makeUser(db: Db, options: { role: SchoolRole; schoolId?: string; username?: string; displayName?: string; active?: boolean }) {
  const schoolId = options.schoolId ?? (await makeSchool(db)).id;
  testPasswordHash ??= hashPassword(TEST_PASSWORD);
  const username = options.username ?? `${options.role}.${unique()}`;
  const user = await db
    .insertInto('users')
    .values({
      username,
      displayName: options.displayName ?? `${options.role} ${username}`,
      passwordHash: await testPasswordHash,
      active: options.active ?? true,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db.insertInto('schoolRoles').values({ schoolId, userId: user.id, role: options.role }).execute();
  return { ...user, schoolId };
}

export async function makeGroup(db: Db, schoolId: string, name = `Ryhmä ${unique()}`) {
  return db.insertInto('groups').values({ schoolId, name, schoolYear: '2026-2027' }).returningAll().executeTakeFirstOrThrow();
}

export async function addMember(db: Db, groupId: string, userId: string, role: GroupRole) {
  await db.insertInto('memberships').values({ groupId, userId, role }).execute();
}

export async function linkGuardian(db: Db, guardianId: string, pupilId: string) {
  await db.insertInto('guardianLinks').values({ guardianId, pupilId }).execute();
}

/**
 * Two schools with every kind of actor, for access tests: in school A a group with a teacher,
 * two pupils, a guardian of pupil 1 and of pupil 2, an admin; in school B a teacher and an admin.
 */
export async function makeTwoSchools(db: Db) {
  const schoolA = await makeSchool(db);
  const schoolB = await makeSchool(db);
  const group = await makeGroup(db, schoolA.id);
  const otherGroup = await makeGroup(db, schoolA.id);
  const [teacher, otherTeacher, pupil, classmate, guardian, otherGuardian, admin, teacherB, adminB, pupilB] = await Promise.all([
    makeUser(db, { role: 'teacher', schoolId: schoolA.id }),
    makeUser(db, { role: 'teacher', schoolId: schoolA.id }),
    makeUser(db, { role: 'pupil', schoolId: schoolA.id }),
    makeUser(db, { role: 'pupil', schoolId: schoolA.id }),
    makeUser(db, { role: 'guardian', schoolId: schoolA.id }),
    makeUser(db, { role: 'guardian', schoolId: schoolA.id }),
    makeUser(db, { role: 'admin', schoolId: schoolA.id }),
    makeUser(db, { role: 'teacher', schoolId: schoolB.id }),
    makeUser(db, { role: 'admin', schoolId: schoolB.id }),
    makeUser(db, { role: 'pupil', schoolId: schoolB.id }),
  ]);
  await addMember(db, group.id, teacher.id, 'teacher');
  await addMember(db, group.id, pupil.id, 'pupil');
  await addMember(db, group.id, classmate.id, 'pupil');
  await addMember(db, otherGroup.id, otherTeacher.id, 'teacher');
  await linkGuardian(db, guardian.id, pupil.id);
  await linkGuardian(db, otherGuardian.id, classmate.id);
  return { schoolA, schoolB, group, otherGroup, teacher, otherTeacher, pupil, classmate, guardian, otherGuardian, admin, teacherB, adminB, pupilB };
}
