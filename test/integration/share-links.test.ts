import { SHARE_PASSCODE_LIFETIME_TRIES } from '../../server/modules/share-links/share-page.service.ts';
import { Writable } from 'node:stream';
import { randomInt } from 'node:crypto';
import pino from 'pino';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedShareLink, ShareLink, ShareLinkList } from '../../shared/api/share-links.ts';
import { artefactForm } from '../helpers/artefact-upload.ts';
import { addMember, linkGuardian, makeArtefact, makeFeedback, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { showcasesDb } from '../../server/modules/showcases/showcase-tables.ts';
import type { Db } from '../../server/db/database.ts';

/** Limits of this file's apps: their own key prefixes (a window no other run uses), so runs sharing PostgreSQL do not meet. */
const limits = (passcodeAddress: number, passcodeLink: number) => ({
  open: { points: 10_000, windowSeconds: 3600 + randomInt(100_000) },
  passcodeAddress: { points: passcodeAddress, windowSeconds: 3600 + randomInt(100_000) },
  passcodeLink: { points: passcodeLink, windowSeconds: 3600 + randomInt(100_000) },
});

/** A birth date that makes someone `age` years old today (their birthday yesterday). */
function bornYearsAgo(age: number): string {
  const d = new Date(Date.now() - 86_400_000);
  return `${d.getUTCFullYear() - age}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

async function world(db: Db, pupilAge: number | null) {
  const school = await makeSchool(db);
  const otherSchool = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const teacher = await makeUser(db, { role: 'teacher', schoolId: school.id, displayName: 'Opettaja Tuulikki Tarkka' });
  const otherTeacher = await makeUser(db, { role: 'teacher', schoolId: school.id, displayName: 'Opettaja Olli Ohi' });
  const pupil = await makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Oppilas Pinja Peltonen' });
  const classmate = await makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Luokkakaveri Kalle Kuusi' });
  const guardian = await makeUser(db, { role: 'guardian', schoolId: school.id, displayName: 'Huoltaja Hanna Peltonen' });
  const admin = await makeUser(db, { role: 'admin', schoolId: school.id });
  const teacherB = await makeUser(db, { role: 'teacher', schoolId: otherSchool.id });
  await addMember(db, group.id, teacher.id, 'teacher');
  await addMember(db, group.id, pupil.id, 'pupil');
  await addMember(db, group.id, classmate.id, 'pupil');
  await linkGuardian(db, guardian.id, pupil.id);
  if (pupilAge !== null)
    await db
      .updateTable('users')
      .set({ birthDate: bornYearsAgo(pupilAge) })
      .where('id', '=', pupil.id)
      .execute();
  const artefact = await makeArtefact(db, { ownerId: pupil.id, title: 'Vesikiertokaavio' });
  return { school, group, teacher, otherTeacher, pupil, classmate, guardian, admin, teacherB, artefact };
}

const tokenOf = (url: string) => new URL(url).pathname.slice('/s/'.length);

async function makeLink(client: TestClient, subject: { type: 'artefact' | 'showcase'; id: string }, extra: Record<string, unknown> = {}) {
  const res = await client.post<CreatedShareLink>('/api/share-links', { subject, ...extra });
  expect(res.status, res.text).toBe(201);
  return { ...res.body, token: tokenOf(res.body.url) };
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ shareLinkLimits: limits(6, 3) });
});
afterAll(async () => app?.close());

describe('who may make a secret link', () => {
  it('a pupil of the minimum age makes their own; a teacher only for a younger pupil or one of unknown age; never a guardian, an admin, another teacher or another school', async () => {
    const db = app.database.db;
    const old = await world(db, 14);
    const young = await world(db, 10);
    const unknown = await world(db, null);
    const subject = (w: typeof old) => ({ type: 'artefact' as const, id: w.artefact.id });
    const post = async (username: string, w: typeof old) =>
      (await app.as(username)).post<{ error: { code: string } }>('/api/share-links', { subject: subject(w) });

    expect((await post(old.pupil.username, old)).status).toBe(201);
    expect((await post(old.teacher.username, old)).status).toBe(403);
    expect((await post(young.pupil.username, young)).status).toBe(403);
    expect((await post(young.teacher.username, young)).status).toBe(201);
    expect((await post(unknown.pupil.username, unknown)).status).toBe(403);
    expect((await post(unknown.teacher.username, unknown)).status).toBe(201);
    for (const w of [old, young]) {
      expect((await post(w.guardian.username, w)).status).toBe(404);
      expect((await post(w.admin.username, w)).status).toBe(404);
      expect((await post(w.otherTeacher.username, w)).status).toBe(404);
      expect((await post(w.classmate.username, w)).status).toBe(404);
      expect((await post(w.teacherB.username, w)).status).toBe(404);
    }
    // What the panel is told.
    const list = await (await app.as(young.pupil.username)).get<ShareLinkList>(`/api/share-links?subjectType=artefact&subjectId=${young.artefact.id}`);
    expect(list.status).toBe(200);
    expect(list.body.createBlocked).toBe('teacher_only');
    expect(list.body.links).toHaveLength(1);
    expect(list.body.links[0]?.createdBy?.id).toBe(young.teacher.id);
  });

  it("the school's minimum age is a setting of its admins", async () => {
    const db = app.database.db;
    const w = await world(db, 14);
    const admin = await app.as(w.admin.username);
    const school = await admin.get<{ shareLinkMinAge: number }>(`/api/schools/${w.school.id}`);
    expect(school.body.shareLinkMinAge).toBe(13);
    expect((await admin.patch(`/api/schools/${w.school.id}`, { shareLinkMinAge: 99 })).status).toBe(400);
    const saved = await admin.patch<{ shareLinkMinAge: number }>(`/api/schools/${w.school.id}`, { shareLinkMinAge: 15 });
    expect(saved.status).toBe(200);
    expect(saved.body.shareLinkMinAge).toBe(15);
    expect((await (await app.as(w.teacher.username)).patch(`/api/schools/${w.school.id}`, { shareLinkMinAge: 10 })).status).toBe(403);
    const pupil = await app.as(w.pupil.username);
    expect((await pupil.post('/api/share-links', { subject: { type: 'artefact', id: w.artefact.id } })).status).toBe(403);
    expect((await (await app.as(w.teacher.username)).post('/api/share-links', { subject: { type: 'artefact', id: w.artefact.id } })).status).toBe(201);
  });
});

describe('a sign-in card session', () => {
  it('does not publish: the pupil makes links only from a full session', async () => {
    const w = await world(app.database.db, 14);
    const issued = await (
      await app.as(w.teacher.username)
    ).post<{ cards: Array<{ url: string }> }>(`/api/groups/${w.group.id}/sign-in-cards`, {
      pupilIds: [w.pupil.id],
    });
    expect(issued.status).toBe(201);
    const card = app.client();
    expect((await card.post('/api/auth/card', { cardCode: issued.body.cards[0]?.url.split('#')[1] ?? '' })).status).toBe(200);
    const subject = { type: 'artefact', id: w.artefact.id };
    expect((await card.post('/api/share-links', { subject })).status).toBe(403);
    const list = await card.get<ShareLinkList>(`/api/share-links?subjectType=artefact&subjectId=${w.artefact.id}`);
    expect(list.body.createBlocked).toBe('not_allowed');
    expect((await (await app.as(w.pupil.username)).post('/api/share-links', { subject })).status).toBe(201);
  });
});

describe('expiry', () => {
  it('is 30 days unless chosen, and at most a year', async () => {
    const w = await world(app.database.db, 14);
    const pupil = await app.as(w.pupil.username);
    const made = await makeLink(pupil, { type: 'artefact', id: w.artefact.id });
    const days = (l: ShareLink) => (Date.parse(l.expiresAt) - Date.parse(l.createdAt)) / 86_400_000;
    expect(days(made.link)).toBe(30);
    expect(days((await makeLink(pupil, { type: 'artefact', id: w.artefact.id }, { expiresInDays: 365 })).link)).toBe(365);
    const tooLong = await pupil.post('/api/share-links', { subject: { type: 'artefact', id: w.artefact.id }, expiresInDays: 366 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.text).toMatch(/one year/);
    // The token is long and random: 32 bytes of base64url.
    expect(made.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('the public page', () => {
  it('opens without an account, names no one else, shows the name only when chosen, and feedback only when included (by role)', async () => {
    const db = app.database.db;
    const w = await world(db, 14);
    await makeFeedback(db, w.artefact.id, w.teacher.id, 'Selkeä kaavio, lisää nuolet.');
    await makeFeedback(db, w.artefact.id, w.pupil.id, 'Kiitos, lisään!');
    const pupil = await app.as(w.pupil.username);
    const plain = await makeLink(pupil, { type: 'artefact', id: w.artefact.id });
    const full = await makeLink(pupil, { type: 'artefact', id: w.artefact.id }, { includeFeedback: true, showName: true });

    const anonymous = app.client();
    const page = await anonymous.get(`/s/${plain.token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Vesikiertokaavio');
    expect(page.text).not.toContain('Selkeä kaavio');
    for (const name of ['Tuulikki', 'Kalle', 'Hanna', 'Olli', 'Pinja']) expect(page.text).not.toContain(name);

    const withAll = await anonymous.get(`/s/${full.token}`);
    expect(withAll.status).toBe(200);
    expect(withAll.text).toContain('Selkeä kaavio, lisää nuolet.');
    expect(withAll.text).toContain('Kiitos, lisään!');
    expect(withAll.text).toContain('Oppilas Pinja Peltonen');
    for (const name of ['Tuulikki', 'Kalle', 'Hanna', 'Olli']) expect(withAll.text).not.toContain(name);
    expect(withAll.text).toMatch(/<strong>opettaja<\/strong>/);
    expect(withAll.text).toMatch(/<strong>oppilas<\/strong>/);

    // A HEAD (a link checker, a chat app's preview probe) is not a visit.
    expect((await anonymous.request('HEAD', `/s/${plain.token}`)).status).toBe(200);

    // Last access and count are listed.
    const list = await pupil.get<ShareLinkList>(`/api/share-links?subjectType=artefact&subjectId=${w.artefact.id}`);
    const listed = list.body.links.find((l) => l.id === plain.link.id);
    expect(listed?.accessCount).toBe(1);
    expect(listed?.lastAccessedAt).not.toBeNull();
  });

  it('carries noindex, no-referrer and no shared caching, on the page and on the not-available answer', async () => {
    const w = await world(app.database.db, 14);
    const made = await makeLink(await app.as(w.pupil.username), { type: 'artefact', id: w.artefact.id });
    for (const path of [`/s/${made.token}`, `/s/${'x'.repeat(43)}`]) {
      const res = await app.client().get(path);
      expect(res.headers.get('x-robots-tag')).toMatch(/noindex/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toMatch(/no-store/);
      expect(res.headers.get('cache-control')).toMatch(/private/);
      expect(res.text).toContain('<meta name="robots" content="noindex, nofollow"/>');
    }
  });

  it('answers an unknown, an expired and a revoked link with the very same page', async () => {
    const db = app.database.db;
    const w = await world(db, 14);
    const pupil = await app.as(w.pupil.username);
    const expired = await makeLink(pupil, { type: 'artefact', id: w.artefact.id });
    const revoked = await makeLink(pupil, { type: 'artefact', id: w.artefact.id });
    const live = await makeLink(pupil, { type: 'artefact', id: w.artefact.id });
    await db
      .withTables<{ shareLinks: { id: string; createdAt: Date; expiresAt: Date } }>()
      .updateTable('shareLinks')
      .set({ createdAt: new Date(Date.now() - 40 * 86_400_000), expiresAt: new Date(Date.now() - 10 * 86_400_000) })
      .where('id', '=', expired.link.id)
      .execute();
    expect((await pupil.post(`/api/share-links/${revoked.link.id}/revoke`)).status).toBe(200);

    const answers = await Promise.all(
      [expired.token, revoked.token, 'A'.repeat(43), 'not-a-token', `${live.token.slice(0, -1)}${live.token.endsWith('A') ? 'B' : 'A'}`].map((t) =>
        app.client().get(`/s/${t}`),
      ),
    );
    const first = answers[0]!;
    expect(first.status).toBe(404);
    expect(first.text).toContain('Linkki ei ole käytettävissä');
    expect(first.text).toContain('Länken är inte tillgänglig');
    expect(first.text).toContain('This link is not available');
    for (const a of answers) {
      expect(a.status).toBe(first.status);
      expect(a.text).toBe(first.text);
      expect(a.headers.get('content-type')).toBe(first.headers.get('content-type'));
    }
    expect((await app.client().get(`/s/${live.token}`)).status).toBe(200);
  });

  it('revoking takes effect at once, for the page and its signed media URLs; the owner, the maker and the teachers revoke, no one else', async () => {
    const db = app.database.db;
    const w = await world(db, 14);
    const pupil = await app.as(w.pupil.username);
    const png = await sharp({ create: { width: 24, height: 16, channels: 3, background: '#2a6' } })
      .png()
      .toBuffer();
    const created = await pupil.post<{ id: string }>(
      '/api/artefacts',
      artefactForm({ title: 'Kuvatyö' }, [{ name: 'kuva.png', type: 'image/png', bytes: png }]),
    );
    expect(created.status).toBe(201);
    const made = await makeLink(pupil, { type: 'artefact', id: created.body.id });
    const page = await app.client().get(`/s/${made.token}`);
    expect(page.status).toBe(200);
    const src = /<img src="([^"]+)"/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
    expect(src).toBeDefined();
    expect(src).not.toContain(made.token);
    const before = await fetch(new URL(src!, app.url));
    expect(before.status).toBe(200);

    for (const who of [w.classmate, w.guardian, w.otherTeacher, w.admin, w.teacherB]) {
      expect((await (await app.as(who.username)).post(`/api/share-links/${made.link.id}/revoke`)).status).toBe(404);
    }
    const revoked = await pupil.post<ShareLink>(`/api/share-links/${made.link.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.state).toBe('revoked');
    expect((await fetch(new URL(src!, app.url))).status).toBe(404);
    expect((await app.client().get(`/s/${made.token}`)).status).toBe(404);

    // A teacher of the pupil revokes too.
    const second = await makeLink(pupil, { type: 'artefact', id: created.body.id });
    expect((await (await app.as(w.teacher.username)).post(`/api/share-links/${second.link.id}/revoke`)).status).toBe(200);
    expect((await app.client().get(`/s/${second.token}`)).status).toBe(404);
  });

  it(
    'closes a link after SHARE_PASSCODE_LIFETIME_TRIES wrong passcodes over its whole life, whatever the hourly limits (attack review 14)',
    { timeout: 120_000 },
    async () => {
      // Generous hourly limits, as over many hours: only the lifetime cap stands between a guesser and a short passcode.
      const patient = await startTestApp({ shareLinkLimits: limits(10_000, 10_000), database: app.database });
      try {
        const w = await world(app.database.db, 14);
        const pupil = await patient.as(w.pupil.username);
        const link = await makeLink(pupil, { type: 'artefact', id: w.artefact.id }, { passcode: '4826' });
        const browser = patient.client();
        const post = (passcode: string) =>
          browser.request('POST', `/s/${link.token}`, `passcode=${encodeURIComponent(passcode)}`, { 'content-type': 'application/x-www-form-urlencoded' });
        for (let i = 0; i < SHARE_PASSCODE_LIFETIME_TRIES - 1; i++) expect((await post(String(1000 + i))).status).toBe(401);
        expect((await post('4826')).status).toBe(303);
        expect((await post('0000')).status).toBe(401);
        // The last wrong one closed it: the right passcode no longer opens it, and the page is the one of an unknown link.
        const closed = await post('4826');
        expect(closed.status).toBe(404);
        expect(closed.text).toBe((await browser.get(`/s/${'A'.repeat(43)}`)).text);
        const listed = await pupil.get<{ links: Array<{ id: string; state: string }> }>(`/api/share-links?subjectType=artefact&subjectId=${w.artefact.id}`);
        expect(listed.body.links.find((l) => l.id === link.link.id)?.state).toBe('revoked');
      } finally {
        await patient.close();
      }
    },
  );

  it('asks for a passcode; wrong ones are limited per link and per address; the right one opens this link only', async () => {
    const db = app.database.db;
    const w = await world(db, 14);
    const pupil = await app.as(w.pupil.username);
    const locked = await makeLink(pupil, { type: 'artefact', id: w.artefact.id }, { passcode: 'kissa123' });
    const other = await makeLink(pupil, { type: 'artefact', id: w.artefact.id }, { passcode: 'koira456' });
    const browser = app.client();
    const post = (token: string, passcode: string) =>
      browser.request('POST', `/s/${token}`, `passcode=${encodeURIComponent(passcode)}`, { 'content-type': 'application/x-www-form-urlencoded' });

    const ask = await browser.get(`/s/${locked.token}`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('name="passcode"');
    expect(ask.text).not.toContain('Vesikiertokaavio');

    // This app allows 3 tries per link and 6 per address.
    for (let i = 0; i < 3; i++) expect((await post(locked.token, `väärä${i}`)).status).toBe(401);
    expect((await post(locked.token, 'kissa123')).status).toBe(429);
    // The other link still takes the right passcode from this address (4 of its 6 tries used, one given back).
    const opened = await post(other.token, 'koira456');
    expect(opened.status).toBe(303);
    expect(opened.headers.getSetCookie().join(';')).toMatch(/polku\.share=.*Path=\/s\//i);
    const page = await browser.get(`/s/${other.token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Vesikiertokaavio');
    // ...and the pass is for that link only.
    const third = await makeLink(pupil, { type: 'artefact', id: w.artefact.id }, { passcode: 'hiiri789' });
    expect((await browser.get(`/s/${third.token}`)).text).toContain('name="passcode"');
    // The address's tries run out (4 counted: the right one gave its try back); two more wrong, then even the right one waits.
    expect((await post(third.token, 'väärä1')).status).toBe(401);
    expect((await post(third.token, 'väärä2')).status).toBe(401);
    expect((await post(third.token, 'hiiri789')).status).toBe(429);
  });

  it('audits every look by the link id, never the token', async () => {
    const db = app.database.db;
    const w = await world(db, 14);
    const made = await makeLink(await app.as(w.pupil.username), { type: 'artefact', id: w.artefact.id });
    await app.client().get(`/s/${made.token}`);
    const rows = await db.selectFrom('auditEvents').selectAll().where('subjectId', '=', made.link.id).execute();
    expect(rows.map((r) => r.action).sort()).toEqual(['shareLink.create', 'shareLink.open']);
    expect(rows.find((r) => r.action === 'shareLink.open')?.subjectUserId).toBe(w.pupil.id);
    const anywhere = await db
      .selectFrom('auditEvents')
      .select('id')
      .where((eb) =>
        eb.or([eb(eb.cast('details', 'text'), 'like', `%${made.token}%`), eb('subjectId', '=', made.token), eb('action', 'like', `%${made.token}%`)]),
      )
      .execute();
    expect(anywhere).toEqual([]);
    expect(JSON.stringify(rows)).not.toContain(made.token);
  });

  it("shows a showcase's items in their order, and never another pupil's artefact through it", async () => {
    const db = app.database.db;
    const w = await world(db, 14);
    const first = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Ensimmäinen työ' });
    const second = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Toinen työ' });
    const strangers = await makeArtefact(db, { ownerId: w.classmate.id, title: 'Kaverin työ' });
    const sdb = showcasesDb(db);
    const showcase = await sdb.insertInto('showcases').values({ ownerId: w.pupil.id, title: 'Kevään kooste' }).returning('id').executeTakeFirstOrThrow();
    // Inserted out of order: the page follows `position`.
    await sdb
      .insertInto('showcaseItems')
      .values([
        { showcaseId: showcase.id, position: 2, artefactId: first.id, heading: 'Kolmas kohta' },
        { showcaseId: showcase.id, position: 0, artefactId: null, heading: 'Ensimmäinen kohta', bodyHtml: '<p>Johdanto</p>' },
        { showcaseId: showcase.id, position: 1, artefactId: second.id, heading: 'Toinen kohta' },
        { showcaseId: showcase.id, position: 3, artefactId: strangers.id, heading: 'Vieras kohta' },
      ])
      .execute();
    const made = await makeLink(await app.as(w.pupil.username), { type: 'showcase', id: showcase.id });
    const page = await app.client().get(`/s/${made.token}`);
    expect(page.status).toBe(200);
    const order = ['Ensimmäinen kohta', 'Toinen kohta', 'Kolmas kohta'].map((h) => page.text.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(page.text).toContain('Toinen työ');
    // Another pupil's artefact never shows through this pupil's showcase.
    expect(page.text).not.toContain('Kaverin työ');
    // Only the owner's teachers and the owner list a showcase's links.
    expect((await (await app.as(w.guardian.username)).get(`/api/share-links?subjectType=showcase&subjectId=${showcase.id}`)).status).toBe(404);
    expect((await (await app.as(w.teacher.username)).get(`/api/share-links?subjectType=showcase&subjectId=${showcase.id}`)).status).toBe(200);
  });
});

describe("a showcase link's media", () => {
  it('open only while the artefact is still in the showcase', async () => {
    const db = app.database.db;
    const w = await world(db, 14);
    const pupil = await app.as(w.pupil.username);
    const png = await sharp({ create: { width: 20, height: 12, channels: 3, background: '#a62' } })
      .png()
      .toBuffer();
    const created = await pupil.post<{ id: string }>(
      '/api/artefacts',
      artefactForm({ title: 'Koosteen kuva' }, [{ name: 'k.png', type: 'image/png', bytes: png }]),
    );
    expect(created.status).toBe(201);
    const sdb = showcasesDb(db);
    const showcase = await sdb.insertInto('showcases').values({ ownerId: w.pupil.id, title: 'Kuvakooste' }).returning('id').executeTakeFirstOrThrow();
    const item = await sdb
      .insertInto('showcaseItems')
      .values({ showcaseId: showcase.id, position: 0, artefactId: created.body.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const made = await makeLink(pupil, { type: 'showcase', id: showcase.id });
    const page = await app.client().get(`/s/${made.token}`);
    const src = /<img src="([^"]+)"/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
    expect(src).toBeDefined();
    expect((await fetch(new URL(src!, app.url))).status).toBe(200);
    await sdb.deleteFrom('showcaseItems').where('id', '=', item.id).execute();
    expect((await fetch(new URL(src!, app.url))).status).toBe(404);
  });
});

describe('logs', () => {
  it('never hold a link token, through the page, the passcode and the media', { timeout: 60_000 }, async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logged = await startTestApp({ logger: pino({ level: 'trace' }, stream), shareLinkLimits: limits(20, 20), database: app.database });
    try {
      const w = await world(logged.database.db, 14);
      const pupil = await logged.as(w.pupil.username, TEST_PASSWORD);
      const open = await makeLink(pupil, { type: 'artefact', id: w.artefact.id });
      const locked = await makeLink(pupil, { type: 'artefact', id: w.artefact.id }, { passcode: 'salasana' });
      const browser = logged.client();
      expect((await browser.get(`/s/${open.token}`)).status).toBe(200);
      await browser.request('POST', `/s/${locked.token}`, 'passcode=wrong1', { 'content-type': 'application/x-www-form-urlencoded' });
      expect((await browser.request('POST', `/s/${locked.token}`, 'passcode=salasana', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(
        303,
      );
      expect((await browser.get(`/s/${locked.token}`)).status).toBe(200);
      // A request that fails inside the page's router (a cross-site post) is logged too.
      await browser.request('POST', `/s/${open.token}`, 'passcode=x', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' });
      const text = lines.join('');
      expect(text).toContain('/s/[redacted]');
      for (const token of [open.token, locked.token]) expect(text).not.toContain(token);
    } finally {
      await logged.close();
    }
  });
});
