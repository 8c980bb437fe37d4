import { randomBytes, randomUUID } from 'node:crypto';
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

export async function makeProject(db: Db, options: { schoolId: string; teacherIds?: string[]; groupIds?: string[]; title?: string }) {
  const project = await db
    .insertInto('projects')
    .values({
      schoolId: options.schoolId,
      title: options.title ?? `Projekti ${unique()}`,
      schoolYear: '2026-2027',
      subjectCodes: ['BI', 'GE'],
      competenceIds: ['basic:L4'],
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const phase = await db
    .insertInto('projectPhases')
    .values({ projectId: project.id, position: 0, title: 'Tutkiminen' })
    .returningAll()
    .executeTakeFirstOrThrow();
  const goal = await db
    .insertInto('projectGoals')
    .values({ projectId: project.id, position: 0, text: 'Osaan havainnoida luontoa' })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (options.teacherIds?.length)
    await db
      .insertInto('projectTeachers')
      .values(options.teacherIds.map((userId) => ({ projectId: project.id, userId })))
      .execute();
  if (options.groupIds?.length)
    await db
      .insertInto('projectGroups')
      .values(options.groupIds.map((groupId) => ({ projectId: project.id, groupId })))
      .execute();
  return { ...project, phaseId: phase.id, goalId: goal.id };
}

/** An artefact written straight to the database; with `mediaKey`, one image media item pointing at that blob. */
export async function makeArtefact(
  db: Db,
  options: {
    ownerId: string;
    visibility?: 'private' | 'guardians';
    status?: 'draft' | 'ready';
    projectId?: string | null;
    title?: string;
    mediaKey?: string;
    deleted?: boolean;
  },
) {
  const artefact = await db
    .insertInto('artefacts')
    .values({
      ownerId: options.ownerId,
      projectId: options.projectId ?? null,
      kind: options.mediaKey ? 'image' : 'text',
      title: options.title ?? `Työ ${unique()}`,
      bodyHtml: '<p>Havaintoja</p>',
      links: '[]',
      status: options.status ?? 'draft',
      readyAt: options.status === 'ready' ? new Date() : null,
      visibility: options.visibility ?? 'private',
      deletedAt: options.deleted ? new Date() : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  let mediaId: string | null = null;
  if (options.mediaKey) {
    mediaId = randomUUID();
    await db
      .insertInto('mediaItems')
      .values({
        id: mediaId,
        artefactId: artefact.id,
        ownerId: options.ownerId,
        kind: 'image',
        mime: 'image/png',
        sha256: '0'.repeat(64),
        size: 1,
        originalName: 'kuva.png',
        variants: JSON.stringify({ original: options.mediaKey, thumb: options.mediaKey }),
        position: 0,
      })
      .execute();
  }
  return { ...artefact, mediaId };
}

export async function makeFeedback(db: Db, artefactId: string, authorId: string, body = 'Hienoa työtä!') {
  return db.insertInto('feedback').values({ artefactId, authorId, parentId: null, body }).returningAll().executeTakeFirstOrThrow();
}
