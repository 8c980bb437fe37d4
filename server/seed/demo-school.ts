import { hashPassword } from '../auth/password.ts';
import type { Db } from '../db/database.ts';
import type { GroupRole, SchoolRole } from '../../shared/roles.ts';

/** Known to everyone who reads the README: it works only while demo mode is on. */
export const DEMO_PASSWORD = 'polku-demo';
export const DEMO_USERNAMES = ['demo.pupil', 'demo.teacher', 'demo.guardian', 'demo.admin'] as const;

interface DemoUser {
  username: string;
  displayName: string;
  role: SchoolRole;
  groups?: Array<[group: string, role: GroupRole]>;
  guardianOf?: string[];
}

const SCHOOL = { name: 'Kuusikon koulu', code: '99901' };
const GROUPS = [
  { name: '5A', schoolYear: '2026-2027' },
  { name: '5B', schoolYear: '2026-2027' },
];
const USERS: DemoUser[] = [
  { username: 'demo.admin', displayName: 'Pekka Rehtori', role: 'admin' },
  {
    username: 'demo.teacher',
    displayName: 'Anna Virtanen',
    role: 'teacher',
    groups: [
      ['5A', 'teacher'],
      ['5B', 'teacher'],
    ],
  },
  { username: 'mikko.korhonen', displayName: 'Mikko Korhonen', role: 'teacher', groups: [['5B', 'teacher']] },
  { username: 'demo.pupil', displayName: 'Aino Mäkinen', role: 'pupil', groups: [['5A', 'pupil']] },
  { username: 'eetu.nieminen', displayName: 'Eetu Nieminen', role: 'pupil', groups: [['5A', 'pupil']] },
  { username: 'helmi.laine', displayName: 'Helmi Laine', role: 'pupil', groups: [['5A', 'pupil']] },
  { username: 'onni.heikkinen', displayName: 'Onni Heikkinen', role: 'pupil', groups: [['5B', 'pupil']] },
  { username: 'venla.koskinen', displayName: 'Venla Koskinen', role: 'pupil', groups: [['5B', 'pupil']] },
  { username: 'leo.jarvinen', displayName: 'Leo Järvinen', role: 'pupil', groups: [['5B', 'pupil']] },
  { username: 'siiri.lehtonen', displayName: 'Siiri Lehtonen', role: 'pupil', groups: [['5A', 'pupil']] },
  { username: 'demo.guardian', displayName: 'Sanna Mäkinen', role: 'guardian', guardianOf: ['demo.pupil'] },
  { username: 'juha.nieminen', displayName: 'Juha Nieminen', role: 'guardian', guardianOf: ['eetu.nieminen'] },
  { username: 'liisa.heikkinen', displayName: 'Liisa Heikkinen', role: 'guardian', guardianOf: ['onni.heikkinen'] },
];

/**
 * Creates the demo school unless it is there already (by the demo admin's username), in one
 * transaction: a half-seeded demo never appears.
 */
export async function seedDemoSchool(db: Db): Promise<{ created: boolean }> {
  const existing = await db.selectFrom('users').select('id').where('username', '=', 'demo.admin').executeTakeFirst();
  if (existing) return { created: false };
  // One hash for all demo accounts: they share the published password anyway.
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  await db.transaction().execute(async (trx) => {
    const school = await trx.insertInto('schools').values(SCHOOL).returning('id').executeTakeFirstOrThrow();
    const groupIds = new Map<string, string>();
    for (const group of GROUPS) {
      const row = await trx
        .insertInto('groups')
        .values({ schoolId: school.id, ...group })
        .returning('id')
        .executeTakeFirstOrThrow();
      groupIds.set(group.name, row.id);
    }
    const users = await trx
      .insertInto('users')
      .values(USERS.map((u) => ({ username: u.username, displayName: u.displayName, passwordHash, locale: null })))
      .returning(['id', 'username'])
      .execute();
    const userIds = new Map(users.map((u) => [u.username, u.id]));
    const id = (username: string) => userIds.get(username) ?? '';
    // Issue 12 §4: the demo pupil's age is known (a fifth-grader), so the school's minimum age for secret links applies to her.
    await trx.updateTable('users').set({ birthDate: '2015-03-01' }).where('id', '=', id('demo.pupil')).execute();

    await trx
      .insertInto('schoolRoles')
      .values(USERS.map((u) => ({ schoolId: school.id, userId: id(u.username), role: u.role })))
      .execute();
    const memberships = USERS.flatMap((u) => (u.groups ?? []).map(([group, role]) => ({ groupId: groupIds.get(group) ?? '', userId: id(u.username), role })));
    await trx.insertInto('memberships').values(memberships).execute();
    const links = USERS.flatMap((u) => (u.guardianOf ?? []).map((pupil) => ({ guardianId: id(u.username), pupilId: id(pupil) })));
    await trx.insertInto('guardianLinks').values(links).execute();
  });
  return { created: true };
}
