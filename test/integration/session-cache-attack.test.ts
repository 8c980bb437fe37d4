import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { linkGuardian, makeTwoSchools, makeUser, addMember } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { TestClient } from '../helpers/test-client.ts';

/**
 * The session cache (SESSION_CACHE_MS) attacked: each check is a way a cached session or its user's
 * facts could outlive what Polku itself changed, beyond the documented window. A cache far longer
 * than the test (a minute) means only forgetting can explain a changed answer.
 */
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
const timeline = (pupilId: string) => `/api/pupils/${pupilId}/artefacts`;

/** The same session cookie with its value in double quotes, which express-session (and RFC 6265) accept. */
const quoted = (cookieHeader: string) => cookieHeader.replace(/^polku\.sid=([^;]*)/, 'polku.sid="$1"');

describe('writes are decided and forgotten by the session they actually run as', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { SESSION_CACHE_MS: '60000' } });
    w = await makeTwoSchools(app.database.db);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("forgets after a signed-in write whatever the cookie's spelling (a quoted value)", async () => {
    const db = app.database.db;
    const guardian = await makeUser(db, { role: 'guardian', schoolId: w.schoolA.id });
    await linkGuardian(db, guardian.id, w.pupil.id);
    const asGuardian = await app.as(guardian.username);
    expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(200);
    // An admin's API client that quotes its cookie: express-session signs it in all the same.
    const admin = await app.as(w.admin.username);
    const adminQuoted = new TestClient(app.url, { cookie: quoted(admin.cookieHeader) });
    expect((await adminQuoted.delete(`/api/guardian-links/${guardian.id}/${w.pupil.id}`)).status).toBe(200);
    expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(404);
  });

  it('forgets after a signed-in write whose client went away before the answer', async () => {
    const db = app.database.db;
    const guardian = await makeUser(db, { role: 'guardian', schoolId: w.schoolA.id });
    await linkGuardian(db, guardian.id, w.pupil.id);
    const asGuardian = await app.as(guardian.username);
    expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(200);
    const admin = await app.as(w.admin.username);
    // The admin's tab closes right after sending: the removal still commits, but Node sends no headers.
    const { port } = new URL(app.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const path = `/api/guardian-links/${guardian.id}/${w.pupil.id}`;
    const request = `DELETE ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${app.url}\r\nCookie: ${admin.cookieHeader}\r\nContent-Length: 0\r\n\r\n`;
    // Sent, then the connection reset: the server's response is destroyed while the handler still runs.
    await new Promise<void>((resolve) => socket.write(request, () => resolve()));
    socket.resetAndDestroy();
    const linked = () => db.selectFrom('guardianLinks').select('pupilId').where('guardianId', '=', guardian.id).execute();
    await vi.waitFor(async () => expect(await linked()).toEqual([]), { timeout: 10_000, interval: 20 });
    // The handler may still be finishing its answer after the commit; within a cache of a minute, only
    // forgetting can turn the guardian away.
    await vi.waitFor(async () => expect((await asGuardian.get(timeline(w.pupil.id))).status).toBe(404), { timeout: 10_000, interval: 50 });
  });

  it('authorises every write on the database as it is, not on a cached session', async () => {
    const db = app.database.db;
    const pupil = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id });
    await addMember(db, w.group.id, pupil.id, 'pupil');
    const asPupil = await app.as(pupil.username);
    // Cached by a read.
    expect((await asPupil.get('/api/me')).status).toBe(200);
    // Deactivated beside Polku: reads may see it within SESSION_CACHE_MS, a write must see it at once.
    await db.updateTable('users').set({ active: false }).where('id', '=', pupil.id).execute();
    const pupilQuoted = new TestClient(app.url, { cookie: quoted(asPupil.cookieHeader) });
    expect((await pupilQuoted.patch('/api/me', { locale: 'sv' })).status).toBe(401);
    expect((await asPupil.patch('/api/me', { locale: 'sv' })).status).toBe(401);
    const row = await db.selectFrom('users').select('locale').where('id', '=', pupil.id).executeTakeFirstOrThrow();
    expect(row.locale).not.toBe('sv');
  });
});

describe('a socket handshake reads the session as it is', () => {
  const opened: Socket[] = [];
  afterEach(() => {
    for (const socket of opened.splice(0)) socket.disconnect();
  });

  it('refuses a session ended in another process, even while that process has not been told', async () => {
    // Two processes on one database without an adapter: the second never hears of the first's writes,
    // as if the word were still on its way. A handshake is rare enough to read the database.
    const env = { SESSION_CACHE_MS: '60000' };
    const first = await startTestApp({ env });
    const second = await startTestApp({ env: { ...env, SESSION_SECRET: first.config.sessionSecret }, database: first.database });
    try {
      const db = first.database.db;
      const pupil = await makeUser(db, { role: 'pupil' });
      const onFirst = await first.as(pupil.username);
      const cookie = onFirst.cookieHeader;
      expect((await new TestClient(second.url, { cookie }).get('/api/me')).status).toBe(200);
      expect((await onFirst.post('/api/auth/logout')).status).toBe(200);
      const socket = io(second.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false, forceNew: true });
      opened.push(socket);
      const outcome = await new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'));
        socket.once('connect_error', (err) => resolve(err.message));
      });
      expect(outcome).toBe('unauthenticated');
    } finally {
      await second.close();
      await first.close();
    }
  }, 60_000);
});

describe('the session reader reads the cookie as express-session does', () => {
  it('knows a quoted cookie value, as the write path does, and nothing that is not signed', async () => {
    const app = await startTestApp();
    try {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const client = await app.as(pupil.username);
      const asQuoted = new TestClient(app.url, { cookie: quoted(client.cookieHeader) });
      expect((await asQuoted.get('/api/me')).status).toBe(200);
      expect((await asQuoted.patch('/api/me', { locale: 'en' })).status).toBe(200);
      // Quotes around an unsigned or forged value sign nobody in.
      const sid = /polku\.sid=s%3A([^.]+)\./.exec(client.cookieHeader)?.[1] ?? '';
      for (const cookie of [`polku.sid="${sid}"`, `polku.sid="s%3A${sid}.forged"`, `polku.sid=%22s%3A${sid}%22`]) {
        expect((await new TestClient(app.url, { cookie }).get('/api/me')).status).toBe(401);
        expect((await new TestClient(app.url, { cookie }).patch('/api/me', { locale: 'en' })).status).toBe(401);
      }
    } finally {
      await app.close();
    }
  });
});
