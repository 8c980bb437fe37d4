import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RosterImport } from '../../shared/api/rosters.ts';
import { ssoDb } from '../../server/modules/sso/sso.repo.ts';
import { makeSchool, makeUser } from '../helpers/factories.ts';
import { passThroughOp, startTestOp, type TestOp } from '../helpers/oidc-provider.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { oneRosterFiles, zipOf, type RosterSpec } from '../fixtures/rosters/make-roster.ts';

// The attack review of the day after issue 11's and 12's first parts (guardian sign-in through a provider,
// roster-key trust, bulk invitations, the notification centre): probes as a pupil, a classmate, a guardian,
// a stranger and another school's admin. Tests marked "hole" failed before their fix.

const run = randomBytes(4).toString('hex');
const digits = String(parseInt(run, 16) % 1e5).padStart(5, '0');
const CODE_A = `5${digits}`;
const CODE_B = `6${digits}`;
const learner = (n: number) => `1.2.246.562.24.${digits}${run}9${n}`;
const acct = (name: string) => `${name}-${run}`;
const PROVIDER = `mpr${run}`;
const P = `SSO_${PROVIDER.toUpperCase()}_`;
const namesSchool = (code: string) => ({ 'urn:mpass.id:role': [`1.2.246.562.10.1;${code};7B;Oppilas`] });

/** The provider's accounts of school A's pupils: with claims naming school A, and (another provider's way) naming none. */
const accounts: Record<string, Record<string, unknown>> = {
  [acct('aino-named')]: { name: 'Aino Aalto', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(1), ...namesSchool(CODE_A) },
  [acct('aino-nameless')]: { name: 'Aino Aalto', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(1) },
  [acct('eeva-nameless')]: { name: 'Eeva Ek', 'urn:oid:1.3.6.1.4.1.16161.1.1.27': learner(2) },
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
      [`${P}CLIENT_ID`]: 'polku-ar12',
      [`${P}CLIENT_SECRET`]: `secret-${run}`,
    },
    loginLimits: { perAccount: 1000, perAddress: 1000, windowSeconds: 60 },
  });
  op.serve({
    accounts,
    clients: [{ client_id: 'polku-ar12', client_secret: `secret-${run}`, redirect_uris: [`${app.url}/auth/sso/${PROVIDER}/callback`] }],
  });
  for (const [key, code] of [
    ['a', CODE_A],
    ['b', CODE_B],
  ] as const) {
    const school = await makeSchool(app.database.db);
    await app.database.db.updateTable('schools').set({ code }).where('id', '=', school.id).execute();
    const admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
    const client = await app.as(admin.username);
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
  const me = await browser.get<{ me: { user: { id: string } } | null }>('/api/auth/session');
  return { location: res.headers.get('location'), userId: me.body.me?.user.id ?? null };
}

type Pupil = { id: string; given: string; family: string; learnerId: string };
function spec(code: string, pupils: Pupil[], teacher: string): RosterSpec {
  return {
    school: { sourcedId: `org-${code}`, name: `Koulu ${code}`, identifier: code },
    classes: [{ id: `c-${code}`, title: '7B', year: '2027' }],
    pupils: pupils.map((p) => ({ ...p, classes: [`c-${code}`] })),
    teachers: [{ id: `t-${code}`, given: teacher, family: `Opettaja${code}`, classes: [`c-${code}`] }],
    guardians: [],
  };
}

async function importAndApply(school: 'a' | 'b', files: Record<string, string | Buffer>): Promise<RosterImport> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(zipOf(files))]), 'roster.zip');
  const client = schools[school].admin;
  const made = await client.request<RosterImport>('POST', `/api/schools/${schools[school].id}/roster-imports`, form);
  expect(made.status).toBe(201);
  expect((await client.post(`/api/roster-imports/${made.body.id}/apply`)).status).toBe(202);
  await app.polku.maintenance.rosterJobs();
  const done = await client.get<RosterImport>(`/api/roster-imports/${made.body.id}`);
  expect(done.body.status).toBe('done');
  return done.body;
}

async function userNamed(schoolId: string, displayName: string): Promise<string> {
  const row = await app.database.db
    .selectFrom('users')
    .innerJoin('schoolRoles', 'schoolRoles.userId', 'users.id')
    .select('users.id')
    .where('schoolRoles.schoolId', '=', schoolId)
    .where('users.displayName', '=', displayName)
    .executeTakeFirstOrThrow();
  return row.id;
}

const identityOf = (login: string) =>
  ssoDb(app.database.db).selectFrom('userIdentities').select('userId').where('issuer', '=', op.issuer).where('subject', '=', login).executeTakeFirst();

describe("roster keys: the school whose roster came first does not win another school's pupil", () => {
  let a: RosterImport;
  beforeAll(async () => {
    // B's admin puts A's pupils' learner ids on accounts B controls ("Mallory", "Trudy") before A imports its roster.
    await importAndApply(
      'b',
      oneRosterFiles(
        spec(
          CODE_B,
          [
            { id: `pb1-${run}`, given: 'Mallory', family: `Mirror${run}`, learnerId: learner(1) },
            { id: `pb2-${run}`, given: 'Trudy', family: `Twin${run}`, learnerId: learner(2) },
          ],
          'Bert',
        ),
      ),
    );
    // A's genuine roster comes later.
    a = await importAndApply(
      'a',
      oneRosterFiles(
        spec(
          CODE_A,
          [
            { id: `pa1-${run}`, given: 'Aino', family: `Aalto${run}`, learnerId: learner(1) },
            { id: `pa2-${run}`, given: 'Eeva', family: `Ek${run}`, learnerId: learner(2) },
          ],
          'Anna',
        ),
      ),
    );
  }, 60_000);

  it("hole: school B rosters school A's pupil's learner id BEFORE school A does: A's pupil's first sign-in never lands in B's account", async () => {
    const mallory = await userNamed(schools.b.id, `Mallory Mirror${run}`);
    const aino = await userNamed(schools.a.id, `Aino Aalto${run}`);
    // A's preview says the id is also held elsewhere.
    expect(a.preview.unusable.map((p) => p.code)).toEqual(['learner_id_taken', 'learner_id_taken']);

    // Claims naming no school (a provider without school claims): refused as ambiguous, never B's account.
    const nameless = await signIn(acct('aino-nameless'));
    expect(nameless.userId).not.toBe(mallory);
    expect(nameless.location).toBe('/sign-in?sso_error=ambiguous');
    expect(await identityOf(acct('aino-nameless'))).toBeUndefined();

    // Claims naming school A: A's roster decides, so Aino reaches her own account (B's earlier copy blocks nothing).
    const named = await signIn(acct('aino-named'));
    expect(named.location).toBe('/');
    expect(named.userId).toBe(aino);
  });

  it('hole (sibling): both schools keep their copy of a contested key, whichever came first, so no sign-in guesses between them', async () => {
    const keys = await ssoDb(app.database.db)
      .selectFrom('rosterKeys')
      .select('schoolId')
      .where('kind', '=', 'learner_id')
      .where('value', '=', learner(2))
      .execute();
    expect(new Set(keys.map((k) => k.schoolId))).toEqual(new Set([schools.a.id, schools.b.id]));
    expect((await signIn(acct('eeva-nameless'))).location).toBe('/sign-in?sso_error=ambiguous');
  });
});
