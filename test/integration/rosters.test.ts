import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterImport } from '../../shared/api/rosters.ts';
import { DEFAULT_ROSTER_LIMITS, RosterRejected } from '../../server/modules/rosters/roster-csv.ts';
import { previewRoster } from '../../server/modules/rosters/rosters.service.ts';
import { makeArtefact, makeSchool, makeUser } from '../helpers/factories.ts';
import { rawUpload, watchFolder } from '../helpers/raw-upload.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { bigSpec, csv, oneRosterFiles, sdsFiles, zipOf, type RosterSpec } from '../fixtures/rosters/make-roster.ts';

/**
 * Issue 11 §2: roster import, from the upload through the preview diff to the applied report, in both
 * formats; a re-import changes nothing; next year's roster moves and deactivates, keeping portfolios;
 * hostile files are refused with a sentence and change nothing.
 */
let app: TestApp;
let dir: string;
let n = 0;

beforeAll(async () => {
  app = await startTestApp();
  dir = await mkdtemp(path.join(tmpdir(), 'polku-rosters-'));
});
afterAll(async () => {
  await app?.close();
  await rm(dir, { recursive: true, force: true });
});

async function schoolWithAdmin(code: string) {
  const school = await makeSchool(app.database.db);
  await app.database.db.updateTable('schools').set({ code }).where('id', '=', school.id).execute();
  const admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
  return { school: { id: school.id, code, name: school.name }, admin, client: await app.as(admin.username) };
}

const uniqueCode = () => `9${String(Date.now() % 1e6).padStart(6, '0')}${++n}`;

function spec(code: string, year = '2027'): RosterSpec {
  return {
    // SDS orgs have no identifier column: the school's code is its sourcedId there.
    school: { sourcedId: code, name: 'Mäntylän koulu', identifier: code },
    other: { sourcedId: `x${code}`, name: 'Toinen koulu', identifier: `x${code}` },
    classes: [
      { id: `k1-${code}`, title: '3A', year },
      { id: `k2-${code}`, title: '3B', year },
      { id: `kx-${code}`, title: '9C', year, school: 'other' },
    ],
    pupils: [
      {
        id: `p1-${code}`,
        given: 'Aino',
        family: 'Mäkelä',
        classes: [`k1-${code}`],
        guardians: [`g1-${code}`],
        birthDate: '2017-03-04',
        learnerId: `1.2.246.562.24.${code}1`,
      },
      { id: `p2-${code}`, given: 'Eero', family: 'Öhman', classes: [`k1-${code}`], guardians: [`g1-${code}`] },
      { id: `p3-${code}`, given: 'Saga', family: 'Lindqvist', classes: [`k2-${code}`], guardians: [`g2-${code}`] },
      { id: `p4-${code}`, given: 'Other', family: 'School', classes: [`kx-${code}`], school: 'other' },
    ],
    teachers: [
      { id: `t1-${code}`, given: 'Tiina', family: 'Opettaja', classes: [`k1-${code}`, `k2-${code}`], email: `tiina.${code}@koulu.example` },
      { id: `a1-${code}`, given: 'Rehtori', family: 'Rehtorinen', classes: [], role: 'administrator' },
    ],
    guardians: [
      { id: `g1-${code}`, given: 'Maija', family: 'Mäkelä', email: `maija.${code}@koti.example` },
      { id: `g2-${code}`, given: 'Erik', family: 'Lindqvist' },
    ],
  };
}

async function upload(client: TestClient, schoolId: string, bytes: Buffer, name = 'roster.zip') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  return client.request<RosterImport & { error?: { code: string; reason?: string; message: string } }>('POST', `/api/schools/${schoolId}/roster-imports`, form);
}

async function applyAndWait(client: TestClient, id: string): Promise<RosterImport> {
  const started = await client.post<RosterImport>(`/api/roster-imports/${id}/apply`);
  expect(started.status).toBe(202);
  await app.polku.maintenance.rosterJobs();
  const done = await client.get<RosterImport>(`/api/roster-imports/${id}`);
  expect(done.body.status).toBe('done');
  return done.body;
}

async function rosteredUsers(schoolId: string) {
  return app.database.db
    .selectFrom('users')
    .innerJoin('schoolRoles', 'schoolRoles.userId', 'users.id')
    .select(['users.id', 'users.username', 'users.displayName', 'users.passwordHash', 'users.active', 'users.email', 'schoolRoles.role'])
    .where('schoolRoles.schoolId', '=', schoolId)
    .where('schoolRoles.role', '!=', 'admin')
    .orderBy('users.displayName')
    .execute();
}

async function snapshot(schoolId: string) {
  const db = app.database.db;
  const users = await rosteredUsers(schoolId);
  const ids = users.map((u) => u.id);
  const groups = await db.selectFrom('groups').select(['id', 'name', 'schoolYear']).where('schoolId', '=', schoolId).orderBy('name').execute();
  const memberships = ids.length
    ? await db.selectFrom('memberships').select(['groupId', 'userId', 'role']).where('userId', 'in', ids).orderBy('groupId').orderBy('userId').execute()
    : [];
  const links = ids.length
    ? await db.selectFrom('guardianLinks').select(['guardianId', 'pupilId']).where('pupilId', 'in', ids).orderBy('guardianId').orderBy('pupilId').execute()
    : [];
  const imports = await db
    .withTables<{ rosterImports: { schoolId: string; id: string } }>()
    .selectFrom('rosterImports')
    .select('id')
    .where('schoolId', '=', schoolId)
    .execute();
  return { users, groups, memberships, links, imports: imports.length };
}

describe('OneRoster 1.2', () => {
  it('previews a diff, applies it in the background with a report, and a re-import changes nothing', async () => {
    const code = uniqueCode();
    const { school, client } = await schoolWithAdmin(code);
    const res = await upload(client, school.id, zipOf(oneRosterFiles(spec(code))));
    expect(res.status).toBe(201);
    const p = res.body.preview;
    expect(p.format).toBe('oneroster');
    expect(p.counts).toEqual({
      users: { create: 6, update: 0, deactivate: 0, unchanged: 0 },
      groups: { create: 2, update: 0, unchanged: 0 },
      memberships: { create: 5, remove: 0 },
      guardianLinks: { create: 3, remove: 0 },
      unusable: 1,
      otherSchools: 1,
    });
    // The administrator is reported, never imported as an admin.
    expect(p.unusable).toEqual([expect.objectContaining({ file: 'users.csv', code: 'role_not_imported', params: { role: 'administrator' } })]);
    // The preview wrote nothing.
    expect((await rosteredUsers(school.id)).length).toBe(0);

    const done = await applyAndWait(client, res.body.id);
    expect(done.report).toEqual(p.counts);
    const users = await rosteredUsers(school.id);
    expect(users.map((u) => [u.displayName, u.role])).toEqual([
      ['Aino Mäkelä', 'pupil'],
      ['Eero Öhman', 'pupil'],
      ['Erik Lindqvist', 'guardian'],
      ['Maija Mäkelä', 'guardian'],
      ['Saga Lindqvist', 'pupil'],
      ['Tiina Opettaja', 'teacher'],
    ]);
    // No passwords: they sign in by SSO, or an admin sets one. Pupils' e-mail is not kept.
    expect(users.every((u) => u.passwordHash === null && u.active)).toBe(true);
    expect(users.find((u) => u.displayName === 'Aino Mäkelä')!.email).toBeNull();
    expect(users.find((u) => u.displayName === 'Tiina Opettaja')!.email).toBe(`tiina.${code}@koulu.example`);
    expect(users.find((u) => u.displayName === 'Aino Mäkelä')!.username).toBe(`aino.makela@${code}.koulu.example`);
    // The roster's stable ids, for SSO to meet.
    const aino = users.find((u) => u.displayName === 'Aino Mäkelä')!;
    const keys = await app.database.db
      .withTables<{ rosterKeys: { schoolId: string; kind: string; value: string; userId: string } }>()
      .selectFrom('rosterKeys')
      .select(['kind', 'value'])
      .where('userId', '=', aino.id)
      .orderBy('kind')
      .execute();
    expect(keys).toEqual([
      { kind: 'learner_id', value: `1.2.246.562.24.${code}1` },
      { kind: 'sourced_id', value: `p1-${code}` },
      { kind: 'username', value: `aino.makela@${code}.koulu.example` },
    ]);
    const birth = await app.database.db
      .withTables<{ users: { birthDate: unknown } }>()
      .selectFrom('users')
      .select('birthDate')
      .where('id', '=', aino.id)
      .executeTakeFirstOrThrow();
    const birthDate: unknown = birth.birthDate;
    expect(String(birthDate instanceof Date ? birthDate.toISOString() : birthDate)).toMatch(/^2017-03-0[34]/);
    const before = await snapshot(school.id);
    expect(before.groups.map((g) => [g.name, g.schoolYear])).toEqual([
      ['3A', '2026-2027'],
      ['3B', '2026-2027'],
    ]);
    expect(before.links.length).toBe(3);

    // The same roster again: nothing to do, nothing done.
    const again = await upload(client, school.id, zipOf(oneRosterFiles(spec(code))));
    expect(again.body.preview.counts).toMatchObject({
      users: { create: 0, update: 0, deactivate: 0, unchanged: 6 },
      groups: { create: 0, update: 0, unchanged: 2 },
      memberships: { create: 0, remove: 0 },
      guardianLinks: { create: 0, remove: 0 },
    });
    await applyAndWait(client, again.body.id);
    const after = await snapshot(school.id);
    expect({ ...after, imports: 0 }).toEqual({ ...before, imports: 0 });
  });

  it("next year's roster moves pupils to new groups, deactivates those who left, and keeps their portfolios", async () => {
    const code = uniqueCode();
    const { school, client } = await schoolWithAdmin(code);
    const first = await upload(client, school.id, zipOf(oneRosterFiles(spec(code, '2027'))));
    await applyAndWait(client, first.body.id);
    const saga = (await rosteredUsers(school.id)).find((u) => u.displayName === 'Saga Lindqvist')!;
    const artefact = await makeArtefact(app.database.db, { ownerId: saga.id });

    // Next year: 3A and 3B become 4A (new class ids), Saga has left.
    const next = spec(code, '2028');
    next.classes = [{ id: `k4-${code}`, title: '4A', year: '2028' }];
    next.pupils = next.pupils.filter((p) => p.given !== 'Saga' && p.given !== 'Other').map((p) => ({ ...p, classes: [`k4-${code}`] }));
    next.teachers = [{ ...next.teachers[0]!, classes: [`k4-${code}`] }];
    next.guardians = next.guardians.filter((g) => g.given !== 'Erik');
    const res = await upload(client, school.id, zipOf(oneRosterFiles(next)));
    expect(res.body.preview.counts).toMatchObject({
      users: { create: 0, deactivate: 2 },
      groups: { create: 1 },
      // 3A: Aino, Eero and Tiina; 3B: Tiina. Saga, who left, keeps her old group.
      memberships: { create: 3, remove: 4 },
    });
    expect(
      res.body.preview.users
        .filter((u) => u.action === 'deactivate')
        .map((u) => u.displayName)
        .sort(),
    ).toEqual(['Erik Lindqvist', 'Saga Lindqvist']);
    await applyAndWait(client, res.body.id);

    const users = await rosteredUsers(school.id);
    expect(
      users
        .filter((u) => !u.active)
        .map((u) => u.displayName)
        .sort(),
    ).toEqual(['Erik Lindqvist', 'Saga Lindqvist']);
    const groups = await app.database.db.selectFrom('groups').select(['id', 'name']).where('schoolId', '=', school.id).execute();
    const g4 = groups.find((g) => g.name === '4A')!;
    const aino = users.find((u) => u.displayName === 'Aino Mäkelä')!;
    const ainoGroups = await app.database.db.selectFrom('memberships').select('groupId').where('userId', '=', aino.id).execute();
    expect(ainoGroups.map((m) => m.groupId)).toEqual([g4.id]);
    // Deactivated, not deleted: the portfolio is still there.
    expect(await app.database.db.selectFrom('artefacts').select('id').where('id', '=', artefact.id).executeTakeFirst()).toBeDefined();
    expect(await app.database.db.selectFrom('users').select('id').where('id', '=', saga.id).executeTakeFirst()).toBeDefined();
  });
});

describe('Microsoft SDS v2.1', () => {
  it('imports users, classes, enrollments, guardian relationships and birth dates', async () => {
    const code = uniqueCode();
    const { school, client } = await schoolWithAdmin(code);
    const res = await upload(client, school.id, zipOf(sdsFiles(spec(code))));
    expect(res.status).toBe(201);
    expect(res.body.preview.format).toBe('sds');
    expect(res.body.preview.counts).toEqual({
      users: { create: 6, update: 0, deactivate: 0, unchanged: 0 },
      groups: { create: 2, update: 0, unchanged: 0 },
      memberships: { create: 5, remove: 0 },
      guardianLinks: { create: 3, remove: 0 },
      unusable: 1,
      otherSchools: 1,
    });
    await applyAndWait(client, res.body.id);
    const snap = await snapshot(school.id);
    expect(snap.users.map((u) => u.role).sort()).toEqual(['guardian', 'guardian', 'pupil', 'pupil', 'pupil', 'teacher']);
    expect(snap.links.length).toBe(3);
    const again = await upload(client, school.id, zipOf(sdsFiles(spec(code))));
    expect(again.body.preview.counts.users).toEqual({ create: 0, update: 0, deactivate: 0, unchanged: 6 });
  });
});

describe('hostile and broken rosters', () => {
  const limits = DEFAULT_ROSTER_LIMITS;
  const school = { id: '00000000-0000-4000-8000-000000000000', code: '99999' };
  async function preview(files: Record<string, string | Buffer | null>) {
    const file = path.join(dir, `r${++n}.zip`);
    await writeFile(file, zipOf(files));
    return previewRoster(app.database.db, file, school, limits);
  }
  async function rejected(files: Record<string, string | Buffer | null>): Promise<RosterRejected> {
    const err = await preview(files).then(
      () => null,
      (e: unknown) => e,
    );
    if (!(err instanceof RosterRejected)) throw new Error(`expected RosterRejected, got ${String(err)}`);
    return err;
  }
  const base = () => oneRosterFiles(spec('99999'));

  it('decodes Windows-1252 with ä and ö, and a UTF-8 BOM', async () => {
    const files = base();
    files['users.csv'] = Buffer.from(String(files['users.csv']), 'latin1');
    const latin = await preview(files);
    expect(latin.roster.users.map((u) => u.displayName)).toContain('Aino Mäkelä');
    expect(latin.roster.users.map((u) => u.displayName)).toContain('Eero Öhman');
    const bom = base();
    bom['users.csv'] = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(String(bom['users.csv']))]);
    expect((await preview(bom)).preview.counts.users.create).toBe(6);
  });

  it('reads quoted newlines and keeps formula cells as plain text', async () => {
    const files = base();
    files['users.csv'] = String(files['users.csv']).replace('Aino,', '"Aino\nMaria",').replace('Eero,', '"=HYPERLINK(""http://evil.example"",""x"")",');
    const { roster } = await preview(files);
    expect(roster.users.map((u) => u.displayName)).toContain('Aino Maria Mäkelä');
    expect(roster.users.map((u) => u.displayName)).toContain('=HYPERLINK("http://evil.example","x") Öhman');
  });

  it('refuses a roster of more rows than the cap, with a sentence', async () => {
    const rows = [['sourcedId', 'orgSourcedIds', 'role', 'givenName', 'familyName']];
    for (let i = 0; i < 100_000; i++) rows.push([`u${i}`, '99999', 'student', 'A', 'B']);
    const err = await rejected({ ...base(), 'users.csv': csv(rows) });
    expect([err.code, err.message]).toEqual(['too_many_rows', 'users.csv has more than 50000 rows. Export one school at a time.']);
  });

  it('refuses missing columns, missing files, duplicate ids, and files that are no roster', async () => {
    const noName = base();
    noName['users.csv'] = String(noName['users.csv']).replace('givenName', 'etunimi');
    expect((await rejected(noName)).message).toBe('users.csv lacks the column(s) givenName.');
    expect((await rejected({ ...base(), 'enrollments.csv': null })).code).toBe('missing_file');
    const dup = base();
    dup['users.csv'] = String(dup['users.csv']).replace('t1-99999', 'p1-99999');
    const d = await rejected(dup);
    expect([d.code, d.params.id]).toEqual(['duplicate_id', 'p1-99999']);
    expect((await rejected({ 'readme.txt': 'hello' })).code).toBe('unknown_format');
    const notZip = path.join(dir, 'not.zip');
    await writeFile(notZip, 'sourcedId,name\n1,x\n');
    const err = await previewRoster(app.database.db, notZip, school, limits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RosterRejected);
    expect((err as RosterRejected).code).toBe('not_zip');
    const binary = base();
    binary['users.csv'] = Buffer.from([0x73, 0x6f, 0x00, 0x01, 0x02]);
    expect((await rejected(binary)).code).toBe('bad_encoding');
  });

  it('leaves out a pupil listed in two schools, with the reason, and imports the rest', async () => {
    const s = spec('99999');
    s.pupils[0] = { ...s.pupils[0]!, school: 'both' };
    const { preview: p } = await preview(oneRosterFiles(s));
    expect(p.unusable.map((u) => u.code)).toContain('two_schools');
    expect(p.unusable.find((u) => u.code === 'two_schools')!.message).toBe(
      'The pupil is listed in two schools (Mäntylän koulu, Toinen koulu); a pupil can be in one school only.',
    );
    expect(p.counts.users.create).toBe(5);
  });

  it('answers 422 over HTTP with the reason, and writes nothing', async () => {
    const code = uniqueCode();
    const { school: s, client } = await schoolWithAdmin(code);
    const before = await snapshot(s.id);
    const dup = oneRosterFiles(spec(code));
    dup['users.csv'] = String(dup['users.csv']).replace(`t1-${code}`, `p1-${code}`);
    const res = await upload(client, s.id, zipOf(dup));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'import_rejected', reason: 'duplicate_id' });
    expect(await snapshot(s.id)).toEqual(before);
  });
});

describe('who may import', () => {
  it("turns a teacher and another school's admin away before the body is read, and nothing lands on disk", async () => {
    const code = uniqueCode();
    const { school } = await schoolWithAdmin(code);
    const teacher = await makeUser(app.database.db, { role: 'teacher', schoolId: school.id });
    const other = await schoolWithAdmin(uniqueCode());
    const tmp = await watchFolder(app.config.media.tmpDir);
    try {
      for (const [cookie, status] of [
        [(await app.as(teacher.username)).cookieHeader, 403],
        [other.client.cookieHeader, 404],
      ] as const) {
        const res = await rawUpload(app.url, {
          path: `/api/schools/${school.id}/roster-imports`,
          cookie,
          fileField: 'file',
          fileName: 'r.zip',
          fileBytes: 64 * 1024 * 1024,
          sendBytes: 256 * 1024,
        });
        expect(res.status).toBe(status);
      }
      expect([...tmp.seen]).toEqual([]);
      expect(await readdir(app.config.media.tmpDir).catch(() => [])).toEqual([]);
    } finally {
      tmp.close();
    }
  });

  it('lets only admins of the school see, apply or discard an import', async () => {
    const code = uniqueCode();
    const { school, client } = await schoolWithAdmin(code);
    const res = await upload(client, school.id, zipOf(oneRosterFiles(spec(code))));
    const other = await schoolWithAdmin(uniqueCode());
    expect((await other.client.get(`/api/roster-imports/${res.body.id}`)).status).toBe(404);
    expect((await other.client.post(`/api/roster-imports/${res.body.id}/apply`)).status).toBe(404);
    expect((await other.client.delete(`/api/roster-imports/${res.body.id}`)).status).toBe(404);
    expect((await client.delete(`/api/roster-imports/${res.body.id}`)).status).toBe(200);
    expect((await client.get(`/api/roster-imports/${res.body.id}`)).status).toBe(404);
  });
});

describe('a large roster', () => {
  it('imports 1,000 pupils with guardians in one apply', async () => {
    const code = uniqueCode();
    const { school, client } = await schoolWithAdmin(code);
    const s = bigSpec(1000);
    s.school.identifier = code;
    const res = await upload(client, school.id, zipOf(oneRosterFiles(s)));
    expect(res.body.preview.counts.users.create).toBe(2050);
    expect(res.body.preview.users.length).toBe(500);
    const done = await applyAndWait(client, res.body.id);
    expect(done.report?.guardianLinks.create).toBe(1000);
  });
});

describe('usernames of new accounts', () => {
  it('number a taken name past every taken number, for many pupils of one name, without matching anyone by name', async () => {
    const code = uniqueCode();
    const { school, client } = await schoolWithAdmin(code);
    const base = `kalle.kaiku${code}@${code}.koulu.example`;
    const elsewhere = await makeSchool(app.database.db);
    for (const username of [base, `${base}2`, `${base}10`]) await makeUser(app.database.db, { role: 'pupil', schoolId: elsewhere.id, username });
    const twins = [1, 2, 3].map((i) => ({ id: `kk${i}-${code}`, given: 'Kalle', family: `Kaiku${code}`, classes: [`k-${code}`] }));
    const files = oneRosterFiles({
      school: { sourcedId: code, name: 'Kaikulan koulu', identifier: code },
      classes: [{ id: `k-${code}`, title: '1A', year: '2027' }],
      pupils: twins,
      teachers: [],
      guardians: [],
    });
    const res = await upload(client, school.id, zipOf(files));
    expect(res.status).toBe(201);
    await applyAndWait(client, res.body.id);
    const names = (await rosteredUsers(school.id)).map((u) => u.username).sort();
    expect(names).toEqual([`${base}3`, `${base}4`, `${base}5`]);
  });
});

describe('accounts another school also holds, and admins', () => {
  const keysOf = (userId: string) =>
    app.database.db
      .withTables<{ rosterKeys: { schoolId: string; kind: string; value: string; userId: string } }>()
      .selectFrom('rosterKeys')
      .select(['schoolId', 'kind', 'value'])
      .where('userId', '=', userId)
      .orderBy('kind')
      .execute();

  it("are not this roster's to change: e-mail, name, sign-in keys and state stay; an admin is never deactivated", async () => {
    const code = uniqueCode();
    const { school, client } = await schoolWithAdmin(code);
    await applyAndWait(client, (await upload(client, school.id, zipOf(oneRosterFiles(spec(code))))).body.id);
    const before = await rosteredUsers(school.id);
    const maija = before.find((u) => u.displayName === 'Maija Mäkelä')!;
    const tiina = before.find((u) => u.displayName === 'Tiina Opettaja')!;
    // Maija accepted another school's invitation with the same account; Tiina became an admin here.
    const other = await makeSchool(app.database.db);
    await app.database.db.insertInto('schoolRoles').values({ schoolId: other.id, userId: maija.id, role: 'guardian' }).execute();
    await app.database.db.insertInto('schoolRoles').values({ schoolId: school.id, userId: tiina.id, role: 'admin' }).execute();
    const keysBefore = await keysOf(maija.id);

    // The next roster points Maija's e-mail and user name at someone else, and leaves Tiina out.
    const next = spec(code);
    next.guardians[0] = { id: `g1-${code}`, given: 'Mallory', family: 'Hijack', email: 'mallory@evil.example' };
    next.teachers = [];
    await applyAndWait(client, (await upload(client, school.id, zipOf(oneRosterFiles(next)))).body.id);

    const after = await app.database.db
      .selectFrom('users')
      .select(['id', 'displayName', 'email', 'active'])
      .where('id', 'in', [maija.id, tiina.id])
      .orderBy('displayName')
      .execute();
    expect(after).toEqual([
      { id: maija.id, displayName: 'Maija Mäkelä', email: maija.email, active: true },
      { id: tiina.id, displayName: 'Tiina Opettaja', email: tiina.email, active: true },
    ]);
    expect(await keysOf(maija.id)).toEqual(keysBefore);
  });
});
