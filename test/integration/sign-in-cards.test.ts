import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedCardsResponse } from '../../shared/api/sign-in-cards.ts';
import { minuteOfDay } from '../../server/modules/sign-in-cards/sign-in-hours.ts';
import { addMember, makeGroup, makeSchool, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/** Issue 11 §3: QR sign-in cards, on the real app and database (PostgreSQL or PGlite). */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.close());

const codeOf = (url: string) => url.slice(url.indexOf('#') + 1);
const randomAddress = () => `10.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;

async function world() {
  const w = await makeTwoSchools(app.database.db);
  const teacher = await app.as(w.teacher.username);
  const issued = await teacher.post<IssuedCardsResponse>(`/api/groups/${w.group.id}/sign-in-cards`, {});
  expect(issued.status).toBe(201);
  return { ...w, teacherClient: teacher, issued: issued.body };
}

async function cardSignIn(code: string, client: TestClient = app.client()) {
  const res = await client.post('/api/auth/card', { cardCode: code });
  return { res, client };
}

async function sessionCount(userId: string) {
  const rows = await app.database.db.selectFrom('sessions').select('sid').where('userId', '=', userId).execute();
  return rows.length;
}

describe('QR sign-in cards', () => {
  it('a teacher prints cards for the group; scanning one signs that pupil in with a card session', async () => {
    const w = await world();
    expect(w.issued.cards.map((c) => c.pupilId).sort()).toEqual([w.pupil.id, w.classmate.id].sort());
    const card = w.issued.cards.find((c) => c.pupilId === w.pupil.id);
    expect(card?.url.startsWith(`${app.url}/card#`)).toBe(true);
    // Only a hash is kept.
    const stored = await app.database.db.selectFrom('signInCards').select('secretHash').where('userId', '=', w.pupil.id).execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(codeOf(card?.url ?? ''));

    // A device that had another session gets a new one (the id is regenerated).
    const device = app.client();
    await device.login(w.teacher.username, 'correct horse battery staple');
    const before = device.cookieHeader;
    // The printed form (upper case, in groups) works when typed, too.
    const { res } = await cardSignIn(card?.code ?? '', device);
    expect(res.status).toBe(200);
    expect(device.cookieHeader).not.toBe(before);
    const me = await device.get<{ user: { id: string } }>('/api/me');
    expect(me.body.user.id).toBe(w.pupil.id);
    // Posting in the own portfolio works; account settings do not.
    expect((await device.patch('/api/me', { locale: 'en' })).status).toBe(403);
    const audit = await app.database.db
      .selectFrom('auditEvents')
      .select('action')
      .where('actorId', '=', w.pupil.id)
      .where('action', '=', 'auth.card_login')
      .execute();
    expect(audit).toHaveLength(1);
    const list = await w.teacherClient.get<{ pupils: Array<{ pupilId: string; lastUsedAt: string | null; issuedAt: string | null }> }>(
      `/api/groups/${w.group.id}/sign-in-cards`,
    );
    expect(list.body.pupils.find((p) => p.pupilId === w.pupil.id)?.lastUsedAt).not.toBeNull();
  });

  it("a card session is only a pupil of the card's school, even for an account that also teaches", async () => {
    const w = await world();
    // The pupil's account also teaches the other group (an odd account, but the card must not carry it).
    await app.database.db.insertInto('schoolRoles').values({ schoolId: w.schoolA.id, userId: w.pupil.id, role: 'teacher' }).execute();
    await addMember(app.database.db, w.otherGroup.id, w.pupil.id, 'teacher');
    const card = w.issued.cards.find((c) => c.pupilId === w.pupil.id);
    const { res, client } = await cardSignIn(codeOf(card?.url ?? ''));
    expect(res.status).toBe(200);
    expect((await client.get(`/api/groups/${w.otherGroup.id}`)).status).toBe(404);
    expect((await client.get(`/api/groups/${w.group.id}/sign-in-cards`)).status).toBe(404);
    // The same account with its password is a teacher there.
    const password = await app.as(w.pupil.username);
    expect((await password.get(`/api/groups/${w.otherGroup.id}`)).status).toBe(200);
  });

  it('revoked, unknown, other school, teacher, inactive pupil and outside hours: the same answer, and no session', async () => {
    const w = await world();
    const cardOf = (id: string) => codeOf(w.issued.cards.find((c) => c.pupilId === id)?.url ?? '');
    const answers: Array<{ status: number; body: string }> = [];
    const refused = async (code: string, userId: string | null) => {
      const sessionsBefore = userId ? await sessionCount(userId) : 0;
      const { res, client } = await cardSignIn(code);
      answers.push({ status: res.status, body: res.text });
      expect(res.headers.getSetCookie().some((c) => c.startsWith('polku.sid='))).toBe(false);
      expect((await client.get('/api/me')).status).toBe(401);
      if (userId) expect(await sessionCount(userId)).toBe(sessionsBefore);
    };

    // Unknown.
    await refused('0'.repeat(32), null);
    // Revoked: a lost card, in the teacher's two clicks (one request).
    const lost = cardOf(w.classmate.id);
    const revoke = await w.teacherClient.post<{ revoked: number }>(`/api/groups/${w.group.id}/sign-in-cards/revoke`, { pupilIds: [w.classmate.id] });
    expect(revoke.body.revoked).toBe(1);
    await refused(lost, w.classmate.id);
    // Other school: the pupil left the card's school (role removed) and is a pupil elsewhere.
    const mover = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    await addMember(app.database.db, w.group.id, mover.id, 'pupil');
    const moverCard = (await w.teacherClient.post<IssuedCardsResponse>(`/api/groups/${w.group.id}/sign-in-cards`, { pupilIds: [mover.id] })).body.cards[0];
    await app.database.db.deleteFrom('schoolRoles').where('userId', '=', mover.id).execute();
    await app.database.db.insertInto('schoolRoles').values({ schoolId: w.schoolB.id, userId: mover.id, role: 'pupil' }).execute();
    await refused(codeOf(moverCard?.url ?? ''), mover.id);
    // A teacher's card (a card row for a teacher, as a forged or stale row would be).
    const teacherCode = '1'.repeat(32);
    const { createHash } = await import('node:crypto');
    await app.database.db
      .insertInto('signInCards')
      .values({ schoolId: w.schoolA.id, userId: w.teacher.id, secretHash: createHash('sha256').update(teacherCode).digest('hex') })
      .execute();
    await refused(teacherCode, w.teacher.id);
    // An inactive pupil.
    const leaver = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    await addMember(app.database.db, w.group.id, leaver.id, 'pupil');
    const leaverCard = (await w.teacherClient.post<IssuedCardsResponse>(`/api/groups/${w.group.id}/sign-in-cards`, { pupilIds: [leaver.id] })).body.cards[0];
    await app.database.db.updateTable('users').set({ active: false }).where('id', '=', leaver.id).execute();
    await refused(codeOf(leaverCard?.url ?? ''), leaver.id);
    // Outside the school's hours: a window twelve hours away from the school's clock now.
    const admin = await app.as(w.admin.username);
    const now = minuteOfDay(new Date(), 'Europe/Helsinki');
    const far = (now + 720) % 1440;
    const start = Math.max(0, far - 30);
    const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const set = await admin.put(`/api/schools/${w.schoolA.id}/sign-in-cards/settings`, {
      hoursStart: clock(start),
      hoursEnd: clock(Math.min(1440, start + 60)),
    });
    expect(set.status).toBe(200);
    await refused(cardOf(w.pupil.id), w.pupil.id);

    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([401]));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);

    // Within the hours the same card works.
    const inside = await admin.put(`/api/schools/${w.schoolA.id}/sign-in-cards/settings`, {
      hoursStart: clock(Math.max(0, now - 120)),
      hoursEnd: clock(Math.min(1440, now + 120)),
    });
    expect(inside.status).toBe(200);
    expect((await cardSignIn(cardOf(w.pupil.id))).res.status).toBe(200);
    // Cleared hours: any time.
    expect((await admin.put(`/api/schools/${w.schoolA.id}/sign-in-cards/settings`, { hoursStart: null, hoursEnd: null })).status).toBe(200);
    // Half a window is refused with a message.
    expect((await admin.put(`/api/schools/${w.schoolA.id}/sign-in-cards/settings`, { hoursStart: '08:00', hoursEnd: null })).status).toBe(400);
  });

  it('revoking or re-issuing ends the sessions the old card opened; the whole group at once', async () => {
    const w = await world();
    const first = codeOf(w.issued.cards.find((c) => c.pupilId === w.pupil.id)?.url ?? '');
    const { client } = await cardSignIn(first);
    expect((await client.get('/api/me')).status).toBe(200);
    // A password session of the same pupil is not the card's and stays.
    const password = await app.as(w.pupil.username);
    const reissued = await w.teacherClient.post<IssuedCardsResponse>(`/api/groups/${w.group.id}/sign-in-cards`, { pupilIds: [w.pupil.id] });
    expect(reissued.status).toBe(201);
    expect((await client.get('/api/me')).status).toBe(401);
    expect((await password.get('/api/me')).status).toBe(200);
    expect((await cardSignIn(first)).res.status).toBe(401);
    const second = codeOf(reissued.body.cards[0]?.url ?? '');
    const again = await cardSignIn(second);
    expect(again.res.status).toBe(200);
    // The whole group.
    const all = await w.teacherClient.post<{ revoked: number }>(`/api/groups/${w.group.id}/sign-in-cards/revoke`, {});
    expect(all.body.revoked).toBe(2);
    expect((await again.client.get('/api/me')).status).toBe(401);
    expect((await cardSignIn(second)).res.status).toBe(401);
  });

  it('prints a PDF (A4, one page for a small group) and refuses people who are not pupils of the group', async () => {
    const w = await world();
    const pdf = await w.teacherClient.request('POST', `/api/groups/${w.group.id}/sign-in-cards`, { format: 'pdf' });
    expect(pdf.status).toBe(201);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('cache-control')).toBe('no-store');
    expect(pdf.text.startsWith('%PDF-')).toBe(true);
    const notPupil = await w.teacherClient.post(`/api/groups/${w.group.id}/sign-in-cards`, { pupilIds: [w.teacher.id] });
    expect(notPupil.status).toBe(400);
    // Another group's teacher, a pupil and another school's admin see no such group.
    expect((await (await app.as(w.otherTeacher.username)).post(`/api/groups/${w.group.id}/sign-in-cards`, {})).status).toBe(404);
    expect((await (await app.as(w.pupil.username)).post(`/api/groups/${w.group.id}/sign-in-cards`, {})).status).toBe(404);
    expect((await (await app.as(w.adminB.username)).post(`/api/groups/${w.group.id}/sign-in-cards`, {})).status).toBe(404);
    // The admin prints across groups from the user list; not for a teacher.
    const admin = await app.as(w.admin.username);
    const school = await admin.post<IssuedCardsResponse>(`/api/schools/${w.schoolA.id}/sign-in-cards`, { pupilIds: [w.pupil.id] });
    expect(school.status).toBe(201);
    expect(school.body.cards).toHaveLength(1);
    expect((await admin.post(`/api/schools/${w.schoolA.id}/sign-in-cards`, { pupilIds: [w.teacher.id] })).status).toBe(400);
  });

  it('a malformed code is a 400; too many wrong cards from one address are limited like password sign-ins', { timeout: 60_000 }, async () => {
    const limited = await startTestApp({
      database: app.database,
      loginLimits: { perAccount: 3, perAddress: 5, windowSeconds: 600 },
      env: { TRUST_PROXY: 'loopback' },
    });
    try {
      const address = randomAddress();
      const from = (code: string) => limited.client().request('POST', '/api/auth/card', { cardCode: code }, { 'x-forwarded-for': address });
      expect((await from('not a card')).status).toBe(400);
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await from(String(i).repeat(32))).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      // A good card from that address is refused too while it is limited; another address is not.
      const school = await makeSchool(app.database.db);
      const group = await makeGroup(app.database.db, school.id);
      const teacher = await makeUser(app.database.db, { role: 'teacher', schoolId: school.id });
      const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: school.id });
      await addMember(app.database.db, group.id, teacher.id, 'teacher');
      await addMember(app.database.db, group.id, pupil.id, 'pupil');
      const issued = await (await limited.as(teacher.username)).post<IssuedCardsResponse>(`/api/groups/${group.id}/sign-in-cards`, {});
      const good = codeOf(issued.body.cards[0]?.url ?? '');
      expect((await from(good)).status).toBe(429);
      expect((await limited.client().request('POST', '/api/auth/card', { cardCode: good }, { 'x-forwarded-for': randomAddress() })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
