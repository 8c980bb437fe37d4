import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Showcase } from '../../shared/api/showcases.ts';
import type { IssuedCardsResponse } from '../../shared/api/sign-in-cards.ts';
import { ARCHIVE_PATHS, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { addMember, makeArtefact, makeGroup, makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';
import { readZipMap as readZip } from '../helpers/zip.ts';

// The attack review of issue 12's showcases, guardian voice, digest and Web Push (as merged by the
// afternoon): probes as a pupil, a card session, a guardian, a classmate and another school's people.
// Tests marked "hole" failed before their fix.

let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let work: string;
const as = new Map<string, TestClient>();
const client = (name: string) => as.get(name)!;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'polku-ar13-'));
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  for (const name of ['pupil', 'classmate', 'teacher', 'guardian', 'otherGuardian', 'teacherB', 'pupilB'] as const)
    as.set(name, await app.as(w[name].username));
}, 180_000);
afterAll(async () => {
  await app?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const create = async (title: string, who = 'pupil') => {
  const res = await client(who).post<Showcase>('/api/showcases', { title });
  expect(res.status).toBe(201);
  return res.body;
};

describe("a guardian's export of showcases", () => {
  // Hole (medium): the export chose a guardian's showcases with its own test (visibility = 'guardians')
  // instead of the policy's one guardians check (showcaseSharedWithGuardians), so the export and the app
  // disagreed: a showcase shared with the project (which guardians read in the app) was missing, and the
  // teacher approval that is to be required in that one check would not have held in the export.
  it('holds exactly the showcases the guardian may read in the app', async () => {
    const db = app.database.db;
    const project = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });
    const shared = await makeArtefact(db, { ownerId: w.pupil.id, title: 'Jaettu', visibility: 'guardians' });
    const made = {
      private: await create('Yksityinen'),
      guardians: await create('Huoltajille'),
      project: await create('Projektille'),
    };
    for (const [key, s] of Object.entries(made)) {
      expect((await client('pupil').post(`/api/showcases/${s.id}/items`, { artefactId: shared.id })).status).toBe(201);
      if (key !== 'private')
        expect(
          (await client('pupil').patch(`/api/showcases/${s.id}`, { visibility: key, ...(key === 'project' ? { projectId: project.id } : {}) })).status,
        ).toBe(200);
    }
    const readable: string[] = [];
    for (const s of Object.values(made)) if ((await client('guardian').get(`/api/showcases/${s.id}`)).status === 200) readable.push(s.id);
    expect(readable.sort()).toEqual([made.guardians.id, made.project.id].sort());

    const file = path.join(work, 'guardian.zip');
    await writeExportArchive({ db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'shared', locale: 'fi' }, createWriteStream(file));
    const doc = JSON.parse((await readZip(file)).get(ARCHIVE_PATHS.document)?.toString('utf8') ?? '{}') as PortfolioDocument;
    const exported = (doc.showcases ?? []).filter((s) => Object.values(made).some((m) => m.id === s.id));
    expect(exported.map((s) => s.id).sort()).toEqual(readable.sort());
    for (const s of exported) expect(s.items.map((i) => i.artefactId)).toEqual([shared.id]);
  });
});

describe('a sign-in card session and showcases', () => {
  // Hole (low): a card session is narrowed to the card's school, yet it could share the pupil's showcase
  // with a project of another school the account takes part in (the project was checked against the
  // account's memberships, not against what the narrowed session may read).
  it("shares only with a project of the card's school", async () => {
    const db = app.database.db;
    const projectA = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });
    // The card's pupil is a pupil at school B too, in a group of a school B project.
    const groupB = await makeGroup(db, w.schoolB.id);
    await db.insertInto('schoolRoles').values({ schoolId: w.schoolB.id, userId: w.pupil.id, role: 'pupil' }).execute();
    await addMember(db, groupB.id, w.pupil.id, 'pupil');
    await addMember(db, groupB.id, w.pupilB.id, 'pupil');
    const projectB = await makeProject(db, { schoolId: w.schoolB.id, teacherIds: [w.teacherB.id], groupIds: [groupB.id] });

    const issued = await client('teacher').post<IssuedCardsResponse>(`/api/groups/${w.group.id}/sign-in-cards`, { pupilIds: [w.pupil.id] });
    expect(issued.status).toBe(201);
    const card = app.client();
    expect((await card.post('/api/auth/card', { cardCode: issued.body.cards[0]?.url.split('#')[1] ?? '' })).status).toBe(200);
    // The card session does not see school B's project at all.
    expect((await card.get(`/api/projects/${projectB.id}`)).status).toBe(404);

    const s = (await card.post<Showcase>('/api/showcases', { title: 'Kortilla' })).body;
    const toB = await card.patch<Showcase>(`/api/showcases/${s.id}`, { visibility: 'project', projectId: projectB.id });
    expect(toB.status).toBe(400);
    expect((await client('pupilB').get(`/api/showcases/${s.id}`)).status).toBe(404);
    // Nor by naming the project first and sharing after.
    expect((await card.patch(`/api/showcases/${s.id}`, { projectId: projectB.id })).status).toBe(400);
    // The card's own school's project is fine; the password session may still choose school B's.
    expect((await card.patch(`/api/showcases/${s.id}`, { visibility: 'project', projectId: projectA.id })).status).toBe(200);
    expect((await client('pupil').patch(`/api/showcases/${s.id}`, { visibility: 'project', projectId: projectB.id })).status).toBe(200);
    expect((await client('pupilB').get(`/api/showcases/${s.id}`)).status).toBe(200);
  });
});
