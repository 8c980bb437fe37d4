import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuardianComment, GuardianModerationList, GuardianVoice } from '../../shared/api/guardian-voice.ts';
import type { NotificationPage } from '../../shared/api/notifications.ts';
import type { School } from '../../shared/api/org.ts';
import type { Showcase } from '../../shared/api/showcases.ts';
import { addMember, linkGuardian, makeArtefact, makeGroup, makeProject, makeSchool, makeUser } from '../helpers/factories.ts';
import { passThroughOp, startTestOp, type TestOp } from '../helpers/oidc-provider.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Attack review of issue 12 §2 on showcases (guardian voice over a subject), the operator-only school code,
 * HEAD on secret links and notification pruning. Each hole found is a test that failed before its fix; the
 * probes that held are kept as regression tests of the boundary.
 */
let app: TestApp;
let op: TestOp;
const run = randomBytes(4).toString('hex');
/** A provider of this file's own (schools' provider settings are per provider id, and test files share one database), whose claims name no school (Entra ID, Google, a generic provider without a school claim). */
const PROVIDER = `tenant${run}`;
const P = `SSO_${PROVIDER.toUpperCase()}_`;
const acct = (name: string) => `${name}-${run}`;
beforeAll(async () => {
  op = await startTestOp();
  app = await startTestApp({
    env: {
      SSO_PROVIDERS: PROVIDER,
      [`${P}ISSUER`]: op.issuer,
      [`${P}CLIENT_ID`]: 'polku-tenant',
      [`${P}CLIENT_SECRET`]: `secret-${run}`,
      [`${P}GROUP_ROLES`]: 'pupils=pupil;staff=teacher',
    },
    loginLimits: { perAccount: 1000, perAddress: 1000, windowSeconds: 60 },
  });
  op.serve({
    accounts: {
      [acct('new-pupil')]: { name: 'Uusi Oppilas', groups: ['pupils'] },
      [acct('new-teacher')]: { name: 'Uusi Opettaja', groups: ['staff'] },
    },
    clients: [{ client_id: 'polku-tenant', client_secret: `secret-${run}`, redirect_uris: [`${app.url}/auth/sso/${PROVIDER}/callback`] }],
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await op?.close();
});

/** One school: Aino (two guardians) and her classmate Ville (one guardian) in a group and its project; teachers; a second school. */
async function world(setting: 'shown' | 'moderated' = 'shown') {
  const db = app.database.db;
  const school = await makeSchool(db);
  const other = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const [pupil, classmate, teacher, admin, guardian, guardian2, otherGuardian, foreignTeacher, foreignAdmin] = await Promise.all([
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Aino Oppilas' }),
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Ville Luokkalainen' }),
    makeUser(db, { role: 'teacher', schoolId: school.id }),
    makeUser(db, { role: 'admin', schoolId: school.id }),
    makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Äiti Oppilas' }),
    makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Isä Oppilas' }),
    makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Villen Äiti' }),
    makeUser(db, { role: 'teacher', schoolId: other.id }),
    makeUser(db, { role: 'admin', schoolId: other.id }),
  ]);
  await addMember(db, group.id, pupil.id, 'pupil');
  await addMember(db, group.id, classmate.id, 'pupil');
  await addMember(db, group.id, teacher.id, 'teacher');
  await linkGuardian(db, guardian.id, pupil.id);
  await linkGuardian(db, guardian2.id, pupil.id);
  await linkGuardian(db, otherGuardian.id, classmate.id);
  const project = await makeProject(db, { schoolId: school.id, teacherIds: [teacher.id], groupIds: [group.id] });
  const as = (u: { username: string }) => app.as(u.username);
  const c = {
    pupil: await as(pupil),
    classmate: await as(classmate),
    teacher: await as(teacher),
    admin: await as(admin),
    guardian: await as(guardian),
    guardian2: await as(guardian2),
    otherGuardian: await as(otherGuardian),
    foreignTeacher: await as(foreignTeacher),
    foreignAdmin: await as(foreignAdmin),
  };
  const res = await c.admin.patch<School>(`/api/schools/${school.id}`, { guardianComments: setting });
  expect(res.status, res.text).toBe(200);
  return { db, school, group, project, pupil, classmate, teacher, guardian, guardian2, otherGuardian, c };
}

async function showcase(client: TestClient, visibility: 'private' | 'guardians' | 'project', projectId: string) {
  const created = await client.post<Showcase>('/api/showcases', { title: 'Parhaat työni' });
  expect(created.status, created.text).toBe(201);
  const shared = await client.patch<Showcase>(`/api/showcases/${created.body.id}`, { visibility, projectId });
  expect(shared.status, shared.text).toBe(200);
  return shared.body.id;
}
async function comment(client: TestClient, showcaseId: string, body = 'Upea kooste!') {
  const res = await client.post<GuardianComment>(`/api/showcases/${showcaseId}/guardian-comments`, { body });
  expect(res.status, res.text).toBe(201);
  return res.body;
}
const status = async (p: Promise<{ status: number }>) => (await p).status;

describe('guardian voice on showcases: who may read, write and act on it', () => {
  it('another family, a classmate of the project, a teacher and an admin of another school get nothing, by any route', async () => {
    const w = await world('moderated');
    const s = await showcase(w.c.pupil, 'project', w.project.id);
    const held = await comment(w.c.guardian, s);
    for (const outsider of [w.c.otherGuardian, w.c.classmate, w.c.foreignTeacher, w.c.foreignAdmin, w.c.admin]) {
      expect([403, 404]).toContain(await status(outsider.get(`/api/showcases/${s}/guardian-voice`)));
      expect([403, 404]).toContain(await status(outsider.post(`/api/showcases/${s}/guardian-comments`, { body: 'Hei' })));
      expect([403, 404]).toContain(await status(outsider.put(`/api/showcases/${s}/guardian-reactions`, { reaction: 'heart', given: true })));
      expect([403, 404]).toContain(await status(outsider.post(`/api/guardian-comments/${held.id}/moderation`, { action: 'approve' })));
      expect([403, 404]).toContain(await status(outsider.post(`/api/guardian-comments/${held.id}/report`)));
      expect([403, 404]).toContain(await status(outsider.delete(`/api/guardian-comments/${held.id}`)));
      const list = await outsider.get<GuardianModerationList>('/api/guardian-comments/moderation');
      if (list.status === 200) expect(list.body.items.map((i) => i.id)).not.toContain(held.id);
    }
  });

  it('ids of the other kind name nothing: a showcase route with an artefact id, and the other way round', async () => {
    const w = await world('shown');
    const s = await showcase(w.c.pupil, 'guardians', w.project.id);
    const work = await makeArtefact(w.db, { ownerId: w.pupil.id, projectId: w.project.id, visibility: 'guardians', title: 'Vesi' });
    expect(await status(w.c.guardian.get(`/api/showcases/${work.id}/guardian-voice`))).toBe(404);
    expect(await status(w.c.guardian.post(`/api/showcases/${work.id}/guardian-comments`, { body: 'Hei' }))).toBe(404);
    expect(await status(w.c.guardian.get(`/api/artefacts/${s}/guardian-voice`))).toBe(404);
    expect(await status(w.c.guardian.post(`/api/artefacts/${s}/guardian-comments`, { body: 'Hei' }))).toBe(404);
  });

  it('a guardian whose link ended reads and writes nothing more, and the other guardian no longer sees what they wrote', async () => {
    const w = await world('shown');
    const s = await showcase(w.c.pupil, 'guardians', w.project.id);
    await comment(w.c.guardian, s, 'Ennen');
    expect((await w.c.guardian.put(`/api/showcases/${s}/guardian-reactions`, { reaction: 'heart', given: true })).status).toBe(200);
    await w.db.deleteFrom('guardianLinks').where('guardianId', '=', w.guardian.id).where('pupilId', '=', w.pupil.id).execute();
    const ex = await app.as(w.guardian.username);
    expect([403, 404]).toContain(await status(ex.get(`/api/showcases/${s}/guardian-voice`)));
    expect([403, 404]).toContain(await status(ex.post(`/api/showcases/${s}/guardian-comments`, { body: 'Vielä' })));
    const seen = (await w.c.guardian2.get<GuardianVoice>(`/api/showcases/${s}/guardian-voice`)).body;
    expect(seen.comments).toEqual([]);
    expect(seen.reactions.find((r) => r.reaction === 'heart')?.count).toBe(0);
  });
});

describe('a guardian comment notice names the item it is about', () => {
  it('is gone with its showcase, and does not come back when a comment of the same id turns up on another showcase', async () => {
    const w = await world('shown');
    const s = await showcase(w.c.pupil, 'guardians', w.project.id);
    const posted = await comment(w.c.guardian, s);
    const notices = async () =>
      (await w.c.teacher.get<NotificationPage>('/api/notifications')).body.items.filter((n) => n.kind === 'guardian_comment').map((n) => n.data);
    expect(await notices()).toEqual([expect.objectContaining({ showcaseId: s, commentId: posted.id })]);
    expect((await w.c.pupil.delete(`/api/showcases/${s}`)).status).toBe(200);
    expect(await notices()).toEqual([]);
    // An import keeps an archive's comment id where no comment here has it (import-writer): the same id on the
    // pupil's new showcase. The teacher's old notice was about the deleted showcase: it stays gone.
    const again = await showcase(w.c.pupil, 'guardians', w.project.id);
    await w.db
      .withTables<{ guardianComments: { id: string; showcaseId: string; pupilId: string; authorId: string | null; body: string; state: string } }>()
      .insertInto('guardianComments')
      .values({ id: posted.id, showcaseId: again, pupilId: w.pupil.id, authorId: null, body: 'Tuotu', state: 'shown' })
      .execute();
    expect(await notices()).toEqual([]);
  });
});

describe("a showcase's teachers", () => {
  it("are its owner's group teachers and its own project's: a teacher who names her group in a project of their own gains none of her other showcases", async () => {
    const w = await world('moderated');
    const db = w.db;
    // Another teacher of the school, teaching the pupil nothing, makes a project naming her group.
    const outsider = await makeUser(db, { role: 'teacher', schoolId: w.school.id });
    const c = await app.as(outsider.username);
    const own = await c.post<{ id: string }>('/api/projects', { schoolId: w.school.id, title: 'Oma hanke', groupIds: [w.group.id] });
    expect(own.status, own.text).toBe(201);

    // Her showcases: a private one without a project, and one of the real project shared with guardians (a comment held).
    const alone = await w.c.pupil.post<Showcase>('/api/showcases', { title: 'Yksityinen kooste' });
    expect(alone.status).toBe(201);
    const inProject = await showcase(w.c.pupil, 'guardians', w.project.id);
    await comment(w.c.guardian, inProject);
    for (const id of [alone.body.id, inProject]) {
      expect(await status(c.get(`/api/showcases/${id}`)), id).toBe(404);
      expect(await status(c.get(`/api/showcases/${id}/guardian-voice`)), id).toBe(404);
    }
    // The held comment waits in her teachers' moderation lists, not in the outsider's.
    const moderation = await c.get<GuardianModerationList>('/api/guardian-comments/moderation');
    expect(moderation.status).toBe(200);
    expect(JSON.stringify(moderation.body)).not.toContain('Parhaat työni');
    expect(JSON.stringify((await w.c.teacher.get<GuardianModerationList>('/api/guardian-comments/moderation')).body)).toContain('Parhaat työni');
    // The real project's teacher and her group teacher still read both.
    expect(await status(w.c.teacher.get(`/api/showcases/${alone.body.id}`))).toBe(200);
    expect(await status(w.c.teacher.get(`/api/showcases/${inProject}`))).toBe(200);

    // A showcase she puts in the outsider's project is theirs to read, as her work in it would be.
    const put = await w.c.pupil.patch(`/api/showcases/${alone.body.id}`, { projectId: own.body.id });
    expect(put.status, put.text).toBe(200);
    expect(await status(c.get(`/api/showcases/${alone.body.id}`))).toBe(200);
  });
});

describe('the guardian comment rate limit', () => {
  it('holds for comments sent at once, on showcases and artefacts alike (one count per author)', async () => {
    const w = await world('shown');
    const s = await showcase(w.c.pupil, 'guardians', w.project.id);
    const work = await makeArtefact(w.db, { ownerId: w.pupil.id, projectId: w.project.id, visibility: 'guardians', title: 'Vesi' });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        w.c.guardian.post(i % 2 ? `/api/showcases/${s}/guardian-comments` : `/api/artefacts/${work.id}/guardian-comments`, { body: `Viesti ${i}` }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(20);
  });
});

describe('first sign-in with a provider whose claims name no school', () => {
  async function signIn(login: string) {
    const browser = app.client();
    const start = await browser.get(`/auth/sso/${PROVIDER}/start`);
    expect(start.status).toBe(303);
    const back = new URL(await passThroughOp(start.headers.get('location') ?? '', login));
    const res = await browser.get(back.pathname + back.search);
    return { browser, location: res.headers.get('location') };
  }
  const schoolWithAdmin = async () => {
    const school = await makeSchool(app.database.db);
    const admin = await makeUser(app.database.db, { role: 'admin', schoolId: school.id });
    return { school, admin: await app.as(admin.username) };
  };
  const setMode = async (s: Awaited<ReturnType<typeof schoolWithAdmin>>, mode: 'off' | 'rostered' | 'create') => {
    const res = await s.admin.put(`/api/schools/${s.school.id}/sign-in`, { passwordSignIn: true, providers: [{ id: PROVIDER, mode }] });
    expect(res.status, res.text).toBe(200);
  };

  it("lands in no school when another school uses the provider too: an admin's 'create' must not take in the other school's people", async () => {
    // The school that uses the tenant lets in only its rostered people; a second school's admin (any admin may
    // make a school) turns on account creation for the same tenant. The tenant's unrostered people belong to
    // neither as far as the claims say: neither school gets them (as school codes are the operator's, issue 12).
    const owner = await schoolWithAdmin();
    const rogue = await schoolWithAdmin();
    await setMode(owner, 'rostered');
    await setMode(rogue, 'create');
    for (const login of [acct('new-pupil'), acct('new-teacher')]) {
      const { browser, location } = await signIn(login);
      expect(location).toBe('/sign-in?sso_error=no_school');
      expect((await browser.get('/api/auth/session')).body).toEqual({ me: null });
    }
    const members = await app.database.db.selectFrom('schoolRoles').select('userId').where('schoolId', '=', rogue.school.id).execute();
    expect(members).toHaveLength(1);
    // The one school using the provider still creates accounts from it, as before.
    await setMode(owner, 'off');
    const { browser, location } = await signIn(acct('new-pupil'));
    expect(location).toBe('/');
    expect((await browser.get<{ roles: unknown[] }>('/api/me')).body.roles).toEqual([{ schoolId: rogue.school.id, role: 'pupil' }]);
    await setMode(rogue, 'off');
  });
});
