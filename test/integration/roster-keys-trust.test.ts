import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterImport } from '../../shared/api/rosters.ts';
import { ssoDb } from '../../server/modules/sso/sso.repo.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { passThroughOp, startTestOp, type TestOp } from '../helpers/oidc-provider.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { oneRosterFiles, sdsFiles, zipOf, type RosterSpec } from '../fixtures/rosters/make-roster.ts';
import { buildZip } from '../fixtures/hostile/make-hostile.ts';
import { rawUpload } from '../helpers/raw-upload.ts';
import { ROSTER_MAX_UPLOAD_BYTES } from '../../server/modules/rosters/roster-csv.ts';

/**
 * One school's roster must not decide who another school's pupil is. School B's admin controls B's roster:
 * a learner id of school A's pupil planted on an account B holds must neither capture that pupil's first
 * MPASSid sign-in (the identity linked to B's account) nor make A's genuine match ambiguous (a denial). The
 * roster import refuses to write such a key; school sign-in looks only at the rosters of the schools the
 * claims name. Against a real OpenID Provider (oidc-provider), on PostgreSQL and PGlite.
 */
const run = randomBytes(4).toString('hex');
const digits = String(parseInt(run, 16) % 1e5).padStart(5, '0');
const CODE_A = `7${digits}`;
const CODE_B = `8${digits}`;
const learner = (n: number) => `1.2.246.562.24.${digits}${run}${n}`;
const acct = (name: string) => `${name}-${run}`;
/** A provider id of this file's own: schools' provider settings are per provider id, and test files share one PostgreSQL database. */
const PROVIDER = `mpass${run}`;
const P = `SSO_${PROVIDER.toUpperCase()}_`;
const namesSchool = (code: string) => ({ 'urn:mpass.id:role': [`1.2.246.562.10.1;${code};7B;Oppilas`] });

/** MPASSid accounts at the provider: the learner id and the school the role claim names (or none). */
const accounts: Record<string, Record<string, unknown>> = {
  [acct('imported-a')]: { name: 'Aino Aalto', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(1), ...namesSchool(CODE_A) },
  [acct('imported-nameless')]: { name: 'Aino Aalto', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(1) },
  [acct('both-named-a')]: { name: 'Bea Both', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(2), ...namesSchool(CODE_A) },
  [acct('only-b-named-a')]: { name: 'Cay Captured', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(3), ...namesSchool(CODE_A) },
  [acct('only-a-named-b')]: { name: 'Dan Elsewhere', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(4), ...namesSchool(CODE_B) },
  [acct('only-a-nameless')]: { name: 'Dan Elsewhere', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(4) },
  [acct('both-nameless')]: { name: 'Bea Both', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(2) },
};

let op: TestOp;
let app: TestApp;
const schools: Record<'a' | 'b', { id: string; admin: TestClient }> = {} as never;

beforeAll(async () => {
  op = await startTestOp();
  app = await startTestApp({
    env: {
      SSO_PROVIDERS: PROVIDER,
      [`${P}PRESET`]: 'mpassid',
      [`${P}ISSUER`]: op.issuer,
      [`${P}CLIENT_ID`]: 'polku-mpassid',
      [`${P}CLIENT_SECRET`]: `secret-${run}`,
    },
    loginLimits: { perAccount: 1000, perAddress: 1000, windowSeconds: 60 },
  });
  op.serve({
    accounts,
    clients: [{ client_id: 'polku-mpassid', client_secret: `secret-${run}`, redirect_uris: [`${app.url}/auth/sso/${PROVIDER}/callback`] }],
  });
  for (const [key, code] of [
    ['a', CODE_A],
    ['b', CODE_B],
  ] as const) {
    const school = await makeSchool(app.database.db);
    await app.database.db.updateTable('schools').set({ code }).where('id', '=', school.id).execute();
    const admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
    const client = await app.as(admin.username);
    // Both schools let in only people on their rosters.
    const res = await client.put(`/api/schools/${school.id}/sign-in`, { passwordSignIn: true, providers: [{ id: PROVIDER, mode: 'rostered' }] });
    expect(res.status).toBe(200);
    schools[key] = { id: school.id, admin: client };
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  await op?.close();
});

async function signIn(login: string) {
  const browser = app.client();
  const start = await browser.get(`/auth/sso/${PROVIDER}/start`);
  expect(start.status).toBe(303);
  const back = new URL(await passThroughOp(start.headers.get('location') ?? '', login));
  const res = await browser.get(back.pathname + back.search);
  return { browser, location: res.headers.get('location') };
}

async function signedInAs(login: string): Promise<string> {
  const { browser, location } = await signIn(login);
  expect(location).toBe('/');
  const me = await browser.get<{ user: { id: string } }>('/api/me');
  expect(me.status).toBe(200);
  return me.body.user.id;
}

async function refused(login: string, code: string) {
  const { browser, location } = await signIn(login);
  expect(location).toBe(`/sign-in?sso_error=${code}`);
  expect(browser.cookieHeader).not.toMatch(/polku\.sid=/);
  expect((await browser.get('/api/auth/session')).body).toEqual({ me: null });
  const identity = await ssoDb(app.database.db)
    .selectFrom('userIdentities')
    .select('userId')
    .where('issuer', '=', op.issuer)
    .where('subject', '=', login)
    .executeTakeFirst();
  expect(identity).toBeUndefined();
}

/** A pupil of a school with a learner id among the school's roster keys, as a roster import (or a planted row) leaves it. */
async function rosteredPupil(school: 'a' | 'b', learnerId: string) {
  const user = await makeUser(app.database.db, { role: 'pupil', schoolId: schools[school].id });
  await ssoDb(app.database.db)
    .insertInto('rosterKeys')
    .values({ schoolId: schools[school].id, kind: 'learner_id', value: learnerId, userId: user.id })
    .execute();
  return user;
}

async function sessionsOf(userId: string) {
  return (await app.database.db.selectFrom('sessions').select('sid').where('userId', '=', userId).execute()).length;
}

describe('school sign-in reads only the rosters of the schools the claims name', () => {
  it("hole: school B's roster planting school A's pupil's learner id does not capture the pupil's first sign-in", async () => {
    // A has not rostered this pupil yet; B's admin planted the learner id on an account B controls.
    const planted = await rosteredPupil('b', learner(3));
    await refused(acct('only-b-named-a'), 'unknown_user');
    expect(await sessionsOf(planted.id)).toBe(0);
  });

  it("hole: school B's planted copy does not make A's genuine match ambiguous: claims naming A match at A only", async () => {
    const genuine = await rosteredPupil('a', learner(2));
    const planted = await rosteredPupil('b', learner(2));
    expect(await signedInAs(acct('both-named-a'))).toBe(genuine.id);
    expect(await sessionsOf(planted.id)).toBe(0);
  });

  it('claims naming school B do not match a key only school A holds; claims naming no school match across schools', async () => {
    const pupil = await rosteredPupil('a', learner(4));
    await refused(acct('only-a-named-b'), 'unknown_user');
    expect(await signedInAs(acct('only-a-nameless'))).toBe(pupil.id);
  });

  it('claims naming no school: a learner id that two schools hold is refused as ambiguous, never guessed', async () => {
    // learner(2) is held at A and (planted) at B since the test above.
    await refused(acct('both-nameless'), 'ambiguous');
  });
});

function spec(code: string, pupil: { id: string; given: string; family: string; learnerId: string }, teacher: string): RosterSpec {
  return {
    school: { sourcedId: `org-${code}`, name: `Koulu ${code}`, identifier: code },
    classes: [{ id: `c-${code}`, title: '7B', year: '2027' }],
    pupils: [{ ...pupil, classes: [`c-${code}`] }],
    teachers: [{ id: `t-${code}`, given: teacher, family: `Opettaja${code}`, classes: [`c-${code}`] }],
    guardians: [],
  };
}

async function importRoster(school: 'a' | 'b', files: Record<string, string | Buffer>): Promise<RosterImport> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(zipOf(files))]), 'roster.zip');
  const res = await schools[school].admin.request<RosterImport>('POST', `/api/schools/${schools[school].id}/roster-imports`, form);
  expect(res.status).toBe(201);
  return res.body;
}

async function apply(school: 'a' | 'b', id: string): Promise<RosterImport> {
  const client = schools[school].admin;
  expect((await client.post(`/api/roster-imports/${id}/apply`)).status).toBe(202);
  await app.polku.maintenance.rosterJobs();
  const done = await client.get<RosterImport>(`/api/roster-imports/${id}`);
  expect(done.body.status).toBe('done');
  return done.body;
}

const learnerKeysAt = (schoolId: string, value: string) =>
  ssoDb(app.database.db)
    .selectFrom('rosterKeys')
    .select('userId')
    .where('schoolId', '=', schoolId)
    .where('kind', '=', 'learner_id')
    .where('value', '=', value)
    .execute();

describe("a roster import does not write a key another school's account holds", () => {
  it("hole: school B's roster naming school A's pupil's learner id: listed in the preview; A's pupil signs in to A's account, and claims naming no school guess neither", async () => {
    const a = await importRoster('a', oneRosterFiles(spec(CODE_A, { id: `pa-${run}`, given: 'Aino', family: `Aalto${run}`, learnerId: learner(1) }, 'Anna')));
    await apply('a', a.id);
    const [genuine] = await learnerKeysAt(schools.a.id, learner(1));
    expect(genuine).toBeDefined();

    const files = oneRosterFiles(spec(CODE_B, { id: `pb-${run}`, given: 'Mallory', family: `Mirror${run}`, learnerId: learner(1) }, 'Bert'));
    const b = await importRoster('b', files);
    // Mallory is imported (a pupil of B); the preview says her learner id is another school's too, on her users.csv line.
    expect(b.preview.counts.users.create).toBe(2);
    expect(b.preview.counts.unusable).toBe(1);
    expect(b.preview.unusable).toEqual([
      expect.objectContaining({
        file: 'users.csv',
        line: 2,
        code: 'learner_id_taken',
        params: { value: learner(1) },
        message: expect.stringContaining('another school'),
      }),
    ]);
    const done = await apply('b', b.id);
    expect(done.report).toEqual(b.preview.counts);
    // Written all the same (attack review 12): left out, the school whose roster came first would win a
    // sign-in naming no school, whichever school that was. Both copies make such a sign-in ambiguous instead.
    expect(await learnerKeysAt(schools.b.id, learner(1))).toHaveLength(1);
    // Her other keys are written as usual.
    const mallory = await app.database.db
      .selectFrom('users')
      .innerJoin('schoolRoles', 'schoolRoles.userId', 'users.id')
      .select('users.id')
      .where('schoolRoles.schoolId', '=', schools.b.id)
      .where('users.displayName', '=', `Mallory Mirror${run}`)
      .executeTakeFirstOrThrow();
    const keys = await ssoDb(app.database.db).selectFrom('rosterKeys').select(['kind']).where('userId', '=', mallory.id).orderBy('kind').execute();
    expect(keys.map((k) => k.kind)).toEqual(['learner_id', 'sourced_id', 'username']);

    // The same roster again changes nothing, and says the same.
    const again = await importRoster('b', files);
    expect(again.preview.counts).toMatchObject({ users: { create: 0, update: 0, deactivate: 0, unchanged: 2 }, unusable: 1 });
    expect(again.preview.unusable.map((p) => p.code)).toEqual(['learner_id_taken']);
    await apply('b', again.id);
    expect(await learnerKeysAt(schools.b.id, learner(1))).toHaveLength(1);

    // A's pupil signs in to A's account when the claims name the school; naming none, neither account is guessed.
    expect(await signedInAs(acct('imported-a'))).toBe(genuine!.userId);
    await refused(acct('imported-nameless'), 'ambiguous');
    expect(await sessionsOf(mallory.id)).toBe(0);
  });
});

describe('roster keys follow the roster', () => {
  it("a changed learner id replaces the old one (the user's other keys and other users' stay); the same roster again changes nothing", async () => {
    const code = `4${randomBytes(3).toString('hex')}`;
    const school = await makeSchool(app.database.db);
    await app.database.db.updateTable('schools').set({ code }).where('id', '=', school.id).execute();
    const admin = await app.as((await makeUser(app.database.db, { role: 'admin', schoolId: school.id })).username);
    const roster = (learnerId: string) => {
      const s = spec(code, { id: `p-${code}`, given: 'Kim', family: `Key${code}`, learnerId }, 'Kaija');
      s.pupils.push({ id: `p2-${code}`, given: 'Kai', family: `Kept${code}`, learnerId: `1.2.246.562.24.${code}7`, classes: [`c-${code}`] });
      return oneRosterFiles(s);
    };
    const keys = async () =>
      (
        await ssoDb(app.database.db)
          .selectFrom('rosterKeys')
          .innerJoin('users', 'users.id', 'rosterKeys.userId')
          .select(['users.displayName', 'rosterKeys.kind', 'rosterKeys.value'])
          .where('rosterKeys.schoolId', '=', school.id)
          .where('rosterKeys.kind', '=', 'learner_id')
          .orderBy('users.displayName')
          .execute()
      ).map((k) => `${k.displayName}:${k.value}`);
    const importAndApply = async (files: Record<string, string | Buffer>) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(zipOf(files))]), 'roster.zip');
      const res = await admin.request<RosterImport>('POST', `/api/schools/${school.id}/roster-imports`, form);
      expect(res.status).toBe(201);
      expect((await admin.post(`/api/roster-imports/${res.body.id}/apply`)).status).toBe(202);
      await app.polku.maintenance.rosterJobs();
      return res.body.preview;
    };
    await importAndApply(roster(`1.2.246.562.24.${code}1`));
    expect(await keys()).toEqual([`Kai Kept${code}:1.2.246.562.24.${code}7`, `Kim Key${code}:1.2.246.562.24.${code}1`]);
    await importAndApply(roster(`1.2.246.562.24.${code}2`));
    expect(await keys()).toEqual([`Kai Kept${code}:1.2.246.562.24.${code}7`, `Kim Key${code}:1.2.246.562.24.${code}2`]);
    const again = await importAndApply(roster(`1.2.246.562.24.${code}2`));
    expect(again.counts.users).toEqual({ create: 0, update: 0, deactivate: 0, unchanged: 3 });
    expect(await keys()).toEqual([`Kai Kept${code}:1.2.246.562.24.${code}7`, `Kim Key${code}:1.2.246.562.24.${code}2`]);
  });
});

describe("a roster that is not this school's never deactivates the school", () => {
  const MiB = 1024 * 1024;

  /** A school with a roster applied (a pupil and a teacher), its admin, and a way to read who is active. */
  async function rosteredSchool() {
    const code = `6${randomBytes(3).toString('hex')}`;
    const school = await makeSchool(app.database.db);
    await app.database.db.updateTable('schools').set({ code }).where('id', '=', school.id).execute();
    const admin = await app.as((await makeUser(app.database.db, { role: 'admin', schoolId: school.id })).username);
    const s = spec(code, { id: `p-${code}`, given: 'Pia', family: `Pysyvä${code}`, learnerId: `1.2.246.562.24.${code}9` }, 'Tuula');
    const upload = async (files: Record<string, string | Buffer>) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(zipOf(files))]), 'roster.zip');
      return admin.request<RosterImport & { error?: { code: string; reason?: string; message: string } }>(
        'POST',
        `/api/schools/${school.id}/roster-imports`,
        form,
      );
    };
    const first = await upload(oneRosterFiles(s));
    expect(first.status).toBe(201);
    expect((await admin.post(`/api/roster-imports/${first.body.id}/apply`)).status).toBe(202);
    await app.polku.maintenance.rosterJobs();
    const active = async () =>
      (
        await app.database.db
          .selectFrom('users')
          .innerJoin('schoolRoles', 'schoolRoles.userId', 'users.id')
          .select(['users.displayName', 'users.active'])
          .where('schoolRoles.schoolId', '=', school.id)
          .where('schoolRoles.role', '!=', 'admin')
          .orderBy('users.displayName')
          .execute()
      ).map((u) => `${u.displayName}:${u.active}`);
    expect(await active()).toEqual([`Pia Pysyvä${code}:true`, `Tuula Opettaja${code}:true`]);
    return { code, spec: s, upload, active, admin, schoolId: school.id };
  }

  it('hole: a roster whose users.csv lists nobody is refused, not read as "everyone left"', async () => {
    const school = await rosteredSchool();
    // SDS (roles in roles.csv): an export whose users.csv came out empty.
    const files = sdsFiles(school.spec);
    files['users.csv'] = String(files['users.csv']).split('\r\n')[0] + '\r\n';
    const res = await school.upload(files);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'import_rejected', reason: 'no_users', message: expect.stringContaining('nobody is deactivated') });
    expect(await school.active()).toEqual([`Pia Pysyvä${school.code}:true`, `Tuula Opettaja${school.code}:true`]);
  });

  it("hole: a roster whose only school is another school's (orgs.csv) is refused", async () => {
    const school = await rosteredSchool();
    const other = `5${randomBytes(3).toString('hex')}`;
    const res = await school.upload(
      oneRosterFiles(spec(other, { id: `p-${other}`, given: 'Olli', family: `Outo${other}`, learnerId: `1.2.246.562.24.${other}9` }, 'Ulla')),
    );
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'import_rejected', reason: 'no_school', message: expect.stringContaining(school.code) });
    expect(await school.active()).toEqual([`Pia Pysyvä${school.code}:true`, `Tuula Opettaja${school.code}:true`]);
  });

  it('hole: a roster of this school that names none of its rostered people (new ids) is refused, not a mass deactivation', async () => {
    const school = await rosteredSchool();
    const stranger = spec(school.code, { id: `new-p-${school.code}`, given: 'Uusi', family: `Oppilas${school.code}`, learnerId: '' }, 'Uusi');
    stranger.teachers = stranger.teachers.map((t) => ({ ...t, id: `new-${t.id}` }));
    const res = await school.upload(oneRosterFiles(stranger));
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'import_rejected', reason: 'no_known_users', message: expect.stringContaining('deactivate all of them') });
    expect(await school.active()).toEqual([`Pia Pysyvä${school.code}:true`, `Tuula Opettaja${school.code}:true`]);
    // A roster that still knows one of them is next year's roster: the other leaves, as always.
    const nextYear = spec(
      school.code,
      { id: `p-${school.code}`, given: 'Pia', family: `Pysyvä${school.code}`, learnerId: `1.2.246.562.24.${school.code}9` },
      'Uusi',
    );
    nextYear.teachers = nextYear.teachers.map((t) => ({ ...t, id: `new-${t.id}` }));
    const ok = await school.upload(oneRosterFiles(nextYear));
    expect(ok.status).toBe(201);
    expect(ok.body.preview.counts.users).toMatchObject({ create: 1, deactivate: 1 });
  });

  it('bounds a roster upload at 200 MiB: 413 before the body is read', async () => {
    const school = await rosteredSchool();
    const res = await rawUpload(app.url, {
      path: `/api/schools/${school.schoolId}/roster-imports`,
      cookie: school.admin.cookieHeader,
      fileField: 'file',
      fileName: 'roster.zip',
      fileBytes: 250 * MiB,
      sendBytes: 64 * 1024,
    });
    expect(res.status).toBe(413);
    expect(await readdir(app.config.media.tmpDir).catch(() => [])).toEqual([]);
    expect(ROSTER_MAX_UPLOAD_BYTES).toBe(200 * MiB);
  });

  it('bounds what a roster ZIP may unpack: too many entries, or entries claiming more than the limit (a bomb), are refused', async () => {
    const school = await rosteredSchool();
    const entries = Object.entries(oneRosterFiles(school.spec)).map(([name, data]) => ({ name, data: typeof data === 'string' ? Buffer.from(data) : data }));
    const send = async (extra: Parameters<typeof buildZip>[0]) => {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(buildZip([...entries, ...extra]))]), 'roster.zip');
      return school.admin.request<{ error?: { reason?: string } }>('POST', `/api/schools/${school.schoolId}/roster-imports`, form);
    };
    // 300 small files beside the roster's own: no roster has them.
    const many = await send(Array.from({ length: 300 }, (_v, i) => ({ name: `notes/n${i}.txt`, data: Buffer.from('x') })));
    expect(many.status).toBe(422);
    expect(many.body.error?.reason).toBe('archive');
    // Two entries that claim 600 MiB each (their bytes are never inflated: the headers are enough to refuse).
    const claim = (n: number) => ({ name: `extra${n}.bin`, rawCompressed: randomBytes(6.5 * MiB), declaredSize: 600 * MiB });
    const bomb = await send([claim(1), claim(2)]);
    expect(bomb.status).toBe(422);
    expect(bomb.body.error?.reason).toBe('archive');
    expect(await school.active()).toEqual([`Pia Pysyvä${school.code}:true`, `Tuula Opettaja${school.code}:true`]);
  });
});
