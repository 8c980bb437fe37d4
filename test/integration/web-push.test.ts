import { createECDH, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error http_ece ships no types; decrypt(buffer, params) is all the test uses.
import ece from 'http_ece';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PreferencesView } from '../../shared/api/digest.ts';
import { runningWeek, sendInstant } from '../../server/modules/digest/digest-week.ts';
import { loadVapidKeys, VAPID_FILE } from '../../server/modules/push/vapid.ts';
import { addMember, linkGuardian, makeArtefact, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { freePort } from '../helpers/free-port.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 12 §5: Web Push. A local HTTP server plays the push service; the test decrypts what it receives
// with the subscription's private key (aes128gcm), as a browser would.
const decrypt = (ece as { decrypt(buffer: Buffer, params: Record<string, unknown>): Buffer }).decrypt;

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
let pushServer: Server;
let pushOrigin: string;
const received: Received[] = [];
let answer = 201;
let app: TestApp;
/** The defaults: Friday 15:00 in the school's (default) time zone. */
const SEND = { day: 5, minute: 15 * 60 };
const ZONE = 'Europe/Helsinki';

beforeAll(async () => {
  const port = await freePort();
  pushServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.statusCode = answer;
      res.end();
    });
  });
  await new Promise<void>((resolve) => pushServer.listen(port, '127.0.0.1', resolve));
  pushOrigin = `http://127.0.0.1:${port}`;
  app = await startTestApp({ env: { PUSH_ENDPOINT_HOSTS: `${pushOrigin},fcm.googleapis.com` } });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await new Promise<void>((resolve) => pushServer.close(() => resolve()));
});

/** A browser's subscription: its own key pair and auth secret, as PushManager.subscribe() makes them. */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
}

async function world() {
  const db = app.database.db;
  const school = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const pupil = await makeUser(db, { role: 'pupil', schoolId: school.id, displayName: 'Aino Salainen' });
  const guardian = await makeUser(db, { role: 'guardian', schoolId: school.id });
  await addMember(db, group.id, pupil.id, 'pupil');
  await linkGuardian(db, guardian.id, pupil.id);
  return { pupil, guardian, c: { pupil: await app.as(pupil.username), guardian: await app.as(guardian.username) } };
}

async function subscribe(client: TestClient, endpoint: string, keys: { p256dh: string; auth: string }) {
  return client.post('/api/push/subscriptions', { endpoint, keys });
}

describe('Web Push', () => {
  it('keeps the VAPID key pair in the data folder (0600), the same for processes starting at once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'polku-vapid-'));
    try {
      const pairs = await Promise.all(Array.from({ length: 6 }, () => loadVapidKeys(dir, {})));
      expect(new Set(pairs.map((p) => p.publicKey)).size).toBe(1);
      const file = path.join(dir, VAPID_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(pairs[0]);
      expect(await loadVapidKeys(dir, {})).toEqual(pairs[0]);
      expect(await loadVapidKeys(dir, { publicKey: 'p'.repeat(87), privateKey: 'q'.repeat(43) })).toEqual({
        publicKey: 'p'.repeat(87),
        privateKey: 'q'.repeat(43),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const res = await (await app.as((await world()).pupil.username)).get<{ publicKey: string }>('/api/push/public-key');
    expect(res.status).toBe(200);
    expect(res.body.publicKey).toBe(JSON.parse(await readFile(path.join(app.config.dataDir, VAPID_FILE), 'utf8')).publicKey);
  });

  it('refuses endpoints that are not an allowed push service (internal hosts, plain http, look-alikes)', async () => {
    const w = await world();
    const { keys } = browserKeys();
    for (const endpoint of [
      'http://10.0.0.1/push',
      'https://intranet.koulu.example/push',
      'http://fcm.googleapis.com/fcm/send/x',
      'https://fcm.googleapis.com.evil.example/fcm/send/x',
      'https://user:pw@fcm.googleapis.com/fcm/send/x',
      `${pushOrigin.replace('127.0.0.1', 'localhost')}/x`,
      'javascript:alert(1)',
    ]) {
      const res = await subscribe(w.c.pupil, endpoint, keys);
      expect(res.status, endpoint).toBe(400);
    }
    expect((await subscribe(w.c.pupil, 'https://fcm.googleapis.com/fcm/send/abc', keys)).status).toBe(200);
  });

  it('sends an encrypted, generic message for a new notification; a 410 deletes the subscription', async () => {
    const w = await world();
    const browser = browserKeys();
    const endpoint = `${pushOrigin}/push/${randomBytes(8).toString('hex')}`;
    expect((await subscribe(w.c.guardian, endpoint, browser.keys)).status).toBe(200);
    const prefs = await w.c.guardian.put<PreferencesView>('/api/notification-preferences', { frequency: 'every', email: false, push: true });
    expect(prefs.body).toMatchObject({ pushAvailable: true, pushSubscriptions: 1 });

    const work = await makeArtefact(app.database.db, { ownerId: w.pupil.id, title: 'Salainen otsikko' });
    expect((await w.c.pupil.patch(`/api/artefacts/${work.id}`, { visibility: 'guardians' })).status).toBe(200);
    await app.polku.maintenance.runDigest();
    await app.polku.maintenance.runDigest();

    const mine = received.filter((r) => r.path === new URL(endpoint).pathname);
    expect(mine).toHaveLength(1);
    const [push] = mine;
    expect(push!.headers['content-encoding']).toBe('aes128gcm');
    expect(String(push!.headers.authorization)).toMatch(/^vapid t=.+, k=.+/);
    const plain = decrypt(push!.body, { version: 'aes128gcm', privateKey: browser.ecdh, authSecret: browser.keys.auth }).toString('utf8');
    expect(JSON.parse(plain)).toEqual({ title: 'Polku: uusi ilmoitus', url: '/notifications' });
    // Neither the ciphertext nor the message holds a name or a title.
    expect(plain).not.toContain('Aino');
    expect(plain).not.toContain('Salainen');

    // The push service says the subscription is gone: it is deleted, and nothing more goes there.
    answer = 410;
    try {
      const next = await makeArtefact(app.database.db, { ownerId: w.pupil.id });
      expect((await w.c.pupil.patch(`/api/artefacts/${next.id}`, { visibility: 'guardians' })).status).toBe(200);
      await app.polku.maintenance.runDigest();
    } finally {
      answer = 201;
    }
    expect(received.filter((r) => r.path === new URL(endpoint).pathname)).toHaveLength(2);
    const after = await w.c.guardian.get<PreferencesView>('/api/notification-preferences');
    expect(after.body.pushSubscriptions).toBe(0);
  });

  it('a card session (a pupil on a shared classroom device) changes no settings and subscribes no browser; the password session may', async () => {
    const db = app.database.db;
    const school = await makeSchool(db);
    const group = await makeGroup(db, school.id);
    const pupil = await makeUser(db, { role: 'pupil', schoolId: school.id });
    const teacher = await makeUser(db, { role: 'teacher', schoolId: school.id });
    await addMember(db, group.id, pupil.id, 'pupil');
    await addMember(db, group.id, teacher.id, 'teacher');
    const issued = await (
      await app.as(teacher.username)
    ).post<{ cards: Array<{ url: string }> }>(`/api/groups/${group.id}/sign-in-cards`, { pupilIds: [pupil.id] });
    expect(issued.status).toBe(201);
    const card = app.client();
    expect((await card.post('/api/auth/card', { cardCode: issued.body.cards[0]?.url.split('#')[1] ?? '' })).status).toBe(200);
    const { keys } = browserKeys();
    const endpoint = `${pushOrigin}/push/${randomBytes(8).toString('hex')}`;
    expect((await card.get('/api/notification-preferences')).status).toBe(404);
    expect((await card.put('/api/notification-preferences', { frequency: 'every', email: true, push: true })).status).toBe(404);
    expect((await subscribe(card, endpoint, keys)).status).toBe(404);
    const password = await app.as(pupil.username);
    expect((await subscribe(password, endpoint, keys)).status).toBe(200);
    expect((await password.put('/api/notification-preferences', { frequency: 'every', email: true, push: true })).status).toBe(200);
  });

  it("tells a weekly-digest guardian's browsers, once, that the digest is ready", async () => {
    const w = await world();
    const browser = browserKeys();
    const endpoint = `${pushOrigin}/push/${randomBytes(8).toString('hex')}`;
    expect((await subscribe(w.c.guardian, endpoint, browser.keys)).status).toBe(200);
    const work = await makeArtefact(app.database.db, { ownerId: w.pupil.id, title: 'Salainen otsikko' });
    expect((await w.c.pupil.patch(`/api/artefacts/${work.id}`, { visibility: 'guardians' })).status).toBe(200);
    const week = runningWeek(new Date(), ZONE, SEND);
    const afterSend = new Date(sendInstant(week, ZONE, SEND).getTime() + 60_000);
    await app.polku.maintenance.runDigest(afterSend);
    await app.polku.maintenance.runDigest(afterSend);
    const mine = received.filter((r) => r.path === new URL(endpoint).pathname);
    expect(mine).toHaveLength(1);
    const plain = decrypt(mine[0]!.body, { version: 'aes128gcm', privateKey: browser.ecdh, authSecret: browser.keys.auth }).toString('utf8');
    expect(JSON.parse(plain)).toEqual({ title: 'Polku: viikkokooste on valmis', url: `/digest?week=${week}` });
  });

  it('unsubscribes only your own browser', async () => {
    const w = await world();
    const { keys } = browserKeys();
    const endpoint = `${pushOrigin}/push/${randomBytes(8).toString('hex')}`;
    expect((await subscribe(w.c.guardian, endpoint, keys)).status).toBe(200);
    expect((await w.c.pupil.post('/api/push/subscriptions/remove', { endpoint })).status).toBe(404);
    expect((await w.c.guardian.post('/api/push/subscriptions/remove', { endpoint })).status).toBe(200);
    expect((await w.c.guardian.get<PreferencesView>('/api/notification-preferences')).body.pushSubscriptions).toBe(0);
  });
});
