import { sql } from 'kysely';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { addMember, linkGuardian, makeArtefact, makeGroup, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

/**
 * Issue 11 §4: "Guardian access ends … when an admin removes the link [or the pupil turns 18]; open sessions
 * and sockets lose access at once." With a real Socket.IO client and the session cache on (its default).
 */
let app: TestApp;
const sockets: Socket[] = [];
beforeAll(async () => {
  app = await startTestApp();
}, 60_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await app?.close();
});

type Heard = Array<{ event: string; payload: unknown }>;

async function connect(client: TestClient): Promise<Heard> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(app.url, {
    transports: ['websocket'],
    extraHeaders: { cookie: client.cookieHeader },
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  const heard: Heard = [];
  socket.onAny((event: string, payload: unknown) => heard.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return heard;
}

const titles = (heard: Heard) => heard.filter((e) => e.event === 'artefact.updated').map((e) => (e.payload as { artefact: { title: string } }).artefact.title);
const until = (check: () => void) => vi.waitFor(check, { timeout: 5000, interval: 20 });

async function world() {
  const db = app.database.db;
  const school = await makeSchool(db);
  const group = await makeGroup(db, school.id);
  const admin = await makeUser(db, { role: 'admin', schoolId: school.id });
  const pupil = await makeUser(db, { role: 'pupil', schoolId: school.id });
  const sibling = await makeUser(db, { role: 'pupil', schoolId: school.id });
  await addMember(db, group.id, pupil.id, 'pupil');
  await addMember(db, group.id, sibling.id, 'pupil');
  const guardian = await makeUser(db, { role: 'guardian', schoolId: school.id });
  await linkGuardian(db, guardian.id, pupil.id);
  await linkGuardian(db, guardian.id, sibling.id);
  const shared = await makeArtefact(db, { ownerId: pupil.id, visibility: 'guardians', title: 'Jaettu työ' });
  const guardianClient = await app.as(guardian.username);
  const pupilClient = await app.as(pupil.username);
  const heard = await connect(guardianClient);
  // The guardian hears of the child's shared work, and their session (now cached) reads it.
  expect((await pupilClient.patch(`/api/artefacts/${shared.id}`, { title: 'Ennen' })).status).toBe(200);
  await until(() => expect(titles(heard)).toEqual(['Ennen']));
  expect((await guardianClient.get(`/api/artefacts/${shared.id}`)).status).toBe(200);
  return { school, admin, pupil, sibling, guardian, shared, guardianClient, pupilClient, heard };
}

/** After the link ended: the next request fails, the open socket was told, and it hears nothing more of the pupil. */
async function expectAccessEnded(w: Awaited<ReturnType<typeof world>>) {
  // Told at once: the open pages fetch again (the child is gone from the guardian's profile).
  await until(() => expect(w.heard.some((e) => e.event === 'me.updated')).toBe(true));
  // The same session, no new sign-in: the child's work is gone, the sibling's link stands.
  expect((await w.guardianClient.get(`/api/artefacts/${w.shared.id}`)).status).toBe(404);
  const children = await w.guardianClient.get<{ children: Array<{ id: string }> }>('/api/me/children');
  expect(children.body.children.map((c) => c.id)).toEqual([w.sibling.id]);
  const told = w.heard.length;
  expect((await w.pupilClient.patch(`/api/artefacts/${w.shared.id}`, { title: 'Jälkeen' })).status).toBe(200);
  // Something the guardian does hear, sent after that update on the same socket: by then the update would have arrived.
  expect((await w.guardianClient.patch<MeResponse>('/api/me', { locale: 'sv' })).status).toBe(200);
  await until(() => expect(w.heard.slice(told).some((e) => e.event === 'me.updated')).toBe(true));
  expect(titles(w.heard)).toEqual(['Ennen']);
}

describe('a guardian link that ends', () => {
  it('when an admin removes it: the open session and socket lose the pupil at once', async () => {
    const w = await world();
    const adminClient = await app.as(w.admin.username);
    const removed = await adminClient.delete(`/api/guardian-links/${w.guardian.id}/${w.pupil.id}`);
    expect(removed.status, removed.text).toBe(200);
    await expectAccessEnded(w);
  });

  it("when the 18th-birthday sweep ends it: the same, told by the sweep itself (no request of anyone's)", async () => {
    const w = await world();
    // Born 18 years ago tomorrow: still a child when the cache was filled above. Then the birthday comes.
    await sql`update users set birth_date = (current_date - interval '18 years')::date where id = ${w.pupil.id}`.execute(app.database.db);
    expect(await app.polku.maintenance.endAdultGuardianLinks()).toBeGreaterThanOrEqual(1);
    await expectAccessEnded(w);
  });
});
