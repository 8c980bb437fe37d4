import { Readable } from 'node:stream';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Showcase, ShowcaseList, ShowcaseTemplate, ShowcaseTemplateList } from '../../shared/api/showcases.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../shared/realtime.ts';
import { showcasesDb } from '../../server/modules/showcases/showcase-tables.ts';
import { addMember, makeArtefact, makeFeedback, makeProject, makeTwoSchools, makeUser } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 12 §3: showcases, a pupil's ordered selection of their own work, shared like an artefact; teachers' templates.
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let project: Awaited<ReturnType<typeof makeProject>>;
let otherProject: Awaited<ReturnType<typeof makeProject>>;
const as = new Map<string, TestClient>();
const client = (name: string) => as.get(name)!;
const sockets: Array<Socket<ServerToClientEvents, ClientToServerEvents>> = [];
const ACTORS = [
  'pupil',
  'classmate',
  'otherPupil',
  'teacher',
  'otherTeacher',
  'projectTeacher',
  'guardian',
  'otherGuardian',
  'admin',
  'teacherB',
  'pupilB',
] as const;

const create = async (title = 'Parhaat työni', who = 'pupil') => {
  const res = await client(who).post<Showcase>('/api/showcases', { title });
  expect(res.status).toBe(201);
  return res.body;
};
const work = (title: string, options: { ownerId?: string; mediaKey?: string; deleted?: boolean } = {}) =>
  makeArtefact(app.database.db, {
    ownerId: options.ownerId ?? w.pupil.id,
    projectId: project.id,
    title,
    ...(options.mediaKey ? { mediaKey: options.mediaKey } : {}),
    ...(options.deleted ? { deleted: true } : {}),
  });
const add = (showcaseId: string, body: Record<string, unknown>, who = 'pupil') => client(who).post<Showcase>(`/api/showcases/${showcaseId}/items`, body);
const titles = (s: Showcase) => s.items.map((i) => i.artefact?.title ?? i.heading);
const share = (showcaseId: string, visibility: string, projectId?: string | null) =>
  client('pupil').patch<Showcase>(`/api/showcases/${showcaseId}`, { visibility, ...(projectId !== undefined ? { projectId } : {}) });
const readers = async (showcaseId: string) => {
  const seen: string[] = [];
  for (const who of ACTORS) if ((await client(who).get(`/api/showcases/${showcaseId}`)).status === 200) seen.push(who);
  return seen.sort();
};

/** Positions straight from the table: dense 0..n-1, in the order the API shows. */
const positions = async (showcaseId: string) =>
  (
    await showcasesDb(app.database.db).selectFrom('showcaseItems').select(['id', 'position']).where('showcaseId', '=', showcaseId).orderBy('position').execute()
  ).map((r) => r.position);

beforeAll(async () => {
  app = await startTestApp();
  const db = app.database.db;
  w = await makeTwoSchools(db);
  // A teacher of the project by name only (not of the pupil's group).
  const projectTeacher = await makeUser(db, { role: 'teacher', schoolId: w.schoolA.id });
  project = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [projectTeacher.id], groupIds: [w.group.id] });
  otherProject = await makeProject(db, { schoolId: w.schoolA.id, teacherIds: [w.otherTeacher.id], groupIds: [w.otherGroup.id] });
  const otherPupil = await makeUser(db, { role: 'pupil', schoolId: w.schoolA.id });
  await addMember(db, w.otherGroup.id, otherPupil.id, 'pupil');
  for (const name of ['pupil', 'classmate', 'teacher', 'otherTeacher', 'guardian', 'otherGuardian', 'admin', 'teacherB', 'pupilB'] as const)
    as.set(name, await app.as(w[name].username));
  as.set('otherPupil', await app.as(otherPupil.username));
  as.set('projectTeacher', await app.as(projectTeacher.username));
}, 180_000);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

describe('a pupil curates showcases', () => {
  it('creates, lists, renames, writes a sanitised introduction and deletes', async () => {
    const s = await create('Vuoden parhaat');
    expect(s).toMatchObject({ title: 'Vuoden parhaat', visibility: 'private', items: [], canEdit: true, ownerId: w.pupil.id });
    const edited = await client('pupil').patch<Showcase>(`/api/showcases/${s.id}`, {
      title: 'Lukuvuoden parhaat',
      introHtml: '<p>Tässä <strong>parhaat</strong></p><script>alert(1)</script><img src=x onerror=alert(1)>',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.title).toBe('Lukuvuoden parhaat');
    expect(edited.body.introHtml).toBe('<p>Tässä <strong>parhaat</strong></p>');
    const mine = await client('pupil').get<ShowcaseList>('/api/showcases');
    expect(mine.body.items.map((i) => i.id)).toContain(s.id);
    expect((await client('pupil').patch(`/api/showcases/${s.id}`, { title: '  ' })).status).toBe(400);
    expect((await client('classmate').get<ShowcaseList>('/api/showcases')).body.items.map((i) => i.id)).not.toContain(s.id);
    expect((await client('pupil').delete(`/api/showcases/${s.id}`)).status).toBe(200);
    expect((await client('pupil').get(`/api/showcases/${s.id}`)).status).toBe(404);
  });

  it('only a pupil makes one; only the owner edits or deletes it (their teacher sees it: 403)', async () => {
    expect((await client('teacher').post('/api/showcases', { title: 'X' })).status).toBe(403);
    expect((await client('guardian').post('/api/showcases', { title: 'X' })).status).toBe(403);
    const s = await create();
    expect((await client('teacher').patch(`/api/showcases/${s.id}`, { title: 'Y' })).status).toBe(403);
    expect((await client('teacher').delete(`/api/showcases/${s.id}`)).status).toBe(403);
    expect((await client('classmate').patch(`/api/showcases/${s.id}`, { title: 'Y' })).status).toBe(404);
    expect((await client('classmate').delete(`/api/showcases/${s.id}`)).status).toBe(404);
    expect((await add(s.id, { heading: 'X' }, 'classmate')).status).toBe(404);
    expect((await add(s.id, { heading: 'X' }, 'teacher')).status).toBe(403);
  });
});

describe('order', () => {
  it('adds works and text blocks in order, reorders the whole order at once, and removal keeps the order', async () => {
    const s = await create();
    const [a, b, c] = [await work('A'), await work('B'), await work('C')];
    await add(s.id, { artefactId: a.id, bodyHtml: '<p>Koska opin paljon</p>' });
    await add(s.id, { artefactId: b.id });
    await add(s.id, { heading: 'Väliotsikko', bodyHtml: '<p>Teksti</p>' });
    let res = await add(s.id, { artefactId: c.id, position: 1 });
    expect(res.status).toBe(201);
    expect(titles(res.body)).toEqual(['A', 'C', 'B', 'Väliotsikko']);
    expect(res.body.items.map((i) => i.kind)).toEqual(['artefact', 'artefact', 'artefact', 'text']);
    expect(res.body.items[0]?.bodyHtml).toBe('<p>Koska opin paljon</p>');
    const ids = res.body.items.map((i) => i.id);

    res = await client('pupil').put<Showcase>(`/api/showcases/${s.id}/order`, { itemIds: [ids[3], ids[2], ids[1], ids[0]] });
    expect(res.status).toBe(200);
    expect(titles(res.body)).toEqual(['Väliotsikko', 'B', 'C', 'A']);

    res = await client('pupil').delete<Showcase>(`/api/showcases/${s.id}/items/${ids[2]}`);
    expect(titles(res.body)).toEqual(['Väliotsikko', 'C', 'A']);
    expect(await positions(s.id)).toEqual([0, 1, 2]);

    // Edit a reflection and a heading.
    res = await client('pupil').patch<Showcase>(`/api/showcases/${s.id}/items/${ids[0]}`, { bodyHtml: '<p>Uusi syy</p><iframe></iframe>', heading: 'Eka' });
    expect(res.body.items.find((i) => i.id === ids[0])).toMatchObject({ bodyHtml: '<p>Uusi syy</p>', heading: 'Eka' });
  });

  it('refuses an order that is not a permutation of the items', async () => {
    const s = await create();
    await add(s.id, { heading: '1' });
    const res = await add(s.id, { heading: '2' });
    const [x, y] = res.body.items.map((i) => i.id) as [string, string];
    const order = (itemIds: string[]) => client('pupil').put(`/api/showcases/${s.id}/order`, { itemIds });
    expect((await order([x])).status).toBe(409);
    expect((await order([x, x])).status).toBe(400);
    expect((await order([x, y, crypto.randomUUID()])).status).toBe(409);
    expect((await order([y, x])).status).toBe(200);
    expect(await positions(s.id)).toEqual([0, 1]);
  });

  it('concurrent reorders do not corrupt it: one whole order wins, positions stay dense', async () => {
    const s = await create();
    let last: Showcase = s;
    for (let i = 0; i < 6; i++) last = (await add(s.id, { heading: `k${i}` })).body;
    const ids = last.items.map((i) => i.id);
    const perms = Array.from({ length: 8 }, (_, k) => [...ids.slice(k % ids.length), ...ids.slice(0, k % ids.length)].reverse());
    const results = await Promise.all(perms.map((itemIds) => client('pupil').put<Showcase>(`/api/showcases/${s.id}/order`, { itemIds })));
    expect(results.map((r) => r.status)).toEqual(perms.map(() => 200));
    const final = (await client('pupil').get<Showcase>(`/api/showcases/${s.id}`)).body.items.map((i) => i.id);
    expect(perms.map((p) => p.join())).toContain(final.join());
    expect(await positions(s.id)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('leaves out a deleted work when read, and the order still works without it', async () => {
    const s = await create();
    const a = await work('Pysyy');
    const gone = await work('Poistuu');
    await add(s.id, { artefactId: a.id });
    const added = await add(s.id, { artefactId: gone.id });
    const goneItem = added.body.items[1]!.id;
    await app.database.db.updateTable('artefacts').set({ deletedAt: new Date() }).where('id', '=', gone.id).execute();
    const read = await client('pupil').get<Showcase>(`/api/showcases/${s.id}`);
    expect(titles(read.body)).toEqual(['Pysyy']);
    const text = await add(s.id, { heading: 'Loppu' });
    expect(titles(text.body)).toEqual(['Pysyy', 'Loppu']);
    const reordered = await client('pupil').put<Showcase>(`/api/showcases/${s.id}/order`, { itemIds: [...text.body.items.map((i) => i.id)].reverse() });
    expect(titles(reordered.body)).toEqual(['Loppu', 'Pysyy']);
    expect((await client('pupil').put(`/api/showcases/${s.id}/order`, { itemIds: [goneItem] })).status).toBe(409);
    expect(await positions(s.id)).toEqual([0, 1, 2]);
  });
});

describe('ownership', () => {
  it("refuses another pupil's work, another school's, a deleted one and an unknown id", async () => {
    const s = await create();
    const classmates = await work('Toisen työ', { ownerId: w.classmate.id });
    const otherSchool = await makeArtefact(app.database.db, { ownerId: w.pupilB.id, title: 'Toisen koulun työ' });
    const deleted = await work('Poistettu', { deleted: true });
    for (const id of [classmates.id, otherSchool.id, deleted.id, crypto.randomUUID()]) {
      const res = await add(s.id, { artefactId: id });
      expect(res.status, id).toBe(404);
      expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    // Nor by filling an item with one.
    const item = (await add(s.id, { heading: 'Paikka' })).body.items[0]!;
    expect((await client('pupil').patch(`/api/showcases/${s.id}/items/${item.id}`, { artefactId: classmates.id })).status).toBe(404);
    expect((await client('pupil').get<Showcase>(`/api/showcases/${s.id}`)).body.items.map((i) => i.artefact)).toEqual([null]);
    // An item of another showcase is not this one's.
    const other = await create();
    expect((await client('pupil').delete(`/api/showcases/${other.id}/items/${item.id}`)).status).toBe(404);
  });
});

describe('sharing', () => {
  it('private: the pupil and their teachers; guardians: also this child’s guardian; project: also its classmates', async () => {
    const s = await create('Jaettava');
    const a = await work('Yksityinen työ');
    await makeFeedback(app.database.db, a.id, w.teacher.id, 'Opettajan palaute');
    await add(s.id, { artefactId: a.id, bodyHtml: '<p>Valitsin tämän</p>' });
    // Her group's teacher; a project's teacher only once the showcase is in their project (attack review 16).
    expect(await readers(s.id)).toEqual(['pupil', 'teacher'].sort());
    expect((await share(s.id, 'guardians')).status).toBe(200);
    expect(await readers(s.id)).toEqual(['guardian', 'pupil', 'teacher'].sort());
    // 'project' needs one of the pupil's own projects.
    expect((await share(s.id, 'project')).status).toBe(400);
    expect((await share(s.id, 'project', otherProject.id)).status).toBe(400);
    expect((await share(s.id, 'project', project.id)).status).toBe(200);
    expect(await readers(s.id)).toEqual(['classmate', 'guardian', 'pupil', 'projectTeacher', 'teacher'].sort());
    // The classmate sees the work read-only: its content, no feedback, no version, no goals, no other names.
    const seen = await client('classmate').get<Showcase>(`/api/showcases/${s.id}`);
    expect(seen.body.canEdit).toBe(false);
    expect(Object.keys(seen.body.items[0]!.artefact!).sort()).toEqual(['bodyHtml', 'createdAt', 'id', 'kind', 'links', 'media', 'projectId', 'title']);
    expect(seen.text).not.toContain('Opettajan palaute');
    expect(seen.text).not.toContain(w.teacher.displayName);
    // The showcase opens the work only through itself.
    expect((await client('classmate').get(`/api/artefacts/${a.id}`)).status).toBe(404);
    expect((await client('guardian').get(`/api/artefacts/${a.id}`)).status).toBe(404);
    // Lists: the guardian finds it among the child's, the classmate in the project's.
    expect((await client('guardian').get<ShowcaseList>(`/api/pupils/${w.pupil.id}/showcases`)).body.items.map((i) => i.id)).toContain(s.id);
    expect((await client('classmate').get<ShowcaseList>(`/api/projects/${project.id}/showcases`)).body.items.map((i) => i.id)).toContain(s.id);
    expect((await client('otherGuardian').get(`/api/pupils/${w.pupil.id}/showcases`)).status).toBe(404);
    // Back to private: everyone else loses it at once.
    await share(s.id, 'private');
    expect(await readers(s.id)).toEqual(['pupil', 'projectTeacher', 'teacher'].sort());
    expect((await client('guardian').get<ShowcaseList>(`/api/pupils/${w.pupil.id}/showcases`)).body.items.map((i) => i.id)).not.toContain(s.id);
  });

  it('a classmate who leaves the project, or an owner who does, ends what classmates see', async () => {
    const s = await create();
    await share(s.id, 'project', project.id);
    const leaver = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    await addMember(app.database.db, w.group.id, leaver.id, 'pupil');
    const c = await app.as(leaver.username);
    expect((await c.get(`/api/showcases/${s.id}`)).status).toBe(200);
    await app.database.db.deleteFrom('memberships').where('userId', '=', leaver.id).execute();
    const again = await app.as(leaver.username);
    expect((await again.get(`/api/showcases/${s.id}`)).status).toBe(404);
  });
});

describe('media through the showcase', () => {
  it('opens for a viewer of the showcase although the work is private, and stops when unshared, removed or taken off', async () => {
    const key = `media/sh/ow/showcase-${Date.now()}.original`;
    await app.polku.blobs.putStream(key, Readable.from(Buffer.from('png-bytes')), { contentType: 'image/png' });
    const a = await work('Kuva', { mediaKey: key });
    const s = await create();
    const item = (await add(s.id, { artefactId: a.id })).body.items[0]!;
    const url = item.artefact!.media[0]!.urls.original!;
    expect(url).toBe(`/api/showcases/${s.id}/items/${item.id}/media/${a.mediaId}/original`);
    expect((await client('guardian').get(url)).status).toBe(404);
    await share(s.id, 'guardians');
    const first = await client('guardian').get(url);
    expect(first.status).toBe(302);
    const location = first.headers.get('location') ?? '';
    const open = () => fetch(new URL(location, app.url)).then((r) => r.status);
    expect(await open()).toBe(200);
    // The artefact's own media route stays closed to the guardian: the work is private.
    expect((await client('guardian').get(`/api/media/${a.mediaId}/original`)).status).toBe(404);
    expect((await client('otherGuardian').get(url)).status).toBe(404);
    // Unshared: the URL already given stops opening too.
    await share(s.id, 'private');
    expect(await open()).toBe(404);
    await share(s.id, 'guardians');
    expect(await open()).toBe(200);
    // The file taken off the work.
    await app.database.db.updateTable('mediaItems').set({ removedAt: new Date() }).where('id', '=', a.mediaId!).execute();
    expect(await open()).toBe(404);
    expect((await client('guardian').get(url)).status).toBe(404);
    await app.database.db.updateTable('mediaItems').set({ removedAt: null }).where('id', '=', a.mediaId!).execute();
    expect(await open()).toBe(200);
    // The item removed from the showcase.
    await client('pupil').delete(`/api/showcases/${s.id}/items/${item.id}`);
    expect(await open()).toBe(404);
    expect((await client('guardian').get(url)).status).toBe(404);
  });

  it('does not open a file of another work through an item', async () => {
    const key = `media/sh/ow/other-${Date.now()}.original`;
    await app.polku.blobs.putStream(key, Readable.from(Buffer.from('png')), { contentType: 'image/png' });
    const inShowcase = await work('Näkyvä');
    const secret = await work('Salainen', { mediaKey: key });
    const s = await create();
    await share(s.id, 'guardians');
    const item = (await add(s.id, { artefactId: inShowcase.id })).body.items[0]!;
    expect((await client('guardian').get(`/api/showcases/${s.id}/items/${item.id}/media/${secret.mediaId}/original`)).status).toBe(404);
  });
});

describe('templates', () => {
  it("the project's teachers keep templates; its pupils start their own showcase from one with empty slots", async () => {
    const body = {
      title: 'Vesiprojektin kooste',
      intro: 'Kolme työtä ja pohdinta.',
      slots: [
        { prompt: 'Työ, josta opit eniten', goalId: project.goalId },
        { prompt: 'Pohdi tavoitetta', goalId: null },
      ],
    };
    expect((await client('pupil').post(`/api/projects/${project.id}/showcase-templates`, body)).status).toBe(403);
    expect((await client('otherTeacher').post(`/api/projects/${project.id}/showcase-templates`, body)).status).toBe(404);
    expect((await client('teacherB').post(`/api/projects/${project.id}/showcase-templates`, body)).status).toBe(404);
    const badGoal = await client('teacher').post(`/api/projects/${project.id}/showcase-templates`, {
      ...body,
      slots: [{ prompt: 'x', goalId: otherProject.goalId }],
    });
    expect(badGoal.status).toBe(400);
    const made = await client('teacher').post<ShowcaseTemplate>(`/api/projects/${project.id}/showcase-templates`, body);
    expect(made.status).toBe(201);
    const byProjectTeacher = await client('projectTeacher').patch<ShowcaseTemplate>(`/api/showcase-templates/${made.body.id}`, { title: 'Vesiprojekti' });
    expect(byProjectTeacher.status).toBe(200);

    const list = await client('pupil').get<ShowcaseTemplateList>(`/api/projects/${project.id}/showcase-templates`);
    expect(list.body).toMatchObject({ canManage: false, canStart: true });
    expect(list.body.items.map((t) => t.id)).toContain(made.body.id);
    expect((await client('otherPupil').get(`/api/projects/${project.id}/showcase-templates`)).status).toBe(404);
    expect((await client('otherPupil').post(`/api/showcase-templates/${made.body.id}/start`)).status).toBe(404);
    expect((await client('teacher').post(`/api/showcase-templates/${made.body.id}/start`)).status).toBe(403);

    const started = await client('pupil').post<Showcase>(`/api/showcase-templates/${made.body.id}/start`);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      title: 'Vesiprojekti',
      introHtml: '<p>Kolme työtä ja pohdinta.</p>',
      projectId: project.id,
      templateId: made.body.id,
    });
    expect(started.body.items.map((i) => [i.kind, i.prompt])).toEqual([
      ['slot', 'Työ, josta opit eniten'],
      ['slot', 'Pohdi tavoitetta'],
    ]);
    // A reader does not see the slots still waiting; the pupil fills one with a work and the other with text.
    await share(started.body.id, 'guardians');
    expect((await client('guardian').get<Showcase>(`/api/showcases/${started.body.id}`)).body.items).toEqual([]);
    const a = await work('Vesinäyte');
    const [slot1, slot2] = started.body.items as [Showcase['items'][number], Showcase['items'][number]];
    await client('pupil').patch(`/api/showcases/${started.body.id}/items/${slot1.id}`, { artefactId: a.id, bodyHtml: '<p>Opin mittaamaan</p>' });
    await client('pupil').patch(`/api/showcases/${started.body.id}/items/${slot2.id}`, { bodyHtml: '<p>Osaan havainnoida</p>' });
    const seen = await client('guardian').get<Showcase>(`/api/showcases/${started.body.id}`);
    expect(seen.body.items.map((i) => [i.kind, i.artefact?.title ?? i.bodyHtml])).toEqual([
      ['artefact', 'Vesinäyte'],
      ['slot', '<p>Osaan havainnoida</p>'],
    ]);
    // Deleting the template leaves the pupil's showcase as it is.
    expect((await client('pupil').delete(`/api/showcase-templates/${made.body.id}`)).status).toBe(403);
    expect((await client('teacher').delete(`/api/showcase-templates/${made.body.id}`)).status).toBe(200);
    const after = await client('pupil').get<Showcase>(`/api/showcases/${started.body.id}`);
    expect(after.status).toBe(200);
    expect(after.body.items.map((i) => i.heading)).toEqual(['Työ, josta opit eniten', 'Pohdi tavoitetta']);
  });
});

describe('limits', () => {
  it('at most 100 items in a showcase', async () => {
    const s = await create();
    await showcasesDb(app.database.db)
      .insertInto('showcaseItems')
      .values(Array.from({ length: 99 }, (_, i) => ({ showcaseId: s.id, position: i, heading: `t${i}` })))
      .execute();
    expect((await add(s.id, { heading: 'sadas' })).status).toBe(201);
    const over = await add(s.id, { heading: 'liikaa' });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ error: { message: expect.stringMatching(/100/) } });
  });

  it('at most 200 showcases per pupil', async () => {
    const pupil = await makeUser(app.database.db, { role: 'pupil', schoolId: w.schoolA.id });
    await showcasesDb(app.database.db)
      .insertInto('showcases')
      .values(Array.from({ length: 199 }, (_, i) => ({ ownerId: pupil.id, title: `s${i}` })))
      .execute();
    const c = await app.as(pupil.username);
    expect((await c.post('/api/showcases', { title: 'viimeinen' })).status).toBe(201);
    const over = await c.post('/api/showcases', { title: 'liikaa' });
    expect(over.status).toBe(409);
  });
});

describe('live', () => {
  it('a change reaches the current viewers by id: the guardian once shared, never another family', async () => {
    const listen = async (name: string) => {
      const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(app.url, {
        transports: ['websocket'],
        extraHeaders: { cookie: client(name).cookieHeader },
        reconnection: false,
        forceNew: true,
      });
      sockets.push(socket);
      const heard: string[] = [];
      socket.on('showcase.changed', (p) => heard.push(p.showcaseId));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      return heard;
    };
    const s = await create();
    const [owner, teacher, guardian, otherGuardian, classmate] = await Promise.all(['pupil', 'teacher', 'guardian', 'otherGuardian', 'classmate'].map(listen));
    await add(s.id, { heading: 'Yksityinen vielä' });
    const wait = { timeout: 5000, interval: 20 };
    await vi.waitFor(() => expect(owner).toEqual([s.id]), wait);
    await vi.waitFor(() => expect(teacher).toEqual([s.id]), wait);
    await share(s.id, 'guardians');
    await vi.waitFor(() => expect(guardian).toEqual([s.id]), wait);
    await add(s.id, { heading: 'Toinen' });
    await vi.waitFor(() => expect(guardian).toHaveLength(2), wait);
    // Unsharing reaches the guardian too (they read again and get 404), then nothing more.
    await share(s.id, 'private');
    await vi.waitFor(() => expect(guardian).toHaveLength(3), wait);
    await add(s.id, { heading: 'Kolmas' });
    await vi.waitFor(() => expect(owner).toHaveLength(5), wait);
    expect(guardian).toHaveLength(3);
    expect(otherGuardian).toEqual([]);
    expect(classmate).toEqual([]);
  });
});

describe('under a school rule that a teacher approves what guardians see (issue 12 §1)', () => {
  it('a showcase reaches guardians only once a teacher approves it; one shared before the rule (without approval) no longer reaches them', async () => {
    const db = app.database.db;
    const before = await create('Ennen sääntöä');
    await add(before.id, { artefactId: (await work('Jaettu ennen')).id });
    expect((await share(before.id, 'guardians')).status).toBe(200);
    expect(await readers(before.id)).toContain('guardian');
    // Set in the table, not through the school's setting (which approves what is shared at that moment).
    await db
      .updateTable('schools')
      .set({ guardianSharing: 'approval' } as never)
      .where('id', '=', w.schoolA.id)
      .execute();
    try {
      // The showcase holds work no teacher approved: guardians lose it, as they would an unapproved work.
      expect(await readers(before.id)).not.toContain('guardian');
      const after = await create('Säännön jälkeen');
      const shared = await share(after.id, 'guardians');
      expect(shared.status).toBe(200);
      expect(shared.body.guardianApproval).toMatchObject({ state: 'pending' });
      expect(await readers(after.id)).not.toContain('guardian');
      // Sharing with the project's pupils works at once; its guardians wait for the approval.
      expect((await share(after.id, 'project', project.id)).status).toBe(200);
      const seen = await readers(after.id);
      expect(seen).toContain('classmate');
      expect(seen).not.toContain('guardian');
      const approved = await client('teacher').post(`/api/showcases/${after.id}/guardian-approval/approve`, {
        fingerprint: shared.body.guardianApproval!.fingerprint,
      });
      expect(approved.status, approved.text).toBe(200);
      expect(await readers(after.id)).toContain('guardian');
    } finally {
      await db
        .updateTable('schools')
        .set({ guardianSharing: 'direct' } as never)
        .where('id', '=', w.schoolA.id)
        .execute();
    }
  });
});
