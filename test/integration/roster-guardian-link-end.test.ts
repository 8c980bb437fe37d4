import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RosterImport } from '../../shared/api/rosters.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { hashPassword } from '../../server/auth/password.ts';
import { makeArtefact, makeSchool, makeUser } from '../helpers/factories.ts';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { oneRosterFiles, zipOf, type RosterSpec } from '../fixtures/rosters/make-roster.ts';

/**
 * Issue 11 §4: a guardian link that a roster import ends (the guardian relationship is gone from next
 * year's roster) takes effect as one an admin removes: the guardian's open session loses the pupil at once
 * and the open socket is told (`me.updated`), with the session cache on (its default).
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

const code = `8${String(Date.now() % 1e6).padStart(6, '0')}`;

function spec(withLink: boolean): RosterSpec {
  return {
    school: { sourcedId: code, name: 'Koivulan koulu', identifier: code },
    classes: [{ id: `k1-${code}`, title: '5A', year: '2027' }],
    pupils: [
      { id: `p1-${code}`, given: 'Aino', family: 'Mäkelä', classes: [`k1-${code}`], guardians: withLink ? [`g1-${code}`] : [] },
      { id: `p2-${code}`, given: 'Eero', family: 'Mäkelä', classes: [`k1-${code}`], guardians: [`g1-${code}`] },
    ],
    teachers: [{ id: `t1-${code}`, given: 'Tiina', family: 'Opettaja', classes: [`k1-${code}`] }],
    guardians: [{ id: `g1-${code}`, given: 'Maija', family: 'Mäkelä' }],
  };
}

async function importRoster(client: TestClient, schoolId: string, roster: RosterSpec): Promise<RosterImport> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(zipOf(oneRosterFiles(roster)))]), 'roster.zip');
  const uploaded = await client.request<RosterImport>('POST', `/api/schools/${schoolId}/roster-imports`, form);
  expect(uploaded.status, uploaded.text).toBe(201);
  expect((await client.post(`/api/roster-imports/${uploaded.body.id}/apply`)).status).toBe(202);
  await app.polku.maintenance.rosterJobs();
  const done = await client.get<RosterImport>(`/api/roster-imports/${uploaded.body.id}`);
  expect(done.body.status).toBe('done');
  return done.body;
}

describe('a guardian link that a roster import ends', () => {
  it('ends the open session’s access at once and tells the open socket', async () => {
    const db = app.database.db;
    const school = await makeSchool(db);
    await db.updateTable('schools').set({ code }).where('id', '=', school.id).execute();
    const admin = await makeUser(db, { role: 'admin', schoolId: school.id });
    const adminClient = await app.as(admin.username);
    await importRoster(adminClient, school.id, spec(true));

    const byName = async (displayName: string) =>
      db
        .selectFrom('users')
        .innerJoin('schoolRoles', 'schoolRoles.userId', 'users.id')
        .select(['users.id', 'users.username'])
        .where('schoolRoles.schoolId', '=', school.id)
        .where('users.displayName', '=', displayName)
        .executeTakeFirstOrThrow();
    const [aino, eero, maija] = [await byName('Aino Mäkelä'), await byName('Eero Mäkelä'), await byName('Maija Mäkelä')];
    // Rosters create no passwords; the guardian sets one (as through an invitation or a reset).
    await db
      .updateTable('users')
      .set({ passwordHash: await hashPassword(TEST_PASSWORD) })
      .where('id', '=', maija.id)
      .execute();
    const shared = await makeArtefact(db, { ownerId: aino.id, visibility: 'guardians', title: 'Jaettu työ' });
    const guardian = await app.as(maija.username);
    // The session reads the child's work (and is cached so).
    expect((await guardian.get(`/api/artefacts/${shared.id}`)).status).toBe(200);

    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(app.url, {
      transports: ['websocket'],
      extraHeaders: { cookie: guardian.cookieHeader },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    const heard: string[] = [];
    socket.onAny((event: string) => heard.push(event));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });

    const report = await importRoster(adminClient, school.id, spec(false));
    expect(report.report?.guardianLinks.remove).toBe(1);
    await vi.waitFor(() => expect(heard).toContain('me.updated'), { timeout: 5000, interval: 20 });
    expect((await guardian.get(`/api/artefacts/${shared.id}`)).status).toBe(404);
    const children = await guardian.get<{ children: Array<{ id: string }> }>('/api/me/children');
    expect(children.body.children.map((c) => c.id)).toEqual([eero.id]);
  });
});
