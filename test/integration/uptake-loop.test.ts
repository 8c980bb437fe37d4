import sharp from 'sharp';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Artefact, GroupOverview } from '../../shared/api/artefacts.ts';
import type { Feedback } from '../../shared/api/feedback.ts';
import { artefactForm as form } from '../helpers/artefact-upload.ts';
import { makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 10 §3–4: feedback marks (goals, a request to revise) and the uptake loop (versions answer feedback).
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let project: Awaited<ReturnType<typeof makeProject>>;
let otherProject: Awaited<ReturnType<typeof makeProject>>;
let pupil: TestClient;
let classmate: TestClient;
let teacher: TestClient;
let guardian: TestClient;
const sockets: Socket[] = [];

interface History {
  versions: Array<{ version: number; title: string; bodyHtml: string; mediaIds: string[]; moved: boolean; answers: Array<{ id: string; revise: boolean }> }>;
  events: Array<{ kind: string; to: string | null }>;
}
interface Thread {
  items: Feedback[];
}

const png = (colour: string) =>
  sharp({ create: { width: 8, height: 8, channels: 3, background: colour } })
    .png()
    .toBuffer();

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  project = await makeProject(app.database.db, { schoolId: w.schoolA.id, groupIds: [w.group.id] });
  otherProject = await makeProject(app.database.db, { schoolId: w.schoolA.id, groupIds: [w.group.id] });
  [pupil, classmate, teacher, guardian] = await Promise.all([
    app.as(w.pupil.username),
    app.as(w.classmate.username),
    app.as(w.teacher.username),
    app.as(w.guardian.username),
  ]);
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await app?.close();
});

function listen(client: TestClient) {
  const socket = io(app.url, { transports: ['websocket'], extraHeaders: { cookie: client.cookieHeader }, reconnection: false, forceNew: true });
  sockets.push(socket);
  const events: Array<[string, unknown]> = [];
  socket.onAny((event: string, payload: unknown) => events.push([event, payload]));
  return { events, ready: new Promise<void>((resolve) => socket.once('connect', () => resolve())) };
}

async function newWork(title = 'Lehtien värit', fields: Record<string, unknown> = {}): Promise<Artefact> {
  const res = await pupil.post<Artefact>('/api/artefacts', { title, bodyHtml: '<p>Vaahtera on punainen.</p>', projectId: project.id, ...fields });
  expect(res.status).toBe(201);
  return res.body;
}
const history = async (client: TestClient, id: string) => (await client.get<History>(`/api/artefacts/${id}/history`)).body;
const thread = async (client: TestClient, id: string) => (await client.get<Thread>(`/api/artefacts/${id}/feedback`)).body.items;

describe('version history records changes of content and placement', () => {
  it('marking ready and sharing make no version; moving makes one (issue 12 §1); all are events, and a guardian sees the shared ones', async () => {
    const a = await newWork();
    expect((await pupil.patch<Artefact>(`/api/artefacts/${a.id}`, { status: 'ready' })).body.version).toBe(1);
    expect((await pupil.patch<Artefact>(`/api/artefacts/${a.id}`, { visibility: 'guardians' })).body.version).toBe(1);
    // Where the work sits is approved with it under the approval rule, so a move is a version of its own.
    expect((await pupil.patch<Artefact>(`/api/artefacts/${a.id}`, { goalIds: [project.goalId], subjectCodes: ['BI'] })).body.version).toBe(2);
    // The same title, text and placement again is no change.
    expect((await pupil.patch<Artefact>(`/api/artefacts/${a.id}`, { title: a.title, bodyHtml: a.bodyHtml, tags: [], subjectCodes: ['BI'] })).body.version).toBe(
      2,
    );
    const mine = await history(pupil, a.id);
    expect(mine.versions.map((v) => [v.version, v.moved])).toEqual([
      [2, true],
      [1, false],
    ]);
    expect(mine.events.map((e) => [e.kind, e.to])).toEqual([
      ['placement', null],
      ['visibility', 'guardians'],
      ['status', 'ready'],
    ]);
    // Shared now: the versions current while shared are what the guardian sees, with the events from while it was shared.
    const theirs = await history(guardian, a.id);
    expect(theirs.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(theirs.events.map((e) => e.kind)).toEqual(['placement', 'visibility']);

    const edited = await pupil.patch<Artefact>(`/api/artefacts/${a.id}`, { bodyHtml: '<p>Vaahtera on punainen ja keltainen.</p>' });
    expect(edited.body.version).toBe(3);
    expect((await pupil.patch<Artefact>(`/api/artefacts/${a.id}`, { tags: ['syksy'] })).body.version).toBe(4);
  });

  it('a guardian still sees only versions written while the work was shared', async () => {
    const a = await newWork('Salaisuus');
    await pupil.patch(`/api/artefacts/${a.id}`, { title: 'Salaisuus 2' });
    await pupil.patch(`/api/artefacts/${a.id}`, { visibility: 'guardians' });
    await pupil.patch(`/api/artefacts/${a.id}`, { title: 'Jaettu' });
    await pupil.patch(`/api/artefacts/${a.id}`, { visibility: 'private' });
    await pupil.patch(`/api/artefacts/${a.id}`, { title: 'Taas yksityinen' });
    await pupil.patch(`/api/artefacts/${a.id}`, { visibility: 'guardians' });
    const theirs = await history(guardian, a.id);
    // v1 never shared; v2 became shared when shared; v3 written shared; v4 written private, then shared as current.
    expect(theirs.versions.map((v) => [v.version, v.title])).toEqual([
      [4, 'Taas yksityinen'],
      [3, 'Jaettu'],
      [2, 'Salaisuus 2'],
    ]);
    expect((await history(pupil, a.id)).versions).toHaveLength(4);
  });

  it('one save with new files and edited fields makes one version; a save with files only makes one too', async () => {
    const a = await newWork('Kuvat');
    const saved = await pupil.post<Artefact>(
      `/api/artefacts/${a.id}/media`,
      form({ title: 'Kuvat ja teksti', status: 'ready' }, [
        { name: 'a.png', type: 'image/png', bytes: await png('#ff0000') },
        { name: 'b.png', type: 'image/png', bytes: await png('#00ff00') },
      ]),
    );
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ version: 2, title: 'Kuvat ja teksti', status: 'ready' });
    expect(saved.body.media).toHaveLength(2);
    const h = await history(pupil, a.id);
    expect(h.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(h.versions[0]?.mediaIds).toHaveLength(2);

    const more = await pupil.post<Artefact>(`/api/artefacts/${a.id}/media`, form({}, [{ name: 'c.png', type: 'image/png', bytes: await png('#0000ff') }]));
    expect(more.body.version).toBe(3);
    const removed = await pupil.patch<Artefact>(`/api/artefacts/${a.id}`, { removeMediaIds: [saved.body.media[0]?.id] });
    expect(removed.body.version).toBe(4);

    const bad = await pupil.post(`/api/artefacts/${a.id}/media`, form({ title: '' }, [{ name: 'd.png', type: 'image/png', bytes: await png('#000000') }]));
    expect(bad.status).toBe(400);
    expect((await history(pupil, a.id)).versions).toHaveLength(4);
  });
});

describe('feedback marks', () => {
  it('a teacher names goals of the project and asks for a revision; the thread shows both', async () => {
    const a = await newWork();
    const res = await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Lisää kuva lehdestä.', goalIds: [project.goalId], revise: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ goalIds: [project.goalId], revise: true, answeredVersion: null });
    expect(await thread(pupil, a.id)).toEqual([expect.objectContaining({ id: res.body.id, revise: true, goalIds: [project.goalId] })]);
    // Plain feedback stays plain.
    expect((await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Hyvä alku.' })).body).toMatchObject({ goalIds: [], revise: false });
  });

  it("refuses goals of another project, and marks from anyone but the pupil's teacher", async () => {
    const a = await newWork();
    const other = await teacher.post(`/api/artefacts/${a.id}/feedback`, { body: 'Väärä tavoite', goalIds: [otherProject.goalId] });
    expect(other.status).toBe(400);
    expect(other.body).toMatchObject({ error: { details: [{ path: 'body.goalIds' }] } });
    expect((await pupil.post(`/api/artefacts/${a.id}/feedback`, { body: 'Korjaan itse', revise: true })).status).toBe(403);
    expect((await pupil.post(`/api/artefacts/${a.id}/feedback`, { body: 'Tavoite', goalIds: [project.goalId] })).status).toBe(403);
    expect((await pupil.post(`/api/artefacts/${a.id}/feedback`, { body: 'Tavallinen vastaus' })).status).toBe(201);
    const teacherB = await app.as(w.teacherB.username);
    expect((await teacherB.post(`/api/artefacts/${a.id}/feedback`, { body: 'x', revise: true })).status).toBe(404);
  });
});

describe('the uptake loop', () => {
  it('a new version answers unanswered feedback on its own artefact; the thread and history show it, live', async () => {
    const a = await newWork();
    const request = (await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Korjaa otsikko.', revise: true })).body;
    const plain = (await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Kerro lisää.' })).body;
    const own = (await pupil.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Kiitos!' })).body;
    const b = await newWork('Toinen');
    const elsewhere = (await teacher.post<Feedback>(`/api/artefacts/${b.id}/feedback`, { body: 'Muualla' })).body;

    // Not without a change of content, not feedback of another artefact, not the pupil's own message.
    const unchanged = await pupil.patch(`/api/artefacts/${a.id}`, { status: 'ready', answersFeedbackIds: [request.id] });
    expect(unchanged.status).toBe(400);
    expect((await pupil.patch(`/api/artefacts/${a.id}`, { title: 'X', answersFeedbackIds: [elsewhere.id] })).status).toBe(400);
    expect((await pupil.patch(`/api/artefacts/${a.id}`, { title: 'X', answersFeedbackIds: [own.id] })).status).toBe(400);
    // A refused save changed nothing.
    expect((await history(pupil, a.id)).versions).toHaveLength(1);

    const teacherLive = listen(teacher);
    await teacherLive.ready;
    const saved = await pupil.patch<Artefact>(`/api/artefacts/${a.id}`, { title: 'Lehtien värit syksyllä', answersFeedbackIds: [request.id, plain.id] });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(2);
    await vi.waitFor(
      () =>
        expect(teacherLive.events).toContainEqual([
          'feedback.answered',
          { artefactId: a.id, feedbackIds: [request.id, plain.id], version: 2, ownerId: w.pupil.id },
        ]),
      { timeout: 5000 },
    );
    const items = await thread(teacher, a.id);
    expect(items.find((f) => f.id === request.id)?.answeredVersion).toBe(2);
    expect(items.find((f) => f.id === own.id)?.answeredVersion).toBeNull();
    const h = await history(pupil, a.id);
    expect(h.versions[0]?.answers.map((x) => x.id).sort()).toEqual([request.id, plain.id].sort());
    expect(h.versions[1]?.answers).toEqual([]);

    // Already answered: not again.
    expect((await pupil.patch(`/api/artefacts/${a.id}`, { title: 'Uudestaan', answersFeedbackIds: [request.id] })).status).toBe(400);
  });

  it('a guardian hears of an edited answered message without a version they may not see', async () => {
    const a = await newWork('Yksityinen vastaus');
    const note = (await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Korjaa.', revise: true })).body;
    await pupil.patch(`/api/artefacts/${a.id}`, { title: 'Yksityinen vastaus 2', answersFeedbackIds: [note.id] });
    // Shared with a change of content: v3 is shared, v2 (the answer) never was.
    await pupil.patch(`/api/artefacts/${a.id}`, { title: 'Jaettu 3', visibility: 'guardians' });
    const guardianLive = listen(guardian);
    const pupilLive = listen(pupil);
    await Promise.all([guardianLive.ready, pupilLive.ready]);
    // Issue 12 §1: the message predates sharing, so the guardian sees it neither in the thread nor live.
    expect(await thread(guardian, a.id)).toEqual([]);
    await teacher.patch(`/api/artefacts/${a.id}/feedback/${note.id}`, { body: 'Korjaa, kiitos.' });
    await vi.waitFor(() => expect(pupilLive.events.map(([e]) => e)).toContain('feedback.updated'), { timeout: 5000 });
    const heard = (client: { events: Array<[string, unknown]> }) =>
      (client.events.find(([e]) => e === 'feedback.updated')?.[1] as { feedback: Feedback }).feedback;
    expect(guardianLive.events.map(([e]) => e)).not.toContain('feedback.updated');
    expect(heard(pupilLive).answeredVersion).toBe(2);

    // A purge of the work takes its answered feedback and versions with it.
    await app.database.db.deleteFrom('artefacts').where('id', '=', a.id).execute();
    expect(await app.database.db.selectFrom('feedback').select('id').where('artefactId', '=', a.id).execute()).toEqual([]);
  });

  it('only the owner links versions to feedback', async () => {
    const a = await newWork();
    const request = (await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Täydennä.', revise: true })).body;
    expect((await teacher.patch(`/api/artefacts/${a.id}`, { title: 'Opettaja', answersFeedbackIds: [request.id] })).status).toBe(403);
    expect((await classmate.patch(`/api/artefacts/${a.id}`, { title: 'Kaveri', answersFeedbackIds: [request.id] })).status).toBe(404);
    expect((await thread(teacher, a.id))[0]?.answeredVersion).toBeNull();
  });

  it('a guardian sees "answered in version N" only for a version they may see', async () => {
    const a = await newWork('Jaettava', { visibility: 'guardians' });
    const first = (await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Ensimmäinen' })).body;
    const second = (await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Toinen' })).body;
    // Answered while shared (v2), then unshared and answered privately (v3), then shared again without a new version.
    await pupil.patch(`/api/artefacts/${a.id}`, { title: 'Jaettava 2', answersFeedbackIds: [first.id] });
    await pupil.patch(`/api/artefacts/${a.id}`, { visibility: 'private' });
    await pupil.patch(`/api/artefacts/${a.id}`, { title: 'Yksityinen 3', answersFeedbackIds: [second.id] });
    await pupil.patch(`/api/artefacts/${a.id}`, { bodyHtml: '<p>Jaettu taas</p>', visibility: 'guardians' });
    const theirs = await thread(guardian, a.id);
    expect(theirs.find((f) => f.id === first.id)?.answeredVersion).toBe(2);
    expect(theirs.find((f) => f.id === second.id)?.answeredVersion).toBeNull();
    const h = await history(guardian, a.id);
    expect(h.versions.map((v) => v.version)).toEqual([4, 2, 1]);
    expect(h.versions.flatMap((v) => v.answers.map((x) => x.id))).toEqual([first.id]);
    expect((await thread(pupil, a.id)).find((f) => f.id === second.id)?.answeredVersion).toBe(3);
  });
});

describe("the teacher's queue", () => {
  it('lists work waiting for first feedback, revised after feedback, and revisions requested but not done', async () => {
    const overview = async () => {
      const res = await teacher.get<GroupOverview>(`/api/groups/${w.group.id}/overview`);
      expect(res.status).toBe(200);
      return res.body;
    };
    const a = await newWork('Jonossa', { status: 'ready' });
    let o = await overview();
    expect(o.queue.map((q) => q.artefactId)).toContain(a.id);
    expect(o.revised.map((q) => q.artefactId)).not.toContain(a.id);

    const request = (await teacher.post<Feedback>(`/api/artefacts/${a.id}/feedback`, { body: 'Korjaa.', revise: true })).body;
    o = await overview();
    expect(o.queue.map((q) => q.artefactId)).not.toContain(a.id);
    expect(o.revisionRequested).toContainEqual(expect.objectContaining({ artefactId: a.id, feedbackId: request.id }));
    expect(o.revised.map((q) => q.artefactId)).not.toContain(a.id);

    // Marking it ready again is no revision.
    await pupil.patch(`/api/artefacts/${a.id}`, { status: 'draft' });
    await pupil.patch(`/api/artefacts/${a.id}`, { status: 'ready' });
    expect((await overview()).revised.map((q) => q.artefactId)).not.toContain(a.id);

    await pupil.patch(`/api/artefacts/${a.id}`, { bodyHtml: '<p>Korjattu.</p>', answersFeedbackIds: [request.id] });
    o = await overview();
    expect(o.revised).toContainEqual(expect.objectContaining({ artefactId: a.id, version: 2, sinceVersion: 1 }));
    expect(o.revisionRequested.map((r) => r.feedbackId)).not.toContain(request.id);

    // The teacher answers the revision: it leaves the list.
    await teacher.post(`/api/artefacts/${a.id}/feedback`, { body: 'Nyt on hyvä.' });
    expect((await overview()).revised.map((q) => q.artefactId)).not.toContain(a.id);
  });
});
