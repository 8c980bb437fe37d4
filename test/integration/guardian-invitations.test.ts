import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { Invitation, InvitationLetters } from '../../shared/api/invitations.ts';
import { addMember, linkGuardian, makeArtefact, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { startSmtpServer } from '../helpers/smtp-server.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Limits of their own (a window nobody else uses), so that counts from other files never meet these.
const window = 7000 + randomInt(1000);
const limits = {
  invitationCode: { points: 4, windowSeconds: window },
  resetRequest: { points: 50, windowSeconds: window },
  resetPerAccount: { points: 2, windowSeconds: window },
  resetToken: { points: 50, windowSeconds: window },
};

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: TestApp;
beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await startTestApp({ env: smtp.env, attemptLimits: limits });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

let n = 0;
const unique = () => `${Date.now().toString(36)}${n++}`;

/** A school with a teacher, a group of three pupils and an artefact of the first pupil shared with guardians. */
async function school() {
  const db = app.database.db;
  const s = await makeSchool(db);
  const group = await makeGroup(db, s.id);
  const teacher = await makeUser(db, { role: 'teacher', schoolId: s.id });
  const otherTeacher = await makeUser(db, { role: 'teacher', schoolId: s.id });
  const pupils = [];
  for (const name of ['Aino <b>Mäkinen</b>', 'Eetu Mäkinen', 'Sanni Mäkinen']) {
    const p = await makeUser(db, { role: 'pupil', schoolId: s.id, displayName: name });
    await addMember(db, group.id, p.id, 'pupil');
    pupils.push(p);
  }
  await addMember(db, group.id, teacher.id, 'teacher');
  const shared = await makeArtefact(db, { ownerId: pupils[0]!.id, visibility: 'guardians', title: 'Jaettu työ' });
  const own = await makeArtefact(db, { ownerId: pupils[0]!.id, visibility: 'private', title: 'Oma työ' });
  return { school: s, group, teacher, otherTeacher, pupils, shared, own, teacherClient: await app.as(teacher.username) };
}

async function invite(client: TestClient, body: Record<string, unknown>) {
  const res = await client.post<InvitationLetters>('/api/guardian-invitations', body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const newAccount = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  account: { kind: 'new', username: `huoltaja.${unique()}`, displayName: 'Hanna Huoltaja', password: 'hyvä pitkä salasana', ...extra },
});

describe('guardian invitations', () => {
  it('e-mails an invitation through SMTP; the guardian opens it, creates an account and sees only the shared work', async () => {
    const w = await school();
    const email = `hanna.${unique()}@koti.example`;
    const created = await invite(w.teacherClient, { pupilId: w.pupils[0]!.id, email, locale: 'fi' });
    const letter = created.letters[0]!;
    expect(letter.emailed).toBe(true);
    expect(created.invitations[0]).toMatchObject({ state: 'sent', email });

    const mail = await smtp.mailTo(email);
    expect(mail.subject).toContain('Kutsu Polkuun');
    expect(mail.text).toContain(letter.code);
    expect(mail.text).toContain(`${app.url}/invitation#code=${letter.code}`);
    // The pupil's name is text in the HTML, never markup.
    expect(mail.html).toContain('Aino &lt;b&gt;Mäkinen&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>Mäkinen');
    // Only the hash of the code is kept.
    const row = await app.database.db.selectFrom('guardianInvitations').selectAll().where('id', '=', letter.invitationId).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(letter.code);

    const guardian = app.client();
    const opened = await guardian.post<{ pupilName: string; schoolName: string }>('/api/invitations/open', { code: letter.code.toLowerCase() });
    expect(opened.status, opened.text).toBe(200);
    expect(opened.body).toMatchObject({ pupilName: w.pupils[0]!.displayName, schoolName: w.school.name });
    const list = await w.teacherClient.get<{ invitations: Invitation[] }>(`/api/pupils/${w.pupils[0]!.id}/guardian-invitations`);
    expect(list.body.invitations.map((i) => i.state)).toEqual(['opened']);

    const accepted = await guardian.post<MeResponse>('/api/invitations/accept', newAccount(letter.code));
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body.roles).toEqual([{ schoolId: w.school.id, role: 'guardian' }]);
    const children = await guardian.get<{ children: Array<{ id: string }> }>('/api/me/children');
    expect(children.body.children.map((c) => c.id)).toEqual([w.pupils[0]!.id]);
    const timeline = await guardian.get<{ items: Array<{ title: string }> }>(`/api/pupils/${w.pupils[0]!.id}/artefacts`);
    expect(timeline.body.items.map((i) => i.title)).toEqual(['Jaettu työ']);
    expect((await guardian.get(`/api/artefacts/${w.own.id}`)).status).toBe(404);
    // Nothing but a guardian link: the account is a guardian at this school and nothing else.
    const roles = await app.database.db.selectFrom('schoolRoles').select(['schoolId', 'role']).where('userId', '=', accepted.body.user.id).execute();
    expect(roles).toEqual([{ schoolId: w.school.id, role: 'guardian' }]);
    const audit = await app.database.db.selectFrom('auditEvents').select('action').where('subjectId', '=', letter.invitationId).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['guardianInvitation.accept', 'guardianInvitation.create']);

    // Replay: the code worked once.
    const again = await app.client().post<{ error: { reason: string } }>('/api/invitations/accept', newAccount(letter.code));
    expect(again.status).toBe(400);
    expect(again.body.error.reason).toBe('invitation_used');
    const after = await w.teacherClient.get<{ invitations: Invitation[] }>(`/api/pupils/${w.pupils[0]!.id}/guardian-invitations`);
    expect(after.body.invitations[0]).toMatchObject({ state: 'accepted', acceptedBy: { id: accepted.body.user.id } });
  });

  it('one guardian accepts three invitations (a whole group’s letters) into one account', async () => {
    const w = await school();
    const created = await invite(w.teacherClient, { groupId: w.group.id, locale: 'sv' });
    expect(created.letters).toHaveLength(3);
    expect(created.letters.every((l) => !l.emailed && l.locale === 'sv')).toBe(true);
    expect(created.invitations.map((i) => i.state)).toEqual(['created', 'created', 'created']);
    const [first, second, third] = created.letters;

    const phone = app.client();
    const username = `vanhempi.${unique()}`;
    const made = await phone.post<MeResponse>('/api/invitations/accept', newAccount(first!.code, { username }));
    expect(made.status, made.text).toBe(200);
    // The second from another device with the account's password, the third in the signed-in session.
    const laptop = app.client();
    const existing = await laptop.post<MeResponse>('/api/invitations/accept', {
      code: second!.code,
      account: { kind: 'existing', username, password: 'hyvä pitkä salasana' },
    });
    expect(existing.status, existing.text).toBe(200);
    expect(existing.body.user.id).toBe(made.body.user.id);
    const session = await laptop.post<MeResponse>('/api/invitations/accept', { code: third!.code, account: { kind: 'session' } });
    expect(session.status, session.text).toBe(200);
    const children = await phone.get<{ children: Array<{ id: string }> }>('/api/me/children');
    expect(children.body.children.map((c) => c.id).sort()).toEqual(w.pupils.map((p) => p.id).sort());
  });

  it('refuses an existing account that is not only a guardian, and a wrong password', async () => {
    const w = await school();
    const { letters } = await invite(w.teacherClient, { pupilId: w.pupils[1]!.id });
    const asTeacher = await app
      .client()
      .post('/api/invitations/accept', { code: letters[0]!.code, account: { kind: 'existing', username: w.otherTeacher.username, password: TEST_PASSWORD } });
    expect(asTeacher.status).toBe(403);
    const wrong = await app.client().post('/api/invitations/accept', {
      code: letters[0]!.code,
      account: { kind: 'existing', username: w.otherTeacher.username, password: 'väärä salasana' },
    });
    expect(wrong.status).toBe(401);
    // Neither used the invitation up, nor linked anyone.
    expect((await app.database.db.selectFrom('guardianLinks').selectAll().where('pupilId', '=', w.pupils[1]!.id).execute()).length).toBe(0);
    expect((await app.client().post('/api/invitations/accept', newAccount(letters[0]!.code))).status).toBe(200);
  });

  it('an expired invitation and a revoked one do not work; re-sending gives a new code and the old one stops', async () => {
    const w = await school();
    const { letters } = await invite(w.teacherClient, { groupId: w.group.id });
    const [expiring, revoked, resent] = letters;
    await app.database.db
      .updateTable('guardianInvitations')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', expiring!.invitationId)
      .execute();
    const expired = await app.client().post<{ error: { reason: string } }>('/api/invitations/accept', newAccount(expiring!.code));
    expect(expired.status).toBe(400);
    expect(expired.body.error.reason).toBe('invitation_expired');

    expect((await w.teacherClient.delete(`/api/guardian-invitations/${revoked!.invitationId}`)).status).toBe(200);
    expect((await w.teacherClient.delete(`/api/guardian-invitations/${revoked!.invitationId}`)).status).toBe(409);
    const afterRevoke = await app.client().post<{ error: { reason: string } }>('/api/invitations/open', { code: revoked!.code });
    expect(afterRevoke.body.error.reason).toBe('invitation_used');

    const email = `resend.${unique()}@koti.example`;
    const again = await w.teacherClient.post<InvitationLetters>(`/api/guardian-invitations/${resent!.invitationId}/resend`, { email, locale: 'en' });
    expect(again.status, again.text).toBe(200);
    expect(again.body.letters[0]!.code).not.toBe(resent!.code);
    expect((await smtp.mailTo(email)).subject).toContain('Invitation to Polku');
    const old = await app.client().post<{ error: { reason: string } }>('/api/invitations/open', { code: resent!.code });
    expect(old.body.error.reason).toBe('invitation_invalid');
    // Re-sending also brings an expired invitation back to life, with a new code.
    const revived = await w.teacherClient.post<InvitationLetters>(`/api/guardian-invitations/${expiring!.invitationId}/resend`, {});
    expect(revived.body.invitations[0]!.state).toBe('created');

    const states = await w.teacherClient.get<{ invitations: Invitation[] }>(`/api/groups/${w.group.id}/guardian-invitations`);
    expect(states.body.invitations.map((i) => i.state).sort()).toEqual(['created', 'revoked', 'sent']);
    // A teacher of another group sees none of it.
    const other = await app.as(w.otherTeacher.username);
    expect((await other.get(`/api/groups/${w.group.id}/guardian-invitations`)).status).toBe(404);
    expect((await other.delete(`/api/guardian-invitations/${resent!.invitationId}`)).status).toBe(404);
  });

  it('wrong codes are answered alike and limited per address', async () => {
    // Earlier tests here may have spent some of this address's tries: count until the limit answers.
    const statuses: number[] = [];
    const reasons = new Set<string>();
    for (let i = 0; i <= limits.invitationCode.points; i++) {
      const res = await app.client().post<{ error: { reason?: string } }>('/api/invitations/open', { code: 'ABCD-EFGH-JKMN-PQRS-TVWX' });
      statuses.push(res.status);
      if (res.status === 400) reasons.add(res.body.error.reason ?? '');
      if (res.status === 429) break;
    }
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.slice(0, -1).every((st) => st === 400)).toBe(true);
    expect([...reasons]).toEqual(statuses.length > 1 ? ['invitation_invalid'] : []);
    const limited = await app.client().post('/api/invitations/accept', newAccount('ABCD-EFGH-JKMN-PQRS-TVW0'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('guardian access ends when the pupil turns 18', () => {
  it('at once on the birthday (a fresh session sees no child); the sweep then ends the link', async () => {
    const w = await school();
    const pupil = w.pupils[0]!;
    const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: w.school.id });
    await linkGuardian(app.database.db, guardian.id, pupil.id);
    await linkGuardian(app.database.db, guardian.id, w.pupils[1]!.id);
    // One turns 18 today, the other tomorrow.
    await sql`update users set birth_date = (current_date - interval '18 years')::date where id = ${pupil.id}`.execute(app.database.db);
    await sql`update users set birth_date = (current_date - interval '18 years' + interval '1 day')::date where id = ${w.pupils[1]!.id}`.execute(
      app.database.db,
    );
    const client = await app.as(guardian.username);
    const children = await client.get<{ children: Array<{ id: string }> }>('/api/me/children');
    expect(children.body.children.map((c) => c.id)).toEqual([w.pupils[1]!.id]);
    expect((await client.get(`/api/artefacts/${w.shared.id}`)).status).toBe(404);
    expect((await client.get(`/api/pupils/${pupil.id}/artefacts`)).status).toBe(404);
    // No invitation for an adult.
    expect((await w.teacherClient.post('/api/guardian-invitations', { pupilId: pupil.id })).status).toBe(409);

    expect(await app.polku.maintenance.endAdultGuardianLinks()).toBeGreaterThanOrEqual(1);
    const links = await app.database.db.selectFrom('guardianLinks').select('pupilId').where('guardianId', '=', guardian.id).execute();
    expect(links.map((l) => l.pupilId)).toEqual([w.pupils[1]!.id]);
    const audit = await app.database.db
      .selectFrom('auditEvents')
      .select('action')
      .where('subjectUserId', '=', pupil.id)
      .where('action', '=', 'guardianLink.endAtAdulthood')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('a session open before the sweep loses access as soon as the sweep (or an admin) ends the link', async () => {
    const w = await school();
    const admin = await makeUser(app.database.db, { role: 'admin', schoolId: w.school.id });
    const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: w.school.id });
    await linkGuardian(app.database.db, guardian.id, w.pupils[0]!.id);
    await linkGuardian(app.database.db, guardian.id, w.pupils[1]!.id);
    const client = await app.as(guardian.username);
    expect((await client.get(`/api/artefacts/${w.shared.id}`)).status).toBe(200);
    await sql`update users set birth_date = '2000-01-01' where id = ${w.pupils[0]!.id}`.execute(app.database.db);
    await app.polku.maintenance.endAdultGuardianLinks();
    expect((await client.get(`/api/artefacts/${w.shared.id}`)).status).toBe(404);
    const adminClient = await app.as(admin.username);
    expect((await adminClient.delete(`/api/guardian-links/${guardian.id}/${w.pupils[1]!.id}`)).status).toBe(200);
    expect((await client.get<{ children: unknown[] }>('/api/me/children')).body.children).toEqual([]);
  });
});

describe('an open socket of the guardian', () => {
  it('hears of the shared work until the pupil turns 18, and not after', async () => {
    const w = await school();
    const pupil = w.pupils[0]!;
    const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: w.school.id });
    await linkGuardian(app.database.db, guardian.id, pupil.id);
    const guardianClient = await app.as(guardian.username);
    const pupilClient = await app.as(pupil.username);
    const socket = io(app.url, { transports: ['websocket'], extraHeaders: { cookie: guardianClient.cookieHeader }, reconnection: false, forceNew: true });
    const heard: Array<{ event: string; payload: unknown }> = [];
    socket.onAny((event: string, payload: unknown) => heard.push({ event, payload }));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      const titles = () => heard.filter((e) => e.event === 'artefact.updated').map((e) => (e.payload as { artefact: { title: string } }).artefact.title);
      expect((await pupilClient.patch(`/api/artefacts/${w.shared.id}`, { title: 'Ennen syntymäpäivää' })).status).toBe(200);
      await vi.waitFor(() => expect(titles()).toEqual(['Ennen syntymäpäivää']), { timeout: 5000, interval: 20 });

      await sql`update users set birth_date = (current_date - interval '18 years')::date where id = ${pupil.id}`.execute(app.database.db);
      expect((await pupilClient.patch(`/api/artefacts/${w.shared.id}`, { title: 'Täysi-ikäisenä' })).status).toBe(200);
      // Something the guardian does hear, sent after that update: by then the update would have arrived.
      expect((await guardianClient.patch('/api/me', { locale: 'sv' })).status).toBe(200);
      await vi.waitFor(() => expect(heard.some((e) => e.event === 'me.updated')).toBe(true), { timeout: 5000, interval: 20 });
      expect(titles()).toEqual(['Ennen syntymäpäivää']);
    } finally {
      socket.close();
    }
  });
});

describe('password reset by e-mail', () => {
  it('the same answer for an unknown address; a single-use link that ends every session', async () => {
    const email = `opettaja.${unique()}@koulu.example`;
    const s = await makeSchool(app.database.db);
    const teacher = await makeUser(app.database.db, { role: 'teacher', schoolId: s.id });
    await app.database.db.updateTable('users').set({ email }).where('id', '=', teacher.id).execute();
    const signedIn = await app.as(teacher.username);

    const unknown = await app.client().post('/api/auth/password-reset', { email: `nobody.${unique()}@koulu.example` });
    const known = await app.client().post('/api/auth/password-reset', { email: email.toUpperCase(), locale: 'sv' });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.text).toBe(unknown.text);
    const mail = await smtp.mailTo(email);
    expect(mail.subject).toBe('Polku: byt lösenord');
    const token = /#token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
    expect(token).toBeTruthy();
    expect(smtp.received.filter((m) => m.to.some((t) => t.startsWith('nobody.')))).toEqual([]);

    const done = await app.client().post('/api/auth/password-reset/confirm', { token, password: 'uusi pitkä salasana' });
    expect(done.status, done.text).toBe(200);
    expect((await signedIn.get('/api/me')).status).toBe(401);
    expect((await app.client().post('/api/auth/login', { username: teacher.username, password: TEST_PASSWORD })).status).toBe(401);
    expect((await app.client().post('/api/auth/login', { username: teacher.username, password: 'uusi pitkä salasana' })).status).toBe(200);
    const replay = await app.client().post<{ error: { reason: string } }>('/api/auth/password-reset/confirm', { token, password: 'kolmas pitkä salasana' });
    expect(replay.status).toBe(400);
    expect(replay.body.error.reason).toBe('reset_invalid');
    const audit = await app.database.db.selectFrom('auditEvents').select('action').where('subjectUserId', '=', teacher.id).execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.passwordResetRequested', 'auth.passwordReset']));
  });

  it('an expired link does not work; a pupil gets no link; the per-account limit stops more e-mails with the same answer', async () => {
    const email = `huoltaja.${unique()}@koti.example`;
    const s = await makeSchool(app.database.db);
    const guardian = await makeUser(app.database.db, { role: 'guardian', schoolId: s.id });
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: s.id });
    await app.database.db.updateTable('users').set({ email }).where('id', 'in', [guardian.id, pupil.id]).execute();
    expect((await app.client().post('/api/auth/password-reset', { email })).status).toBe(202);
    const first = await smtp.mailTo(email);
    expect(first.text).toContain(guardian.username);
    expect(first.text).not.toContain(pupil.username);
    await app.database.db
      .updateTable('passwordResets')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('userId', '=', guardian.id)
      .execute();
    const token = /#token=([A-Za-z0-9_-]+)/.exec(first.text)?.[1];
    expect((await app.client().post('/api/auth/password-reset/confirm', { token, password: 'uusi pitkä salasana' })).status).toBe(400);

    expect((await app.client().post('/api/auth/password-reset', { email })).status).toBe(202);
    await smtp.mailTo(email, 2);
    // Over the limit: the same answer, no row and (so) no e-mail.
    expect((await app.client().post('/api/auth/password-reset', { email })).status).toBe(202);
    const rows = await app.database.db.selectFrom('passwordResets').select('tokenHash').where('userId', '=', guardian.id).execute();
    expect(rows).toHaveLength(limits.resetPerAccount.points);
  });

  it("a pupil's teacher sets the pupil's password, ending the pupil's sessions; another teacher cannot", async () => {
    const w = await school();
    const pupil = w.pupils[2]!;
    const pupilClient = await app.as(pupil.username);
    const other = await app.as(w.otherTeacher.username);
    expect((await other.post(`/api/pupils/${pupil.id}/password`, { password: 'uusi pitkä salasana' })).status).toBe(404);
    expect((await w.teacherClient.post(`/api/pupils/${pupil.id}/password`, { password: 'lyhyt' })).status).toBe(400);
    expect((await w.teacherClient.post(`/api/pupils/${pupil.id}/password`, { password: 'uusi pitkä salasana' })).status).toBe(200);
    expect((await pupilClient.get('/api/me')).status).toBe(401);
    expect((await app.client().post('/api/auth/login', { username: pupil.username, password: 'uusi pitkä salasana' })).status).toBe(200);
    // Not the teacher's own account through this door.
    expect((await w.teacherClient.post(`/api/pupils/${w.teacher.id}/password`, { password: 'uusi pitkä salasana' })).status).toBe(403);
  });
});

describe('without SMTP', () => {
  it('says so, still makes letters, and refuses e-mailed resets alike for every address', async () => {
    const plain = await startTestApp({ database: app.database });
    try {
      expect((await plain.client().get('/api/mail-status')).body).toEqual({ email: false });
      const s = await makeSchool(app.database.db);
      const admin = await makeUser(app.database.db, { role: 'admin', schoolId: s.id });
      const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: s.id });
      const client = await plain.as(admin.username);
      const created = await client.post<InvitationLetters>('/api/guardian-invitations', { pupilId: pupil.id, email: 'koti@koti.example' });
      expect(created.status).toBe(201);
      expect(created.body.letters[0]).toMatchObject({ emailed: false });
      expect(created.body.invitations[0]!.state).toBe('created');
      const reset = await plain.client().post<{ error: { reason: string } }>('/api/auth/password-reset', { email: 'koti@koti.example' });
      expect(reset.status).toBe(409);
      expect(reset.body.error.reason).toBe('mail_not_configured');
    } finally {
      await plain.close();
    }
    expect((await app.client().get('/api/mail-status')).body).toEqual({ email: true });
  });
});
