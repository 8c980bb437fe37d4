import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import pg from 'pg';
import { createClient } from 'redis';
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { userRoom } from '../../shared/realtime.ts';
import { makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { testDatabaseKind } from '../helpers/test-db.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const REDIS_URL = 'redis://127.0.0.1:6379';

function reachable(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host, timeout: 1000 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
const redisUp = await reachable(6379);

/** A real Socket.IO client that records what it hears, including its own disconnect. */
class Listener {
  readonly events: Array<{ event: string; payload: unknown }> = [];
  constructor(readonly socket: ClientSocket) {
    socket.onAny((event: string, payload: unknown) => this.events.push({ event, payload }));
    socket.on('disconnect', (reason) => this.events.push({ event: 'disconnect', payload: reason }));
  }
  named(event: string) {
    return this.events.filter((e) => e.event === event).map((e) => e.payload);
  }
  async heard(event: string, payload?: unknown) {
    await vi.waitFor(() => expect(this.named(event)).toContainEqual(payload ?? expect.anything()), { timeout: 5000, interval: 20 });
  }
}

const opened: ClientSocket[] = [];
function openSocket(url: string, headers: Record<string, string>, transports: Array<'websocket' | 'polling'> = ['websocket']): ClientSocket {
  const socket: ClientSocket = io(url, { transports, extraHeaders: headers, reconnection: false, forceNew: true });
  opened.push(socket);
  return socket;
}

/** Connects, or rejects with the server's connect_error. */
function connectSocket(url: string, headers: Record<string, string>, transports?: Array<'websocket' | 'polling'>): Promise<Listener> {
  const socket = openSocket(url, headers, transports);
  const listener = new Listener(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(listener));
    socket.once('connect_error', (err) => reject(err));
  });
}

/** The connect_error a handshake ends with; fails the test if it connects instead. */
function refusal(url: string, headers: Record<string, string>): Promise<Error> {
  return connectSocket(url, headers).then(
    () => {
      throw new Error('the handshake should have been refused');
    },
    (err: Error) => err,
  );
}

const socketFor = (app: TestApp, client: TestClient) => connectSocket(app.url, { cookie: client.cookieHeader });

/** Makes a client's session expired in the database, as if its time had run out. */
async function expireSession(app: TestApp, client: TestClient) {
  const sid = await app.database.db.selectFrom('sessions').select('sid').where('sid', '=', sessionIdOf(client)).executeTakeFirstOrThrow();
  await app.database.db
    .updateTable('sessions')
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where('sid', '=', sid.sid)
    .execute();
}

/** The session id inside a client's signed cookie (`s:<id>.<signature>`). */
function sessionIdOf(client: TestClient): string {
  const raw = decodeURIComponent(/polku\.sid=([^;]+)/.exec(client.cookieHeader)?.[1] ?? '');
  return raw.slice(2, raw.lastIndexOf('.'));
}

afterEach(() => {
  for (const socket of opened.splice(0)) socket.disconnect();
});

describe('realtime on one server', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.close());

  describe('handshake', () => {
    it('refuses a handshake without a session', async () => {
      expect((await refusal(app.url, {})).message).toBe('unauthenticated');
      expect((await refusal(app.url, { cookie: 'polku.sid=s%3Aforged.signature' })).message).toBe('unauthenticated');
    });

    it('connects with a signed-in session', async () => {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const client = await app.as(pupil.username);
      const listener = await socketFor(app, client);
      expect(listener.socket.connected).toBe(true);
    });

    it('refuses a handshake from another site, but not from Polku itself', async () => {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const client = await app.as(pupil.username);
      const refused = await refusal(app.url, { cookie: client.cookieHeader, origin: 'https://evil.example' });
      expect(refused).toBeInstanceOf(Error);
      const own = await connectSocket(app.url, { cookie: client.cookieHeader, origin: app.url });
      expect(own.socket.connected).toBe(true);
    });

    it('refuses a session that was signed out', async () => {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const client = await app.as(pupil.username);
      const cookie = client.cookieHeader;
      expect((await client.post('/api/auth/logout')).status).toBe(200);
      expect((await refusal(app.url, { cookie })).message).toBe('unauthenticated');
    });
  });

  describe('events', () => {
    it("sends a user's changes to exactly that user's sockets", async () => {
      const a = await makeUser(app.database.db, { role: 'pupil' });
      const b = await makeUser(app.database.db, { role: 'pupil', schoolId: a.schoolId });
      const laptop = await app.as(a.username);
      const phone = await app.as(a.username);
      const other = await app.as(b.username);
      const [aLaptop, aPhone, bSocket] = await Promise.all([socketFor(app, laptop), socketFor(app, phone), socketFor(app, other)]);

      expect((await laptop.patch('/api/me', { locale: 'sv' })).status).toBe(200);
      const expected = {
        user: { id: a.id, username: a.username, displayName: a.displayName, locale: 'sv' },
        roles: [{ schoolId: a.schoolId, role: 'pupil' }],
        schools: [expect.objectContaining({ id: a.schoolId })],
        timeZone: 'Europe/Helsinki',
      };
      await aLaptop.heard('me.updated', expected);
      await aPhone.heard('me.updated', expected);
      // A negative check: give a wrongly routed event the time the right ones needed, then look.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(bSocket.events).toEqual([]);
      expect(aLaptop.named('me.updated')).toHaveLength(1);
    });

    it('works over HTTP long-polling too, and the server stays up', async () => {
      const a = await makeUser(app.database.db, { role: 'pupil' });
      const client = await app.as(a.username);
      const polling = await connectSocket(app.url, { cookie: client.cookieHeader }, ['polling']);
      expect((await client.patch('/api/me', { locale: 'en' })).status).toBe(200);
      await polling.heard('me.updated', expect.objectContaining({ user: expect.objectContaining({ locale: 'en' }) }));
      expect((await app.client().get('/readyz')).status).toBe(200);
    });

    it("tells a user's sockets when an admin edits them", async () => {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const admin = await makeUser(app.database.db, { role: 'admin', schoolId: pupil.schoolId });
      const pupilSocket = await socketFor(app, await app.as(pupil.username));
      const adminSocket = await socketFor(app, await app.as(admin.username));
      const adminClient = await app.as(admin.username);
      expect((await adminClient.patch(`/api/users/${pupil.id}`, { displayName: 'Aino Uusinimi' })).status).toBe(200);
      await pupilSocket.heard('me.updated', expect.objectContaining({ user: expect.objectContaining({ id: pupil.id, displayName: 'Aino Uusinimi' }) }));
      expect(adminSocket.named('me.updated')).toEqual([]);
    });

    it("ends a signed-out session's sockets and keeps the user's other sessions", async () => {
      const teacher = await makeUser(app.database.db, { role: 'teacher' });
      const laptop = await app.as(teacher.username);
      const phone = await app.as(teacher.username);
      const laptopSocket = await socketFor(app, laptop);
      const phoneSocket = await socketFor(app, phone);

      expect((await laptop.post('/api/auth/logout')).status).toBe(200);
      await laptopSocket.heard('session.ended', { reason: 'signed_out' });
      await laptopSocket.heard('disconnect');
      expect(laptopSocket.socket.connected).toBe(false);

      // The phone's socket is still live: it hears the next change.
      expect((await phone.patch('/api/me', { locale: 'fi' })).status).toBe(200);
      await phoneSocket.heard('me.updated', expect.objectContaining({ user: expect.objectContaining({ locale: 'fi' }) }));
      expect(phoneSocket.socket.connected).toBe(true);
      expect(phoneSocket.named('session.ended')).toEqual([]);
      expect(laptopSocket.named('me.updated')).toEqual([]);
    });

    it("ends every session's sockets when the user signs out everywhere", async () => {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const laptop = await app.as(pupil.username);
      const phone = await app.as(pupil.username);
      const sockets = await Promise.all([socketFor(app, laptop), socketFor(app, phone)]);
      expect((await laptop.post('/api/auth/logout', { everywhere: true })).status).toBe(200);
      for (const s of sockets) {
        await s.heard('session.ended', { reason: 'signed_out' });
        await s.heard('disconnect');
      }
    });

    it("ends an expired session's sockets when the prune removes it", async () => {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const expiring = await app.as(pupil.username);
      const current = await app.as(pupil.username);
      const expiringSocket = await socketFor(app, expiring);
      const currentSocket = await socketFor(app, current);
      // Let the first session run out (as if its time had passed); the socket's own timer would wait hours.
      await expireSession(app, expiring);

      expect(await app.polku.maintenance.pruneSessions()).toBeGreaterThanOrEqual(1);
      await expiringSocket.heard('session.ended', { reason: 'expired' });
      await expiringSocket.heard('disconnect');
      // The user's live session keeps its socket.
      expect((await current.patch('/api/me', { locale: 'sv' })).status).toBe(200);
      await currentSocket.heard('me.updated', expect.objectContaining({ user: expect.objectContaining({ locale: 'sv' }) }));
      expect(currentSocket.socket.connected).toBe(true);
      expect(currentSocket.named('session.ended')).toEqual([]);
    });

    it("ends all of a user's sockets when an admin sets a new password, saying so", async () => {
      const teacher = await makeUser(app.database.db, { role: 'teacher' });
      const admin = await makeUser(app.database.db, { role: 'admin', schoolId: teacher.schoolId });
      const sockets = await Promise.all([socketFor(app, await app.as(teacher.username)), socketFor(app, await app.as(teacher.username))]);
      const adminClient = await app.as(admin.username);
      expect((await adminClient.patch(`/api/users/${teacher.id}`, { password: 'uusi salasana 2026' })).status).toBe(200);
      for (const s of sockets) {
        await s.heard('disconnect');
        expect(s.named('session.ended')).toEqual([{ reason: 'password_changed' }]);
      }
    });

    it("ends all of a deactivated user's sockets", async () => {
      const pupil = await makeUser(app.database.db, { role: 'pupil' });
      const bystander = await makeUser(app.database.db, { role: 'pupil', schoolId: pupil.schoolId });
      const admin = await makeUser(app.database.db, { role: 'admin', schoolId: pupil.schoolId });
      const laptop = await app.as(pupil.username);
      const phone = await app.as(pupil.username);
      const sockets = await Promise.all([socketFor(app, laptop), socketFor(app, phone)]);
      const bystanderSocket = await socketFor(app, await app.as(bystander.username));

      const adminClient = await app.as(admin.username);
      expect((await adminClient.patch(`/api/users/${pupil.id}`, { active: false })).status).toBe(200);
      for (const s of sockets) {
        await s.heard('session.ended', { reason: 'deactivated' });
        await s.heard('disconnect');
        expect(s.socket.connected).toBe(false);
      }
      expect(bystanderSocket.socket.connected).toBe(true);
      expect(bystanderSocket.events).toEqual([]);
      // The old cookie cannot open a new socket either.
      expect((await refusal(app.url, { cookie: laptop.cookieHeader })).message).toBe('unauthenticated');
    });
  });
});

describe('session expiry with nobody pruning', () => {
  let app: TestApp;
  beforeAll(async () => {
    // Sessions of about seven seconds: enough to sign in and connect on a busy machine.
    app = await startTestApp({ env: { SESSION_MAX_AGE_HOURS: '0.002' } });
  });
  afterAll(async () => app?.close());

  it('ends the socket when its session expires, and the session with it', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil' });
    const client = await app.as(pupil.username);
    const listener = await socketFor(app, client);
    await vi.waitFor(() => expect(listener.named('session.ended')).toEqual([{ reason: 'expired' }]), { timeout: 30_000, interval: 100 });
    await listener.heard('disconnect');
    expect(listener.socket.connected).toBe(false);
    // The socket's server ended the session itself: the row is gone and the cookie opens nothing.
    expect(await app.database.db.selectFrom('sessions').select('sid').where('userId', '=', pupil.id).execute()).toEqual([]);
    expect((await client.get('/api/me')).status).toBe(401);
  }, 60_000);
});

describe('realtime across servers', () => {
  /** Two apps on one database with the adapter; a socket on the first hears a change made through the second. */
  async function acrossServers(adapterEnv: Record<string, string>, shareDatabase: boolean) {
    // Servers behind one load balancer share the session secret, so either one accepts a session cookie,
    // and one public address, from which their channel prefix derives.
    const env = { ...adapterEnv, SESSION_SECRET: randomBytes(32).toString('hex'), PUBLIC_URL: `http://polku-${randomBytes(4).toString('hex')}.test` };
    const first = await startTestApp({ env });
    const second = await startTestApp({ env, ...(shareDatabase ? { database: first.database } : {}) });
    try {
      const pupil = await makeUser(first.database.db, { role: 'pupil' });
      const onFirst = await socketFor(first, await first.as(pupil.username));
      // The second server must see the socket on the first before it can reach it.
      await vi.waitFor(async () => expect(await second.polku.io.in(userRoom(pupil.id)).fetchSockets()).toHaveLength(1), { timeout: 15_000, interval: 200 });

      const viaSecond = await second.as(pupil.username);
      expect((await viaSecond.patch('/api/me', { locale: 'sv' })).status).toBe(200);
      await onFirst.heard('me.updated', expect.objectContaining({ user: expect.objectContaining({ id: pupil.id, locale: 'sv' }) }));

      // Signing out through the second server ends the first server's socket of that session, with the reason
      // first. Several sessions, because a reordering between the event and the disconnect shows only sometimes.
      for (let i = 0; i < 12; i++) {
        const session = await second.as(pupil.username);
        const sessionSocket = await socketFor(first, session);
        expect((await session.post('/api/auth/logout')).status).toBe(200);
        await sessionSocket.heard('disconnect');
        expect(sessionSocket.named('session.ended'), `session ${i + 1}`).toEqual([{ reason: 'signed_out' }]);
      }

      // An expired session pruned by the second server ends its socket on the first.
      const expiring = await second.as(pupil.username);
      const expiringSocket = await socketFor(first, expiring);
      await expireSession(second, expiring);
      expect(await second.polku.maintenance.pruneSessions()).toBeGreaterThanOrEqual(1);
      await expiringSocket.heard('disconnect');
      expect(expiringSocket.named('session.ended')).toEqual([{ reason: 'expired' }]);

      // A new password set through the second server ends the user's sockets on the first.
      const admin = await makeUser(first.database.db, { role: 'admin', schoolId: pupil.schoolId });
      const lastSocket = await socketFor(first, await second.as(pupil.username));
      expect((await (await second.as(admin.username)).patch(`/api/users/${pupil.id}`, { password: 'uusi salasana 2026' })).status).toBe(200);
      await lastSocket.heard('disconnect');
      expect(lastSocket.named('session.ended')).toEqual([{ reason: 'password_changed' }]);
      await onFirst.heard('disconnect');
    } finally {
      for (const socket of opened.splice(0)) socket.disconnect();
      await second.close();
      await first.close();
    }
  }

  it.skipIf(!redisUp)(
    `reaches sockets on another server through Redis${redisUp ? '' : ' (skipped: no Redis answers at 127.0.0.1:6379)'}`,
    async () => {
      await acrossServers({ REALTIME_ADAPTER: 'redis', REDIS_URL }, true);
    },
    60_000,
  );

  const onPostgres = testDatabaseKind === 'postgres';
  it.skipIf(!onPostgres)(
    `reaches sockets on another server through PostgreSQL${onPostgres ? '' : ' (skipped: this run uses PGlite)'}`,
    async () => {
      await acrossServers({ REALTIME_ADAPTER: 'postgres', DATABASE_URL: inject('databaseUrl') ?? '' }, false);
    },
    60_000,
  );
});

describe('deployments sharing one Redis or one PostgreSQL', () => {
  /** Hears the first message on a deployment's adapter channels, straight from Redis or PostgreSQL. */
  interface Watcher {
    heard: Promise<void>;
    close(): Promise<unknown>;
  }
  async function redisWatcher(prefix: string): Promise<Watcher> {
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    let heard = () => undefined as void;
    const promise = new Promise<void>((resolve) => (heard = resolve));
    await client.pSubscribe(`${prefix}#*`, () => heard());
    return { heard: promise, close: () => client.quit() };
  }
  async function postgresWatcher(prefix: string): Promise<Watcher> {
    const client = new pg.Client({ connectionString: inject('databaseUrl') ?? '' });
    await client.connect();
    const heard = new Promise<void>((resolve) => client.once('notification', () => resolve()));
    await client.query(`LISTEN "${prefix}#/"`);
    return { heard, close: () => client.end() };
  }

  async function apart(env: Record<string, string>, watch: (prefix: string) => Promise<Watcher>) {
    const common = { ...env, SESSION_SECRET: randomBytes(32).toString('hex') };
    const host = (name: string) => `http://${name}-${randomBytes(4).toString('hex')}.polku.test`;
    const [otherUrl, ourUrl] = [host('koulu-a'), host('koulu-b')];
    // Two deployments (one database only so that one user can sign in to both), and a second process of the second.
    const other = await startTestApp({ env: { ...common, PUBLIC_URL: otherUrl } });
    const ours = await startTestApp({ env: { ...common, PUBLIC_URL: ourUrl }, database: other.database });
    const oursToo = await startTestApp({ env: { ...common, PUBLIC_URL: ourUrl }, database: other.database });
    let watcher: Watcher | null = null;
    try {
      const pupil = await makeUser(other.database.db, { role: 'pupil' });
      const listener = await socketFor(ours, await ours.as(pupil.username));
      const room = userRoom(pupil.id);
      // Our other process sees the socket; the other deployment does not.
      await vi.waitFor(async () => expect(await oursToo.polku.io.in(room).fetchSockets()).toHaveLength(1), { timeout: 15_000, interval: 200 });
      expect(await other.polku.io.in(room).fetchSockets()).toEqual([]);
      expect(other.config.realtimeChannelPrefix).not.toBe(ours.config.realtimeChannelPrefix);
      expect(oursToo.config.realtimeChannelPrefix).toBe(ours.config.realtimeChannelPrefix);

      // The other deployment publishes an event for the same user; once it has been delivered (the watcher hears it),
      // our second process publishes one. Delivery keeps that order, so had the first reached our socket, it would come first.
      watcher = await watch(other.config.realtimeChannelPrefix);
      expect((await (await other.as(pupil.username)).patch('/api/me', { locale: 'en' })).status).toBe(200);
      await watcher.heard;
      expect((await (await oursToo.as(pupil.username)).patch('/api/me', { locale: 'sv' })).status).toBe(200);

      await listener.heard('me.updated', expect.objectContaining({ user: expect.objectContaining({ locale: 'sv' }) }));
      expect(listener.named('me.updated')).toEqual([expect.objectContaining({ user: expect.objectContaining({ locale: 'sv' }) })]);
    } finally {
      for (const socket of opened.splice(0)) socket.disconnect();
      await watcher?.close().catch(() => undefined);
      await oursToo.close();
      await ours.close();
      await other.close();
    }
  }

  it.skipIf(!redisUp)(
    `hear only their own events through Redis: the channels carry a prefix derived from PUBLIC_URL${redisUp ? '' : ' (skipped: no Redis answers at 127.0.0.1:6379)'}`,
    async () => {
      await apart({ REALTIME_ADAPTER: 'redis', REDIS_URL }, redisWatcher);
    },
    90_000,
  );

  const onPostgres = testDatabaseKind === 'postgres';
  it.skipIf(!onPostgres)(
    `hear only their own events through PostgreSQL${onPostgres ? '' : ' (skipped: this run uses PGlite)'}`,
    async () => {
      await apart({ REALTIME_ADAPTER: 'postgres', DATABASE_URL: inject('databaseUrl') ?? '' }, postgresWatcher);
    },
    90_000,
  );
});
