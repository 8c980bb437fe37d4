import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkInvitationsResponse } from '../../shared/api/invitations.ts';
import { addMember, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { startSmtpServer } from '../helpers/smtp-server.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Issue 11 §6: "invite guardians" as a bulk action of the admin's user list.
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: TestApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await startTestApp({ env: smtp.env });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

let n = 0;
const unique = () => `${Date.now().toString(36)}${n++}`;

async function school() {
  const db = app.database.db;
  const s = await makeSchool(db);
  const group = await makeGroup(db, s.id);
  const admin = await makeUser(db, { role: 'admin', schoolId: s.id });
  const teacher = await makeUser(db, { role: 'teacher', schoolId: s.id });
  await addMember(db, group.id, teacher.id, 'teacher');
  const pupils = [];
  for (const name of ['Aino Mäkinen', 'Eetu Mäkinen', 'Sanni Mäkinen']) {
    const p = await makeUser(db, { role: 'pupil', schoolId: s.id, displayName: name });
    await addMember(db, group.id, p.id, 'pupil');
    pupils.push(p);
  }
  return { school: s, group, admin, teacher, pupils, adminClient: await app.as(admin.username) };
}

const invitationsOf = (pupilIds: string[]) =>
  app.database.db.selectFrom('guardianInvitations').select(['pupilId', 'email', 'sentAt']).where('pupilId', 'in', pupilIds).execute();

describe('inviting the guardians of the chosen pupils', () => {
  it('makes one letter per pupil, e-mails those with an address, and counts the chosen it left out', async () => {
    const w = await school();
    const db = app.database.db;
    const gone = await makeUser(db, { role: 'pupil', schoolId: w.school.id, active: false });
    const adult = await makeUser(db, { role: 'pupil', schoolId: w.school.id });
    await sql`update users set birth_date = '2000-01-01' where id = ${adult.id}`.execute(db);
    const guardian = await makeUser(db, { role: 'guardian', schoolId: w.school.id });
    const email = `huoltaja.${unique()}@koti.example`;

    const res = await w.adminClient.post<BulkInvitationsResponse>(`/api/schools/${w.school.id}/guardian-invitations`, {
      invitees: [
        { userId: w.pupils[0]!.id, email: email.toUpperCase() },
        { userId: w.pupils[1]!.id },
        { userId: w.teacher.id },
        { userId: guardian.id },
        { userId: gone.id },
        { userId: adult.id },
      ],
      locale: 'sv',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.skipped).toEqual({ notPupils: 2, inactive: 1, adults: 1 });
    expect(res.body.letters.map((l) => [l.pupilName, l.locale, l.emailed])).toEqual([
      ['Aino Mäkinen', 'sv', true],
      ['Eetu Mäkinen', 'sv', false],
    ]);
    expect(res.body.invitations.map((i) => [i.pupil.id, i.state]).sort()).toEqual(
      [
        [w.pupils[0]!.id, 'sent'],
        [w.pupils[1]!.id, 'created'],
      ].sort(),
    );
    const mail = await smtp.mailTo(email);
    expect(mail.text).toContain(res.body.letters[0]!.code);
    // The third pupil was not chosen; those left out got nothing.
    const rows = await invitationsOf([...w.pupils.map((p) => p.id), gone.id, adult.id, w.teacher.id, guardian.id]);
    expect(rows.map((r) => r.pupilId).sort()).toEqual([w.pupils[0]!.id, w.pupils[1]!.id].sort());
    // Each letter's code works on the acceptance page.
    for (const letter of res.body.letters) expect((await app.client().post('/api/invitations/open', { code: letter.code })).status).toBe(200);
  });

  it('answers 201 with no letters when none of the chosen can be invited', async () => {
    const w = await school();
    const res = await w.adminClient.post<BulkInvitationsResponse>(`/api/schools/${w.school.id}/guardian-invitations`, {
      invitees: [{ userId: w.teacher.id }, { userId: w.admin.id }],
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ letters: [], invitations: [], skipped: { notPupils: 2, inactive: 0, adults: 0 } });
  });

  it('refuses the whole request, writing nothing, when someone chosen is not of this school', async () => {
    const w = await school();
    const other = await makeSchool(app.database.db);
    const stranger = await makeUser(app.database.db, { role: 'pupil', schoolId: other.id });
    const res = await w.adminClient.post(`/api/schools/${w.school.id}/guardian-invitations`, {
      invitees: [{ userId: w.pupils[0]!.id }, { userId: stranger.id }],
    });
    expect(res.status, res.text).toBe(404);
    // The service's answer (not a missing route's): the chosen, not the school, were not found.
    expect(res.body).toMatchObject({ error: { code: 'not_found', message: 'Some of the chosen users was not found.' } });
    expect(await invitationsOf([w.pupils[0]!.id, stranger.id])).toEqual([]);
  });

  it('holds a limit of 100 at once, each user once, and valid addresses', async () => {
    const w = await school();
    const path = `/api/schools/${w.school.id}/guardian-invitations`;
    const many = Array.from({ length: 101 }, () => ({ userId: w.pupils[0]!.id }));
    const tooMany = await w.adminClient.post<{ error: { message: string } }>(path, { invitees: many.map((_, i) => ({ userId: fakeId(i) })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain('at most 100');
    expect((await w.adminClient.post(path, { invitees: many.slice(0, 2) })).status).toBe(400);
    expect((await w.adminClient.post(path, { invitees: [{ userId: w.pupils[0]!.id, email: 'ei osoite' }] })).status).toBe(400);
    expect((await w.adminClient.post(path, { invitees: [] })).status).toBe(400);
    expect(await invitationsOf(w.pupils.map((p) => p.id))).toEqual([]);
  });

  it("is the school's admins' action: the group's teacher invites through the group or pupil instead", async () => {
    const w = await school();
    const teacherClient = await app.as(w.teacher.username);
    const res = await teacherClient.post(`/api/schools/${w.school.id}/guardian-invitations`, { invitees: [{ userId: w.pupils[0]!.id }] });
    expect(res.status).toBe(403);
    const other = await makeSchool(app.database.db);
    const otherAdmin = await makeUser(app.database.db, { role: 'admin', schoolId: other.id });
    const otherClient = await app.as(otherAdmin.username);
    // Another school's admin cannot use their own school's route for this school's pupils either.
    expect((await otherClient.post(`/api/schools/${other.id}/guardian-invitations`, { invitees: [{ userId: w.pupils[0]!.id }] })).status).toBe(404);
    expect(await invitationsOf(w.pupils.map((p) => p.id))).toEqual([]);
  });
});

const fakeId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
