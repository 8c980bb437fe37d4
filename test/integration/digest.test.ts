import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest, PreferencesView } from '../../shared/api/digest.ts';
import type { Locale } from '../../shared/roles.ts';
import type { DatabaseHandle } from '../../server/db/database.ts';
import { runningWeek, sendInstant } from '../../server/modules/digest/digest-week.ts';
import { addMember, linkGuardian, makeArtefact, makeGroup, makeProject, makeSchool, makeUser } from '../helpers/factories.ts';
import { startSmtpServer } from '../helpers/smtp-server.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { openTestDatabase, testDatabaseKind } from '../helpers/test-db.ts';

// Issue 12 §5: the weekly guardian digest (content through the policy, language, preferences) and its
// delivery by e-mail once per guardian and week, with TWO app instances on one database racing for it.
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: TestApp;
let second: TestApp;
let secondDb: DatabaseHandle | null = null;
const SEND = { day: 5, minute: 15 * 60 };
const ZONE = 'Europe/Helsinki';

beforeAll(async () => {
  smtp = await startSmtpServer();
  // No timer (test-app's default): the tests run the job themselves, at a chosen "now".
  const env = { ...smtp.env, DIGEST_SEND_DAY: '5', DIGEST_SEND_TIME: '15:00' };
  app = await startTestApp({ env });
  // A second server process on the same database: its own pool on PostgreSQL; PGlite is one connection, shared.
  secondDb = testDatabaseKind === 'postgres' ? await openTestDatabase() : null;
  second = await startTestApp({ env, database: secondDb ?? app.database });
}, 60_000);
afterAll(async () => {
  await second?.close();
  await secondDb?.close();
  await app?.close();
  await smtp?.close();
});

let n = 0;
const unique = () => `${Date.now().toString(36)}${n++}`;

/** Just after this week's send time: the running week (holding everything made now) is then due. */
function afterSendTime(): Date {
  return new Date(sendInstant(runningWeek(new Date(), ZONE, SEND), ZONE, SEND).getTime() + 60_000);
}

/** Both processes look at once, at the same moment. */
async function bothRun(now: Date) {
  await Promise.all([app.polku.maintenance.runDigest(now), second.polku.maintenance.runDigest(now)]);
}

async function world(locale: Locale = 'fi') {
  const db = app.database.db;
  const school = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const [pupil, classmate, teacher, guardian, otherGuardian] = await Promise.all([
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Aino Oppilas' }),
    makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Bertta Luokkakaveri' }),
    makeUser(db, { role: 'teacher', schoolId: school.id, displayName: 'Opettaja Olli' }),
    makeUser(db, { role: 'guardian', schoolId: school.id }),
    makeUser(db, { role: 'guardian', schoolId: school.id }),
  ]);
  for (const [id, role] of [
    [pupil.id, 'pupil'],
    [classmate.id, 'pupil'],
    [teacher.id, 'teacher'],
  ] as const)
    await addMember(db, group.id, id, role);
  await linkGuardian(db, guardian.id, pupil.id);
  await linkGuardian(db, otherGuardian.id, classmate.id);
  const email = `huoltaja.${unique()}@koti.example`;
  const otherEmail = `toinen.${unique()}@koti.example`;
  await db.updateTable('users').set({ email, locale }).where('id', '=', guardian.id).execute();
  await db.updateTable('users').set({ email: otherEmail }).where('id', '=', otherGuardian.id).execute();
  const project = await makeProject(db, { schoolId: school.id, teacherIds: [teacher.id], groupIds: [group.id], title: 'Metsäprojekti' });
  return {
    school,
    pupil,
    classmate,
    teacher,
    guardian,
    otherGuardian,
    email,
    otherEmail,
    project,
    c: { pupil: await app.as(pupil.username), teacher: await app.as(teacher.username), guardian: await app.as(guardian.username) },
  };
}

async function share(client: TestClient, artefactId: string, visibility: 'guardians' | 'private') {
  const res = await client.patch(`/api/artefacts/${artefactId}`, { visibility });
  expect(res.status, res.text).toBe(200);
}
async function feedback(client: TestClient, artefactId: string, body: string) {
  const res = await client.post(`/api/artefacts/${artefactId}/feedback`, { body, parentId: null });
  expect(res.status, res.text).toBe(201);
}
async function selfAssess(client: TestClient, goalId: string, pupilId: string, level: number, reflection: string, shared: boolean) {
  const res = await client.post(`/api/goals/${goalId}/pupils/${pupilId}/assessments`, { level, reflection, sharedWithGuardians: shared });
  expect(res.status, res.text).toBe(201);
}
async function setPrefs(client: TestClient, prefs: { frequency: string; email: boolean; push: boolean }) {
  const res = await client.put<PreferencesView>('/api/notification-preferences', prefs);
  expect(res.status, res.text).toBe(200);
  return res.body;
}
const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));

/** A week of a child: shared and private work, teacher feedback on both, a shared and an unshared self-assessment. */
async function busyWeek(w: Awaited<ReturnType<typeof world>>) {
  const db = app.database.db;
  const shared = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Sammalen kasvu', projectId: w.project.id });
  await share(w.c.pupil, shared.id, 'guardians');
  const secret = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Salainen päiväkirja' });
  const classmates = await makeArtefact(db, { ownerId: w.classmate.id, title: 'Luokkakaverin kuvat', visibility: 'guardians' });
  await feedback(w.c.teacher, shared.id, 'Hienoja havaintoja sammaleesta!');
  await feedback(w.c.teacher, secret.id, 'Tämä palaute on yksityistä.');
  await feedback(w.c.teacher, classmates.id, 'Luokkakaverin palaute.');
  await selfAssess(w.c.pupil, w.project.goalId, w.pupil.id, 2, 'Opin tunnistamaan sammalia', true);
  await selfAssess(w.c.pupil, w.project.goalId, w.pupil.id, 1, 'Yksityinen pohdinta', false);
  return { shared, secret, classmates };
}

describe('weekly digest: content', () => {
  it("shows a guardian only what their own child shared: the work, the goal's latest shared self-assessment and teachers' feedback on shared work", async () => {
    const w = await world();
    const { shared } = await busyWeek(w);

    const res = await w.c.guardian.get<Digest>('/api/digest');
    expect(res.status, res.text).toBe(200);
    const digest = res.body;
    expect(digest.week).toBe(runningWeek(new Date(), ZONE, SEND));
    expect(digest.nextWeek).toBeNull();
    expect(digest.children).toHaveLength(1);
    const [child] = digest.children;
    expect(child!.pupil).toEqual({ id: w.pupil.id, displayName: 'Aino Oppilas' });
    expect(child!.shared.map((s) => s.title)).toEqual(['Sammalen kasvu']);
    expect(child!.feedback).toEqual([expect.objectContaining({ artefactId: shared.id, authorName: 'Opettaja Olli', body: 'Hienoja havaintoja sammaleesta!' })]);
    // The latest self-assessment the child SHARED (level 2), not the later private one.
    expect(child!.goals).toEqual([
      expect.objectContaining({
        goalId: w.project.goalId,
        projectTitle: 'Metsäprojekti',
        latestSelf: expect.objectContaining({ level: 2, reflection: 'Opin tunnistamaan sammalia' }),
      }),
    ]);
    const text = JSON.stringify(digest);
    for (const hidden of ['Salainen päiväkirja', 'Tämä palaute on yksityistä', 'Luokkakaveri', 'Yksityinen pohdinta']) expect(text).not.toContain(hidden);
  });

  it('leaves out work unshared again, and goals with only an unshared self-assessment', async () => {
    const w = await world();
    const { shared } = await busyWeek(w);
    await share(w.c.pupil, shared.id, 'private');
    const other = await makeProject(app.database.db, { schoolId: w.school.id, teacherIds: [w.teacher.id], groupIds: [] });
    void other;
    const res = await w.c.guardian.get<Digest>('/api/digest');
    expect(res.status, res.text).toBe(200);
    const [child] = res.body.children;
    expect(child!.shared).toEqual([]);
    expect(child!.feedback).toEqual([]);
    // The goal still shows: the shared self-assessment was made this week.
    expect(child!.goals.map((g) => g.goalId)).toEqual([w.project.goalId]);

    const w2 = await world();
    await selfAssess(w2.c.pupil, w2.project.goalId, w2.pupil.id, 1, 'vain minulle', false);
    const res2 = await w2.c.guardian.get<Digest>('/api/digest');
    expect(res2.body.children[0]!.goals).toEqual([]);
  });

  it("is a guardian's only: other roles get 404, and a week out of range is refused", async () => {
    const w = await world();
    expect((await w.c.pupil.get('/api/digest')).status).toBe(404);
    expect((await w.c.teacher.get('/api/digest')).status).toBe(404);
    expect((await w.c.guardian.get('/api/digest?week=2999-W01')).status).toBe(400);
    expect((await w.c.guardian.get('/api/digest?week=nonsense')).status).toBe(400);
    const earlier = await w.c.guardian.get<Digest>(`/api/digest?week=${runningWeek(new Date(), ZONE, SEND)}`);
    const previous = await w.c.guardian.get<Digest>(`/api/digest?week=${earlier.body.previousWeek}`);
    expect(previous.status).toBe(200);
    expect(previous.body.nextWeek).toBe(earlier.body.week);
  });
});

describe('weekly digest: e-mail once per guardian and week across two processes', () => {
  it('sends exactly one e-mail per guardian, in their language, with text and HTML and links to the app only', async () => {
    const w = await world('sv');
    await busyWeek(w);
    const now = afterSendTime();
    await bothRun(now);
    await bothRun(now);
    await Promise.all([app.polku.maintenance.runDigest(now), second.polku.maintenance.runDigest(now), app.polku.maintenance.runDigest(now)]);

    const mails = mailsTo(w.email);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe(`Polku: veckosammandrag ${runningWeek(new Date(), ZONE, SEND)}`);
    expect(mail.text).toContain('Delade arbeten');
    expect(mail.text).toContain('Sammalen kasvu');
    expect(mail.text).toContain('Hienoja havaintoja sammaleesta!');
    expect(mail.text).toContain('Opin tunnistamaan sammalia');
    expect(mail.html).toContain('<h2');
    expect(mail.html).toContain('Sammalen kasvu');
    for (const hidden of ['Salainen päiväkirja', 'Tämä palaute on yksityistä', 'Luokkakaveri', 'Yksityinen pohdinta'])
      expect(mail.text + mail.html).not.toContain(hidden);
    // Links go to the app only: no media, no signed URL, no token.
    const links = [...(mail.text + mail.html).matchAll(/https?:\/\/[^\s"<]+/g)].map((m) => m[0]);
    expect(links.length).toBeGreaterThan(0);
    // (Whichever of the two processes sent it: each has its own address here.)
    for (const link of links)
      expect(
        [app.url, second.url].some((url) => link.startsWith(`${url}/digest?week=`)),
        link,
      ).toBe(true);

    // The other family's guardian: their child's shared work, once, in the default language (Finnish).
    const others = mailsTo(w.otherEmail);
    expect(others).toHaveLength(1);
    expect(others[0]!.subject).toMatch(/^Polku: viikkokooste /);
    expect(others[0]!.text).toContain('Luokkakaverin kuvat');
    expect(others[0]!.text).not.toContain('Sammalen kasvu');
  });

  it('sends nothing before the send time, and nothing for a week with nothing shared', async () => {
    const w = await world();
    await busyWeek(w);
    const before = new Date(afterSendTime().getTime() - 2 * 60_000);
    await bothRun(before);
    // Due then is the week before, which held nothing of this family.
    expect(mailsTo(w.email)).toHaveLength(0);
  });

  it('follows the preference: never sends nothing, every-new-item gets no digest', async () => {
    const w = await world();
    await busyWeek(w);
    await setPrefs(w.c.guardian, { frequency: 'never', email: true, push: false });
    const other = await app.as(w.otherGuardian.username);
    await setPrefs(other, { frequency: 'every', email: true, push: false });
    await bothRun(afterSendTime());
    expect(mailsTo(w.email)).toHaveLength(0);
    expect(mailsTo(w.otherEmail).filter((m) => m.subject.includes('viikkokooste'))).toHaveLength(0);
  });
});

describe('every new item', () => {
  it('e-mails each new notification once across two processes, and not one whose subject was unshared', async () => {
    const w = await world('en');
    const view = await setPrefs(w.c.guardian, { frequency: 'every', email: true, push: false });
    expect(view).toMatchObject({ frequency: 'every', weeklyAllowed: true, emailAvailable: true });
    const db = app.database.db;
    const kept = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Kevään linnut' });
    const withdrawn = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Vedetty pois' });
    await share(w.c.pupil, kept.id, 'guardians');
    await share(w.c.pupil, withdrawn.id, 'guardians');
    await share(w.c.pupil, withdrawn.id, 'private');
    const now = new Date();
    await bothRun(now);
    await bothRun(now);

    const mails = mailsTo(w.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Polku: something new for you');
    expect(mails[0]!.text).toContain('Aino Oppilas shared "Kevään linnut".');
    expect(mails[0]!.text).toMatch(/http:\/\/127\.0\.0\.1:\d+\/notifications\n/);
    expect(mails[0]!.text).not.toContain('Vedetty pois');
  });

  it('refuses the weekly digest for a non-guardian, who may choose every new item', async () => {
    const w = await world();
    const res = await w.c.teacher.put('/api/notification-preferences', { frequency: 'weekly', email: true, push: true });
    expect(res.status).toBe(400);
    const view = await setPrefs(w.c.teacher, { frequency: 'every', email: false, push: true });
    expect(view).toMatchObject({ frequency: 'every', weeklyAllowed: false, emailAvailable: false });
    const defaults = await w.c.pupil.get<PreferencesView>('/api/notification-preferences');
    expect(defaults.body).toMatchObject({ frequency: 'never', weeklyAllowed: false });
    const guardianDefaults = await w.c.guardian.get<PreferencesView>('/api/notification-preferences');
    expect(guardianDefaults.body).toMatchObject({ frequency: 'weekly', email: true, emailAvailable: true });
  });
});
