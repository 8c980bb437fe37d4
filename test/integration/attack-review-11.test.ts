import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClaims } from '../../server/modules/sso/sso.claims.ts';
import { ssoConfigFrom } from '../../server/modules/sso/sso.config.ts';
import { invitationMail, passwordResetMail } from '../../server/modules/mail/templates.ts';
import { MAX_PEER_FEEDBACK_PER_AUTHOR } from '../../shared/api/peer-feedback.ts';
import { peerDb } from '../../server/modules/peer-feedback/peer-feedback.repo.ts';
import { startTestOp, type TestOp } from '../helpers/oidc-provider.ts';
import { hashCardCode, newCardCode } from '../../server/modules/sign-in-cards/card-secret.ts';
import { addMember, makeArtefact, makeFeedback, makeGroup, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// The attack review of issue 11 (and issue 10's peer and voice feedback): probes as a pupil, a classmate, a
// guardian, a stranger and the teachers and admins of another school. Tests marked "hole" failed before their fix.

describe('school sign-in claims', () => {
  it('hole: an e-mail the provider does not vouch for (no email_verified) never matches a roster key', () => {
    const { config, problems } = ssoConfigFrom({
      SSO_PROVIDERS: 'plain',
      SSO_PLAIN_PRESET: 'oidc',
      SSO_PLAIN_ISSUER: 'https://idp.example.fi',
      SSO_PLAIN_CLIENT_ID: 'c',
      SSO_PLAIN_CLIENT_SECRET: 's',
      SSO_PLAIN_ROSTER_KEY: 'email',
      SSO_PLAIN_ROSTER_CLAIM: 'email',
    });
    expect(problems).toEqual([]);
    const [provider] = config.providers;
    if (!provider) throw new Error('no provider');
    const base = { iss: 'https://idp.example.fi', sub: 'x1', email: 'Rehtori@Koulu.example.fi' };
    expect(readClaims(provider, base).rosterKey).toBeNull();
    expect(readClaims(provider, { ...base, email_verified: 'true' }).rosterKey).toBeNull();
    expect(readClaims(provider, { ...base, email_verified: false }).rosterKey).toBeNull();
    expect(readClaims(provider, { ...base, email_verified: true }).rosterKey).toEqual({ kind: 'email', value: 'rehtori@koulu.example.fi' });
  });

  it('never gives an admin role from any claim, and keeps a pupil without an e-mail', () => {
    const { config } = ssoConfigFrom({
      SSO_PROVIDERS: 'mp',
      SSO_MP_PRESET: 'mpassid',
      SSO_MP_ISSUER: 'https://mpass.example.fi',
      SSO_MP_CLIENT_ID: 'c',
      SSO_MP_CLIENT_SECRET: 's',
    });
    const [provider] = config.providers;
    if (!provider) throw new Error('no provider');
    const who = readClaims(provider, {
      iss: 'https://mpass.example.fi',
      sub: 'p1',
      email: 'p@x.fi',
      email_verified: true,
      [provider.roleClaim]: ['1.2.3;12345;7A;admin', '1.2.3;12345;7A;Oppilas', '1.2.3;12345;7A;paakayttaja'],
    });
    expect(who.placements).toEqual([{ schoolCode: '12345', role: 'pupil' }]);
    expect(who.email).toBeNull();
  });
});

describe('school sign-in with a link code', () => {
  let op: TestOp;
  let app: TestApp;
  beforeAll(async () => {
    op = await startTestOp();
    app = await startTestApp({
      env: { SSO_PROVIDERS: 'plain', SSO_PLAIN_ISSUER: op.issuer, SSO_PLAIN_CLIENT_ID: 'polku-plain', SSO_PLAIN_CLIENT_SECRET: 'secret-plain' },
    });
    op.serve({ accounts: {}, clients: [{ client_id: 'polku-plain', client_secret: 'secret-plain', redirect_uris: [`${app.url}/auth/sso/plain/callback`] }] });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await op?.close();
  });

  it("hole: another site cannot start a sign-in with its sender's link code (linking a classmate's identity to the sender's account)", async () => {
    // Codes are posted by Polku's own form (never in a URL a log keeps).
    const start = (headers: Record<string, string>) =>
      fetch(`${app.url}/auth/sso/plain/start`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: 'link=ABCD-EFGH-JKLM',
      });
    for (const headers of <Array<Record<string, string>>>[
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
    ]) {
      const res = await start(headers);
      expect(res.status, JSON.stringify(headers)).toBe(303);
      expect(res.headers.get('location'), JSON.stringify(headers)).toBe('/sign-in?sso_error=failed');
    }
    // Polku's own page, a typed address, and a client that sends no such header go on to the provider.
    for (const headers of <Array<Record<string, string>>>[{ 'sec-fetch-site': 'same-origin', origin: app.url }, { 'sec-fetch-site': 'none' }, {}]) {
      const res = await start(headers);
      expect(res.status).toBe(303);
      expect(res.headers.get('location') ?? '', JSON.stringify(headers)).toContain(op.issuer);
    }
    // A code in the address is refused whoever sends it: the address is already in a log.
    expect(
      (await fetch(`${app.url}/auth/sso/plain/start?link=ABCD-EFGH-JKLM`, { redirect: 'manual', headers: { 'sec-fetch-site': 'same-origin' } })).headers.get(
        'location',
      ),
    ).toBe('/sign-in?sso_error=failed');
    // Without a link code nothing is tied to an account: a sign-in button on a school's own site may start it.
    expect(
      (await fetch(`${app.url}/auth/sso/plain/start`, { redirect: 'manual', headers: { 'sec-fetch-site': 'cross-site' } })).headers.get('location'),
    ).toContain(op.issuer);
  });
});

describe('e-mails', () => {
  it('escape names in HTML and keep them out of headers', () => {
    const name = 'Evil</p><script>alert(1)</script>\r\nBcc: x@y.fi';
    const inv = invitationMail('fi', {
      pupilName: name,
      schoolName: '<b>Koulu</b>',
      code: 'ABCD',
      link: 'https://polku.example.fi/invitation#code=ABCD',
      validUntil: '1.1.2027',
    });
    const reset = passwordResetMail('en', { displayName: name, username: 'u', link: 'https://polku.example.fi/reset-password#token=t', minutes: 60 });
    for (const m of [inv, reset]) {
      expect(m.html).not.toContain('<script>');
      expect(m.html).not.toContain('<b>');
      expect(m.subject).not.toMatch(/[\r\n]/);
    }
  });
});

describe('attack review 11', () => {
  let app: TestApp;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  /** A pupil of both schools: in school A's group and in a group of school B that teacherB teaches. */
  let shared: Awaited<ReturnType<typeof makeUser>>;
  let groupB: Awaited<ReturnType<typeof makeGroup>>;

  beforeAll(async () => {
    app = await startTestApp();
    const db = app.database.db;
    w = await makeTwoSchools(db);
    shared = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id, displayName: 'Jaettu Oppilas' });
    await db.insertInto('schoolRoles').values({ schoolId: w.schoolB.id, userId: shared.id, role: 'pupil' }).execute();
    await addMember(db, w.group.id, shared.id, 'pupil');
    groupB = await makeGroup(db, w.schoolB.id);
    await addMember(db, groupB.id, shared.id, 'pupil');
    await addMember(db, groupB.id, w.teacherB.id, 'teacher');
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  describe('pupil passwords', () => {
    it('hole: a teacher of one school cannot set the password of a pupil another school also holds (as an admin of one school cannot)', async () => {
      const teacherB = await app.as(w.teacherB.username);
      const res = await teacherB.post(`/api/pupils/${shared.id}/password`, { password: 'Uusi-salasana-123' });
      expect(res.status).toBe(403);
      // The pupil still signs in with the old password.
      await app.as(shared.username);
      const adminB = await app.as(w.adminB.username);
      expect((await adminB.post(`/api/pupils/${shared.id}/password`, { password: 'Uusi-salasana-123' })).status).toBe(404);
    });

    it("a teacher of another school never reaches a school A pupil's password; the pupil's own teacher does", async () => {
      const teacherB = await app.as(w.teacherB.username);
      expect((await teacherB.post(`/api/pupils/${w.pupil.id}/password`, { password: 'Uusi-salasana-123' })).status).toBe(404);
      const single = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
      await addMember(app.database.db, w.group.id, single.id, 'pupil');
      const otherTeacher = await app.as(w.otherTeacher.username);
      expect((await otherTeacher.post(`/api/pupils/${single.id}/password`, { password: 'Uusi-salasana-123' })).status).toBe(404);
      const teacher = await app.as(w.teacher.username);
      expect((await teacher.post(`/api/pupils/${single.id}/password`, { password: 'Uusi-salasana-123' })).status).toBe(200);
      // School A's admin alone (not of school B) cannot reset the shared pupil either.
      const adminA = await app.as(w.admin.username);
      expect((await adminA.post(`/api/pupils/${shared.id}/password`, { password: 'Uusi-salasana-123' })).status).toBe(404);
    });
  });

  describe("the admin's user list", () => {
    it("hole: an admin of school B cannot filter by a group of school A, learning who of B's people are in it", async () => {
      const adminB = await app.as(w.adminB.username);
      const res = await adminB.get<{ users: Array<{ id: string }> }>(`/api/schools/${w.schoolB.id}/user-directory?groupId=${w.group.id}`);
      expect(res.status).toBe(404);
      const own = await adminB.get<{ users: Array<{ id: string }> }>(`/api/schools/${w.schoolB.id}/user-directory?groupId=${groupB.id}`);
      expect(own.status).toBe(200);
      expect(own.body.users.map((u) => u.id).sort()).toEqual([shared.id, w.teacherB.id].sort());
    });

    it('treats % and _ as letters, refuses page sizes beyond the list, and never lists another school', async () => {
      const adminB = await app.as(w.adminB.username);
      const all = await adminB.get<{ users: unknown[] }>(`/api/schools/${w.schoolB.id}/user-directory?q=${encodeURIComponent('%')}`);
      expect(all.status).toBe(200);
      expect(all.body.users).toEqual([]);
      expect((await adminB.get(`/api/schools/${w.schoolB.id}/user-directory?q=_`)).body).toMatchObject({ total: 0 });
      expect((await adminB.get(`/api/schools/${w.schoolB.id}/user-directory?pageSize=100000`)).status).toBe(400);
      expect((await adminB.get(`/api/schools/${w.schoolA.id}/user-directory`)).status).toBe(404);
    });

    it("bulk actions of school B's admin reach neither school A's people nor accounts school A also holds", async () => {
      const adminB = await app.as(w.adminB.username);
      const bulk = `/api/schools/${w.schoolB.id}/users/bulk`;
      expect((await adminB.post(bulk, { action: 'deactivate', userIds: [w.admin.id] })).status).toBe(404);
      expect((await adminB.post(bulk, { action: 'deactivate', userIds: [w.pupil.id] })).status).toBe(404);
      expect((await adminB.post(bulk, { action: 'deactivate', userIds: [shared.id] })).status).toBe(403);
      expect((await adminB.post(bulk, { action: 'moveToGroup', userIds: [w.pupilB.id], groupId: w.group.id })).status).toBe(404);
      const stillActive = await app.database.db.selectFrom('users').select('active').where('id', 'in', [w.admin.id, w.pupil.id, shared.id]).execute();
      expect(stillActive.every((u) => u.active)).toBe(true);
    });
  });

  describe('peer feedback', () => {
    let project: Awaited<ReturnType<typeof makeProject>>;
    let work: Awaited<ReturnType<typeof makeArtefact>>;

    beforeAll(async () => {
      project = await makeProject(app.database.db, { schoolId: w.schoolA.id, groupIds: [w.group.id], teacherIds: [w.teacher.id] });
      work = await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id, visibility: 'guardians' });
      const teacher = await app.as(w.teacher.username);
      expect((await teacher.put(`/api/projects/${project.id}/peer-settings`, { enabled: true, moderation: 'held' })).status).toBe(200);
      const owner = await app.as(w.pupil.username);
      expect((await owner.put(`/api/artefacts/${work.id}/peer-sharing`, { shared: true })).status).toBe(200);
    });

    it("a pupil of another school, a guardian and another group's teacher neither read nor write a school's peer feedback", async () => {
      for (const who of [w.pupilB, w.guardian, w.otherGuardian, w.otherTeacher, w.teacherB, w.adminB, w.admin]) {
        const c = await app.as(who.username);
        expect((await c.get(`/api/artefacts/${work.id}/peer-work`)).status, who.username).toBe(404);
        expect((await c.get(`/api/artefacts/${work.id}/peer-feedback`)).status, who.username).toBe(404);
        expect((await c.post(`/api/artefacts/${work.id}/peer-feedback`, { star1: 'Hyvä', star2: 'Selkeä', wish: 'Lisää' })).status, who.username).toBe(404);
        expect((await c.get(`/api/projects/${project.id}/peer-work`)).status, who.username).not.toBe(200);
      }
    });

    it("a classmate reads the shared work only: not the artefact, its feedback, versions or goals; a held message stays the author's", async () => {
      const classmate = await app.as(w.classmate.username);
      expect((await classmate.get(`/api/artefacts/${work.id}/peer-work`)).status).toBe(200);
      for (const path of [
        `/api/artefacts/${work.id}`,
        `/api/artefacts/${work.id}/feedback`,
        `/api/artefacts/${work.id}/versions`,
        `/api/pupils/${w.pupil.id}/artefacts`,
      ])
        expect((await classmate.get(path)).status, path).toBe(404);
      const given = await classmate.post<{ id: string; state: string }>(`/api/artefacts/${work.id}/peer-feedback`, {
        star1: 'Hyvä',
        star2: 'Selkeä',
        wish: 'Lisää',
      });
      expect(given.status).toBe(201);
      expect(given.body.state).toBe('held');
      const owner = await app.as(w.pupil.username);
      const seen = await owner.get<{ items: unknown[] }>(`/api/artefacts/${work.id}/peer-feedback`);
      expect(seen.body.items).toEqual([]);
      // The owner cannot report (and so learn of) a held message; a classmate cannot moderate it.
      expect((await owner.post(`/api/peer-feedback/${given.body.id}/report`)).status).toBe(404);
      expect((await classmate.post(`/api/peer-feedback/${given.body.id}/moderation`, { action: 'approve' })).status).toBe(403);
      const sharedPupil = await app.as(shared.username);
      expect((await sharedPupil.post(`/api/peer-feedback/${given.body.id}/moderation`, { action: 'approve' })).status).toBe(404);
      // The guardian's view of the shared artefact carries no peer feedback and no classmate's name.
      const guardian = await app.as(w.guardian.username);
      const art = await guardian.get(`/api/artefacts/${work.id}`);
      expect(art.status).toBe(200);
      expect(JSON.stringify(art.body)).not.toContain(w.classmate.displayName);
    });

    it('hole: a classmate cannot flood one piece of work with messages (the owner reads them all)', async () => {
      const flooded = await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id });
      await peerDb(app.database.db).insertInto('artefactPeerShares').values({ artefactId: flooded.id }).execute();
      await peerDb(app.database.db)
        .insertInto('peerFeedback')
        .values(
          Array.from({ length: MAX_PEER_FEEDBACK_PER_AUTHOR }, () => ({
            artefactId: flooded.id,
            authorId: w.classmate.id,
            star1: 'a',
            star2: 'b',
            wish: 'c',
            state: 'held' as const,
          })),
        )
        .execute();
      const classmate = await app.as(w.classmate.username);
      const res = await classmate.post(`/api/artefacts/${flooded.id}/peer-feedback`, { star1: 'Hyvä', star2: 'Selkeä', wish: 'Lisää' });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'bad_request', details: [{ path: 'body' }] } });
      // Another classmate is not stopped by the first one's messages.
      const other = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
      await addMember(app.database.db, w.group.id, other.id, 'pupil');
      const second = await app.as(other.username);
      expect((await second.post(`/api/artefacts/${flooded.id}/peer-feedback`, { star1: 'Hyvä', star2: 'Selkeä', wish: 'Lisää' })).status).toBe(201);
    });
  });

  describe('sign-in card sessions', () => {
    it("a card session of an account that is also a teacher and another school's admin has only the pupil's powers", async () => {
      const db = app.database.db;
      const multi = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id });
      await addMember(db, w.group.id, multi.id, 'pupil');
      await db.insertInto('schoolRoles').values({ schoolId: w.schoolB.id, userId: multi.id, role: 'admin' }).execute();
      await db.insertInto('schoolRoles').values({ schoolId: w.schoolA.id, userId: multi.id, role: 'teacher' }).execute();
      await addMember(db, w.otherGroup.id, multi.id, 'teacher');
      const code = newCardCode();
      await db
        .insertInto('signInCards')
        .values({ schoolId: w.schoolA.id, userId: multi.id, secretHash: hashCardCode(code) })
        .execute();
      const card = app.client();
      expect((await card.post('/api/auth/card', { cardCode: code })).status).toBe(200);
      expect((await card.get(`/api/schools/${w.schoolB.id}/user-directory`)).status).toBe(404);
      expect((await card.get(`/api/groups/${w.otherGroup.id}/sign-in-cards`)).status).not.toBe(200);
      expect((await card.post(`/api/pupils/${w.classmate.id}/password`, { password: 'Uusi-salasana-123' })).status).toBe(404);
      expect((await card.post(`/api/schools/${w.schoolB.id}/users/bulk`, { action: 'deactivate', userIds: [w.pupilB.id] })).status).toBe(404);
      expect((await card.get(`/api/pupils/${w.classmate.id}/artefacts`)).status).toBe(404);
    });
  });

  describe('voice and anchored feedback', () => {
    it("neither hears another artefact's recording through a readable one, nor anchors on another artefact's picture", async () => {
      const db = app.database.db;
      const mine = await makeArtefact(db, { ownerId: w.pupil.id, visibility: 'guardians', mediaKey: 'attack11/a.png' });
      const theirs = await makeArtefact(db, { ownerId: w.classmate.id, mediaKey: 'attack11/b.png' });
      const voiced = await makeFeedback(db, theirs.id, w.teacher.id, 'Kuuntele');
      await db
        .updateTable('feedback')
        .set({
          voice: JSON.stringify({ mime: 'audio/webm', durationMs: 1000, size: 10, sha256: '0'.repeat(64), variants: { original: 'attack11/voice.webm' } }),
        })
        .where('id', '=', voiced.id)
        .execute();
      const pupil = await app.as(w.pupil.username);
      expect((await pupil.get(`/api/artefacts/${mine.id}/feedback/${voiced.id}/voice`)).status).toBe(404);
      expect((await pupil.get(`/api/artefacts/${theirs.id}/feedback/${voiced.id}/voice`)).status).toBe(404);
      const guardian = await app.as(w.guardian.username);
      expect((await guardian.get(`/api/artefacts/${mine.id}/feedback/${voiced.id}/voice`)).status).toBe(404);
      // The recording is there: its own artefact's teacher is sent on to it.
      expect((await (await app.as(w.teacher.username)).get(`/api/artefacts/${theirs.id}/feedback/${voiced.id}/voice`)).status).toBe(302);
      const teacher = await app.as(w.teacher.username);
      const foreign = await teacher.post(`/api/artefacts/${mine.id}/feedback`, {
        body: 'Tässä',
        anchor: { kind: 'region', mediaId: theirs.mediaId, x: 0.1, y: 0.1, w: 0.2, h: 0.2 },
      });
      expect(foreign.status).toBe(400);
      const teacherB = await app.as(w.teacherB.username);
      const stranger = await teacherB.post(`/api/artefacts/${mine.id}/feedback`, {
        body: 'Tässä',
        anchor: { kind: 'region', mediaId: mine.mediaId, x: 0.1, y: 0.1, w: 0.2, h: 0.2 },
      });
      expect(stranger.status).toBe(404);
    });
  });

  describe('guardians and classmates', () => {
    it("a guardian's view of the child's project names no classmate", async () => {
      const project = await makeProject(app.database.db, { schoolId: w.schoolA.id, groupIds: [w.group.id], teacherIds: [w.teacher.id] });
      const guardian = await app.as(w.guardian.username);
      for (const path of [`/api/projects/${project.id}`, `/api/projects/${project.id}/peer-work`, `/api/pupils/${w.pupil.id}/artefacts`]) {
        const res = await guardian.get(path);
        expect(JSON.stringify(res.body), path).not.toContain(w.classmate.displayName);
      }
    });
  });

  describe('guardian invitations', () => {
    it("another school's teacher cannot invite for a school A pupil; a pupil's or a teacher's account cannot accept and become a guardian", async () => {
      const teacherB = await app.as(w.teacherB.username);
      expect((await teacherB.post('/api/guardian-invitations', { pupilId: w.pupil.id })).status).toBe(404);
      expect((await teacherB.post('/api/guardian-invitations', { groupId: w.group.id })).status).toBe(404);
      const teacher = await app.as(w.teacher.username);
      const made = await teacher.post<{ letters: Array<{ code: string }> }>('/api/guardian-invitations', { pupilId: w.pupil.id });
      expect(made.status).toBe(201);
      const code = made.body.letters[0]?.code ?? '';
      const classmate = await app.as(w.classmate.username);
      expect((await classmate.post('/api/invitations/accept', { code, account: { kind: 'session' } })).status).toBe(403);
      expect((await teacher.post('/api/invitations/accept', { code, account: { kind: 'session' } })).status).toBe(403);
      const links = await app.database.db.selectFrom('guardianLinks').select('guardianId').where('pupilId', '=', w.pupil.id).execute();
      expect(links.map((l) => l.guardianId)).not.toContain(w.classmate.id);
      expect(links.map((l) => l.guardianId)).not.toContain(w.teacher.id);
    });
  });
});
