import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle, type Db } from '../../server/db/database.ts';
import { migrate } from '../../server/db/migrate.ts';
import { DEMO_PASSWORD, seedDemoSchool } from '../../server/seed/demo-school.ts';
import { startTestApp } from '../helpers/test-app.ts';

/**
 * The demo school has fixed usernames, so it gets a database of its own: a fresh in-memory
 * PGlite, whichever database the rest of the run uses.
 */
async function freshDatabase(): Promise<DatabaseHandle> {
  const database = await openDatabase({ kind: 'pglite', dir: null });
  await migrate(database.db);
  return database;
}

async function counts(db: Db) {
  const count = async (table: 'schools' | 'groups' | 'users' | 'schoolRoles' | 'memberships' | 'guardianLinks') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    schools: await count('schools'),
    groups: await count('groups'),
    users: await count('users'),
    schoolRoles: await count('schoolRoles'),
    memberships: await count('memberships'),
    guardianLinks: await count('guardianLinks'),
  };
}

async function usernamesWithRole(db: Db, role: 'pupil' | 'teacher' | 'guardian' | 'admin') {
  const rows = await db
    .selectFrom('schoolRoles')
    .innerJoin('users', 'users.id', 'schoolRoles.userId')
    .select('users.username')
    .where('schoolRoles.role', '=', role)
    .execute();
  return rows.map((r) => r.username);
}

let database: DatabaseHandle;
beforeAll(async () => {
  database = await freshDatabase();
});
afterAll(async () => database?.close());

describe('demo school seed', () => {
  it('creates one school with its groups, teachers, pupils, guardians and admin', async () => {
    expect(await seedDemoSchool(database.db)).toEqual({ created: true });
    const db = database.db;
    const schools = await db.selectFrom('schools').select(['id', 'name']).execute();
    expect(schools).toHaveLength(1);
    const groups = await db.selectFrom('groups').select(['name', 'schoolId']).orderBy('name').execute();
    expect(groups.map((g) => g.name)).toEqual(['5A', '5B']);
    expect(groups.every((g) => g.schoolId === schools[0]?.id)).toBe(true);

    expect(await usernamesWithRole(db, 'teacher')).toHaveLength(2);
    expect(await usernamesWithRole(db, 'teacher')).toContain('demo.teacher');
    const pupils = await usernamesWithRole(db, 'pupil');
    expect(pupils.length).toBeGreaterThanOrEqual(6);
    expect(pupils).toContain('demo.pupil');
    const guardians = await usernamesWithRole(db, 'guardian');
    expect(guardians).toHaveLength(3);
    expect(guardians).toContain('demo.guardian');
    expect(await usernamesWithRole(db, 'admin')).toEqual(['demo.admin']);

    const link = await db
      .selectFrom('guardianLinks')
      .innerJoin('users as g', 'g.id', 'guardianLinks.guardianId')
      .innerJoin('users as p', 'p.id', 'guardianLinks.pupilId')
      .select(['p.username as pupil'])
      .where('g.username', '=', 'demo.guardian')
      .execute();
    expect(link).toEqual([{ pupil: 'demo.pupil' }]);

    // Every pupil is in a group and every group has a teacher, so the demo shows something on each page.
    const members = await db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.userId')
      .select(['users.username', 'memberships.role', 'memberships.groupId'])
      .execute();
    for (const pupil of pupils)
      expect(
        members.some((m) => m.username === pupil && m.role === 'pupil'),
        pupil,
      ).toBe(true);
    const groupIds = await db.selectFrom('groups').select('id').execute();
    for (const { id } of groupIds) expect(members.some((m) => m.groupId === id && m.role === 'teacher')).toBe(true);
  });

  it('creates nothing new when run again', async () => {
    // Seeds on its own if the previous test did not run first.
    await seedDemoSchool(database.db);
    const before = await counts(database.db);
    expect(before.users).toBeGreaterThan(0);
    expect(await seedDemoSchool(database.db)).toEqual({ created: false });
    expect(await counts(database.db)).toEqual(before);
  });
});

describe('demo mode', () => {
  it('lets the demo accounts sign in with the demo password only while demo mode is on', async () => {
    await seedDemoSchool(database.db);
    const demo = await startTestApp({ database, env: { DEMO: 'true' } });
    try {
      expect(demo.polku.demoSeeded).toBe(false); // there already
      const res = await demo.client().post('/api/auth/login', { username: 'demo.pupil', password: DEMO_PASSWORD });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ user: { username: 'demo.pupil' }, roles: [{ role: 'pupil' }] });
      expect((await demo.client().post('/api/auth/login', { username: 'demo.pupil', password: 'not-the-demo-password' })).status).toBe(401);
    } finally {
      await demo.close();
    }

    const normal = await startTestApp({ database, env: { DEMO: 'false' } });
    try {
      for (const username of ['demo.pupil', 'demo.admin']) {
        const res = await normal.client().post('/api/auth/login', { username, password: DEMO_PASSWORD });
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ error: { code: 'invalid_credentials' } });
      }
    } finally {
      await normal.close();
    }
    expect(await counts(database.db)).toMatchObject({ schools: 1 });
  });

  it('seeds an empty database when an app starts in demo mode, and not otherwise', async () => {
    const empty = await freshDatabase();
    try {
      const off = await startTestApp({ database: empty, env: { DEMO: 'false' } });
      await off.close();
      expect((await counts(empty.db)).users).toBe(0);

      const on = await startTestApp({ database: empty, env: { DEMO: 'true' } });
      try {
        expect(on.polku.demoSeeded).toBe(true);
        const teacher = await on.client().post('/api/auth/login', { username: 'demo.teacher', password: DEMO_PASSWORD });
        expect(teacher.status).toBe(200);
        // Issue 10 §8: goals with success criteria, self-assessments over several weeks, a teacher level,
        // and a request to revise answered by a later version.
        const goals = await empty.db.selectFrom('projectGoals').select(['id', 'successCriteria']).orderBy('position').execute();
        expect(goals[0]?.successCriteria.length).toBeGreaterThanOrEqual(2);
        const assessed = await empty.db
          .selectFrom('goalAssessments')
          .select(['kind', 'createdAt', 'sharedWithGuardians', 'reflection'])
          .where('goalId', '=', goals[0]?.id ?? '')
          .orderBy('createdAt')
          .execute();
        expect(assessed.filter((a) => a.kind === 'self').length).toBeGreaterThanOrEqual(3);
        expect(assessed.filter((a) => a.kind === 'teacher')).toHaveLength(1);
        const days = (assessed.at(-1)?.createdAt.getTime() ?? 0) - (assessed[0]?.createdAt.getTime() ?? 0);
        expect(days).toBeGreaterThanOrEqual(14 * 24 * 3600 * 1000);
        expect(assessed.some((a) => a.sharedWithGuardians) && assessed.some((a) => a.kind === 'self' && !a.sharedWithGuardians)).toBe(true);
        const revised = await empty.db.selectFrom('feedback').select(['revise', 'answeredVersion', 'goalIds']).where('revise', '=', true).execute();
        expect(revised).toHaveLength(1);
        expect(revised[0]?.answeredVersion).toBeGreaterThanOrEqual(2);
        expect(revised[0]?.goalIds).toEqual([goals[1]?.id]);
        // Issue 10 §3: one region-anchored and one voice message from the teacher.
        const marked = await empty.db.selectFrom('feedback').select(['anchor', 'voice']).execute();
        expect(marked.filter((f) => f.anchor?.kind === 'region')).toHaveLength(1);
        expect(marked.filter((f) => f.voice !== null).map((f) => f.voice?.mime.startsWith('audio/'))).toEqual([true]);
      } finally {
        await on.close();
      }
    } finally {
      await empty.close();
    }
    // Two app starts on a fresh PGlite: slow on a busy machine.
  }, 90_000);
});
