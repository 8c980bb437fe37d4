import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IssuedCardsResponse } from '../../shared/api/sign-in-cards.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { addMember, makeArtefact, makeGroup, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { TestClient } from '../helpers/test-client.ts';

/**
 * Issue 11 §3: a session opened with school A's sign-in card is a pupil of school A and nothing more, over
 * HTTP and over its Socket.IO connection alike, even for an account that is also a pupil and a teacher at
 * school B (one person, two schools).
 */
type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let app: TestApp;
const sockets: ClientSocket[] = [];
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

/** A real Socket.IO client that records every event it hears. */
async function listen(client: TestClient, on: TestApp = app) {
  const socket: ClientSocket = io(on.url, { transports: ['websocket'], extraHeaders: { cookie: client.cookieHeader }, reconnection: false, forceNew: true });
  sockets.push(socket);
  const events: Array<{ event: string; payload: unknown }> = [];
  socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const about = (artefactId: string) => events.filter((e) => JSON.stringify(e.payload).includes(artefactId)).map((e) => e.event);
  return { socket, events, about };
}

async function world(app: TestApp) {
  const db = app.database.db;
  const w = await makeTwoSchools(db);
  // The card's pupil is also a pupil at school B (in groupB) and teaches another group there (taughtB).
  const person = w.pupil;
  await db
    .insertInto('schoolRoles')
    .values([
      { schoolId: w.schoolB.id, userId: person.id, role: 'pupil' },
      { schoolId: w.schoolB.id, userId: person.id, role: 'teacher' },
    ])
    .execute();
  const groupB = await makeGroup(db, w.schoolB.id);
  const taughtB = await makeGroup(db, w.schoolB.id);
  await addMember(db, groupB.id, person.id, 'pupil');
  await addMember(db, groupB.id, w.pupilB.id, 'pupil');
  await addMember(db, groupB.id, w.teacherB.id, 'teacher');
  const taughtPupilB = await makeUser(db, { role: 'pupil', schoolId: w.schoolB.id });
  await addMember(db, taughtB.id, taughtPupilB.id, 'pupil');
  await addMember(db, taughtB.id, person.id, 'teacher');
  // School B's project with peer feedback on, and one where the person is a project teacher.
  const projectB = await makeProject(db, { schoolId: w.schoolB.id, teacherIds: [w.teacherB.id], groupIds: [groupB.id] });
  const taughtProjectB = await makeProject(db, { schoolId: w.schoolB.id, teacherIds: [person.id], groupIds: [taughtB.id] });
  const teacherB = await app.as(w.teacherB.username);
  expect((await teacherB.put(`/api/projects/${projectB.id}/peer-settings`, { enabled: true, moderation: 'shown' })).status).toBe(200);
  // School A's project of the card's own group, for the pupil's own work.
  const projectA = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });

  const teacherA = await app.as(w.teacher.username);
  const issued = await teacherA.post<IssuedCardsResponse>(`/api/groups/${w.group.id}/sign-in-cards`, { pupilIds: [person.id] });
  expect(issued.status).toBe(201);
  const code = issued.body.cards[0]?.url.split('#')[1] ?? '';
  const card = app.client();
  const signedIn = await card.post<{ roles: unknown[]; schools: Array<{ id: string }> }>('/api/auth/card', { cardCode: code });
  expect(signedIn.status).toBe(200);
  expect(signedIn.body.roles).toEqual([{ schoolId: w.schoolA.id, role: 'pupil' }]);
  expect(signedIn.body.schools.map((s) => s.id)).toEqual([w.schoolA.id]);
  const password = await app.as(person.username);
  return { ...w, person, groupB, taughtB, taughtPupilB, projectB, taughtProjectB, projectA, card, password };
}

describe('a card session of school A, for a person who is also a pupil and a teacher at school B', () => {
  it("hears no event about school B's items on its socket, while the same account's password session does", async () => {
    const w = await world(app);
    const db = app.database.db;
    const cardSocket = await listen(w.card);
    const passwordSocket = await listen(w.password);

    // 1. A classmate at school B shares work with the project's pupils (the person is one of them there).
    const sharedB = await makeArtefact(db, { ownerId: w.pupilB.id, projectId: w.projectB.id, status: 'ready' });
    const pupilB = await app.as(w.pupilB.username);
    expect((await pupilB.put(`/api/artefacts/${sharedB.id}/peer-sharing`, { shared: true })).status).toBe(200);
    // 2. A pupil of the group the person teaches at school B edits their work.
    const taughtWork = await makeArtefact(db, { ownerId: w.taughtPupilB.id, projectId: w.taughtProjectB.id });
    const taughtPupil = await app.as(w.taughtPupilB.username);
    expect((await taughtPupil.patch(`/api/artefacts/${taughtWork.id}`, { bodyHtml: '<p>Uusi havainto</p>' })).status).toBe(200);
    // 3. The pupil's own work at school A, edited through the card session: that one it hears.
    const own = await makeArtefact(db, { ownerId: w.person.id, projectId: w.projectA.id });
    expect((await w.card.patch(`/api/artefacts/${own.id}`, { bodyHtml: '<p>Oma työ</p>' })).status).toBe(200);

    await vi.waitFor(
      () => {
        expect(passwordSocket.about(sharedB.id)).toContain('peerWork.changed');
        expect(passwordSocket.about(taughtWork.id)).toContain('artefact.updated');
        expect(cardSocket.about(own.id)).toContain('artefact.updated');
      },
      { timeout: 5000, interval: 20 },
    );
    // The card socket heard its own event, sent after the others on the same connection: whatever it was
    // sent about school B came before it.
    expect(passwordSocket.about(own.id)).toContain('artefact.updated');
    expect(cardSocket.about(sharedB.id)).toEqual([]);
    expect(cardSocket.about(taughtWork.id)).toEqual([]);
    expect(cardSocket.events.map((e) => e.event)).toEqual(['artefact.updated']);
  });

  it("is refused school B's groups, projects and items over HTTP", async () => {
    const w = await world(app);
    const db = app.database.db;
    const sharedB = await makeArtefact(db, { ownerId: w.pupilB.id, projectId: w.projectB.id, status: 'ready' });
    const pupilB = await app.as(w.pupilB.username);
    expect((await pupilB.put(`/api/artefacts/${sharedB.id}/peer-sharing`, { shared: true })).status).toBe(200);
    const taughtWork = await makeArtefact(db, { ownerId: w.taughtPupilB.id, projectId: w.taughtProjectB.id });

    const reads = [
      `/api/groups/${w.taughtB.id}`,
      `/api/projects/${w.projectB.id}`,
      `/api/projects/${w.projectB.id}/peer-work`,
      `/api/artefacts/${sharedB.id}/peer-work`,
      `/api/projects/${w.taughtProjectB.id}`,
      `/api/artefacts/${taughtWork.id}`,
    ];
    // The password session reaches them all (so the refusals below are the card's, not a wrong path's).
    for (const path of reads) expect([path, (await w.password.get(path)).status]).toEqual([path, 200]);
    for (const path of reads) expect([path, (await w.card.get(path)).status]).toEqual([path, 404]);
    // Its own school's project is still the pupil's.
    expect((await w.card.get(`/api/projects/${w.projectA.id}`)).status).toBe(200);
    // It names itself as only that: a pupil of school A (the account's other roles and school B are not its).
    type Me = { roles: Array<{ schoolId: string; role: string }>; schools: Array<{ id: string }> };
    for (const path of ['/api/me', '/api/auth/session']) {
      const res = await w.card.get<Me & { me?: Me }>(path);
      const me = res.body.me ?? res.body;
      expect(me.roles).toEqual([{ schoolId: w.schoolA.id, role: 'pupil' }]);
      expect(me.schools.map((s) => s.id)).toEqual([w.schoolA.id]);
    }
    expect((await w.password.get<Me>('/api/me')).body.schools).toHaveLength(2);
  });
});

function redisAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port: 6379, host: '127.0.0.1', timeout: 1000 });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
const redisUp = await redisAnswers();

describe('a card session across server processes', () => {
  it.skipIf(!redisUp)(
    `hears its own work, and not school B's, when the change is made through another server${redisUp ? '' : ' (skipped: no Redis at 127.0.0.1:6379)'}`,
    async () => {
      const env = {
        REALTIME_ADAPTER: 'redis',
        REDIS_URL: 'redis://127.0.0.1:6379',
        SESSION_SECRET: randomBytes(32).toString('hex'),
        PUBLIC_URL: `http://polku-${randomBytes(4).toString('hex')}.test`,
      };
      const first = await startTestApp({ env });
      const second = await startTestApp({ env, database: first.database });
      try {
        const w = await world(first);
        const db = first.database.db;
        const cardSocket = await listen(w.card, first);
        const passwordSocket = await listen(w.password, first);
        // The second server sees both sockets before it is asked to reach them.
        await vi.waitFor(async () => expect(await second.polku.io.fetchSockets()).toHaveLength(2), { timeout: 15_000, interval: 200 });
        // Both changes go through the second server (the cookies are good there: one secret).
        const taughtWork = await makeArtefact(db, { ownerId: w.taughtPupilB.id, projectId: w.taughtProjectB.id });
        const taughtPupil = await second.as(w.taughtPupilB.username);
        expect((await taughtPupil.patch(`/api/artefacts/${taughtWork.id}`, { bodyHtml: '<p>Uusi havainto</p>' })).status).toBe(200);
        const own = await makeArtefact(db, { ownerId: w.person.id, projectId: w.projectA.id });
        const cardViaSecond = new TestClient(second.url, { cookie: w.card.cookieHeader });
        expect((await cardViaSecond.patch(`/api/artefacts/${own.id}`, { bodyHtml: '<p>Oma työ</p>' })).status).toBe(200);

        await vi.waitFor(
          () => {
            expect(passwordSocket.about(taughtWork.id)).toContain('artefact.updated');
            expect(cardSocket.about(own.id)).toContain('artefact.updated');
          },
          { timeout: 10_000, interval: 20 },
        );
        expect(cardSocket.events.map((e) => e.event)).toEqual(['artefact.updated']);
      } finally {
        for (const s of sockets.splice(0)) s.disconnect();
        await second.close();
        await first.close();
      }
    },
    60_000,
  );
});
