import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, TimelinePage } from '../../shared/api/artefacts.ts';
import type { PupilTags } from '../../shared/api/tags.ts';
import { makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 9, item 4: free tags on artefacts, stored through the artefacts service, filterable, listed for chips.

interface ApiErrorBody {
  error: { code: string; message: string; details: Array<{ path: string; message: string }> };
}

let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let pupil: TestClient;
let teacher: TestClient;
let guardian: TestClient;
let otherGuardian: TestClient;

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  [pupil, teacher, guardian, otherGuardian] = await Promise.all([
    app.as(w.pupil.username),
    app.as(w.teacher.username),
    app.as(w.guardian.username),
    app.as(w.otherGuardian.username),
  ]);
});
afterAll(async () => app?.close());

async function create(body: Record<string, unknown>): Promise<Artefact> {
  const res = await pupil.post<Artefact>('/api/artefacts', body);
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const timeline = (client: TestClient, query: string) => client.get<TimelinePage>(`/api/pupils/${w.pupil.id}/artefacts?${query}`);

describe('tags on create and update', () => {
  it('keeps tags as written, trimmed, spaces folded and Unicode composed; the version keeps them too', async () => {
    const created = await create({ title: 'Ruska', tags: ['  Kevät  ', 'ilmiö\tprojekti', 'Cafe\u0301'] });
    expect(created.tags).toEqual(['Kevät', 'ilmiö projekti', 'Café']);
    const read = await pupil.get<Artefact>(`/api/artefacts/${created.id}`);
    expect(read.body.tags).toEqual(['Kevät', 'ilmiö projekti', 'Café']);
    const version = await app.database.db.selectFrom('artefactVersions').select('snapshot').where('artefactId', '=', created.id).executeTakeFirstOrThrow();
    expect(version.snapshot.tags).toEqual(['Kevät', 'ilmiö projekti', 'Café']);
  });

  it('a new artefact without tags has none; an edit replaces them, and an edit without them leaves them', async () => {
    const created = await create({ title: 'Ilman' });
    expect(created.tags).toEqual([]);
    const tagged = await pupil.patch<Artefact>(`/api/artefacts/${created.id}`, { tags: ['Metsä', 'syksy'] });
    expect(tagged.status, tagged.text).toBe(200);
    expect(tagged.body.tags).toEqual(['Metsä', 'syksy']);
    const retitled = await pupil.patch<Artefact>(`/api/artefacts/${created.id}`, { title: 'Uusi nimi' });
    expect(retitled.body.tags).toEqual(['Metsä', 'syksy']);
    const cleared = await pupil.patch<Artefact>(`/api/artefacts/${created.id}`, { tags: [] });
    expect(cleared.body.tags).toEqual([]);
  });

  it.each([
    ['too long', ['x'.repeat(41)], 'body.tags.0', /at most 40 characters/],
    ['empty', ['ok', '   '], 'body.tags.1', /must not be empty/],
    ['the same twice in another case', ['Kevät', 'KEVÄT'], 'body.tags.1', /twice/],
    ['too many', Array.from({ length: 21 }, (_, i) => `t${i}`), 'body.tags', /at most 20 tags/],
    ['a text-direction mark', ['abc\u202Efdp.exe'], 'body.tags.0', /text-direction/],
    ['a control character', ['a\u0007b'], 'body.tags.0', /control characters/],
    ['a comma', ['kevät, syksy'], 'body.tags.0', /comma/],
    ['not text', [42], 'body.tags.0', /./],
  ])('refuses a tag that is %s, naming it', async (_name, tags, path, message) => {
    const res = await pupil.post<ApiErrorBody>('/api/artefacts', { title: 'Väärin', tags });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const detail = res.body.error.details.find((d) => d.path === path);
    expect(detail?.message, JSON.stringify(res.body.error.details)).toMatch(message);

    const existing = await create({ title: 'Muokattava' });
    const patched = await pupil.patch<ApiErrorBody>(`/api/artefacts/${existing.id}`, { tags });
    expect(patched.status).toBe(400);
    expect(patched.body.error.details.some((d) => d.path === path)).toBe(true);
  });
});

describe('filtering and listing by tag', () => {
  let sharedSpring: Artefact;
  let privateSpring: Artefact;
  let privateOnly: Artefact;

  beforeAll(async () => {
    sharedSpring = await create({ title: 'Jaettu kevät', tags: ['Kevätretki', 'lintu'], visibility: 'guardians' });
    privateSpring = await create({ title: 'Oma kevät', tags: ['kevätretki'] });
    privateOnly = await create({ title: 'Salainen', tags: ['Salaisuus'] });
  });

  it('filters the timeline by a tag whatever its case, and together with the other filters', async () => {
    const res = await timeline(pupil, `tag=${encodeURIComponent('KEVÄTRETKI')}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((a) => a.id)).toEqual([privateSpring.id, sharedSpring.id]);
    expect(res.body.items[0]?.tags).toEqual(['kevätretki']);
    const both = await timeline(pupil, `tag=lintu&kind=text`);
    expect(both.body.items.map((a) => a.id)).toEqual([sharedSpring.id]);
    expect((await timeline(pupil, 'tag=ei-mitaan')).body.items).toEqual([]);
  });

  it('pages through tagged work with the cursor', async () => {
    const first = await timeline(pupil, 'tag=kevätretki&limit=1');
    expect(first.body.items.map((a) => a.id)).toEqual([privateSpring.id]);
    const second = await timeline(pupil, `tag=kevätretki&limit=1&cursor=${first.body.nextCursor ?? ''}`);
    expect(second.body.items.map((a) => a.id)).toEqual([sharedSpring.id]);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses a tag filter that no tag could match', async () => {
    const res = await timeline(pupil, `tag=${encodeURIComponent('a\u202Eb')}`);
    expect(res.status).toBe(400);
    expect((res.body as unknown as ApiErrorBody).error.details[0]?.path).toBe('query.tag');
  });

  it("lists the pupil's tags for the filter chips: one per spelling-insensitive tag, most used first, with counts", async () => {
    const res = await pupil.get<PupilTags>(`/api/pupils/${w.pupil.id}/tags`);
    expect(res.status, res.text).toBe(200);
    const spring = res.body.tags.find((t) => t.tag.toLowerCase() === 'kevätretki');
    expect(spring?.count).toBe(2);
    expect(res.body.tags.filter((t) => t.tag.toLowerCase() === 'kevätretki')).toHaveLength(1);
    expect(res.body.tags.map((t) => t.tag)).toEqual(expect.arrayContaining(['lintu', 'Salaisuus']));
    const counts = res.body.tags.map((t) => t.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    // The group's teacher sees the whole portfolio, so all its tags.
    const forTeacher = await teacher.get<PupilTags>(`/api/pupils/${w.pupil.id}/tags`);
    expect(forTeacher.body.tags).toEqual(res.body.tags);
  });

  it('a guardian sees the tags of shared work only, and filtering by a private tag shows them nothing', async () => {
    const res = await guardian.get<PupilTags>(`/api/pupils/${w.pupil.id}/tags`);
    expect(res.status).toBe(200);
    expect(res.body.tags).toEqual([
      { tag: 'Kevätretki', count: 1 },
      { tag: 'lintu', count: 1 },
    ]);
    expect((await timeline(guardian, 'tag=Salaisuus')).body.items).toEqual([]);
    const shared = await timeline(guardian, 'tag=kevätretki');
    expect(shared.body.items.map((a) => a.id)).toEqual([sharedSpring.id]);
    expect(shared.body.items[0]?.tags).toEqual(['Kevätretki', 'lintu']);
    expect((await guardian.get(`/api/artefacts/${privateOnly.id}`)).status).toBe(404);
    // Someone else's guardian learns nothing, not even that the pupil exists.
    expect((await otherGuardian.get(`/api/pupils/${w.pupil.id}/tags`)).status).toBe(404);
  });

  it("a teacher of one of the pupil's projects (not of the group) sees the tags of that project's work only", async () => {
    const project = await makeProject(app.database.db, { schoolId: w.schoolA.id, teacherIds: [w.otherTeacher.id], groupIds: [w.group.id] });
    const inProject = await create({ title: 'Projektissa', projectId: project.id, tags: ['Projektityö'] });
    const projectTeacher = await app.as(w.otherTeacher.username);
    const res = await projectTeacher.get<PupilTags>(`/api/pupils/${w.pupil.id}/tags`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.tags).toEqual([{ tag: 'Projektityö', count: 1 }]);
    expect((await timeline(projectTeacher, 'tag=projektityö')).body.items.map((a) => a.id)).toEqual([inProject.id]);
    expect((await timeline(projectTeacher, 'tag=Salaisuus')).body.items).toEqual([]);
  });

  it('deleted work leaves the list and the filter', async () => {
    const gone = await create({ title: 'Poistuva', tags: ['Hetkellinen'] });
    expect((await pupil.delete(`/api/artefacts/${gone.id}`)).status).toBe(200);
    const res = await pupil.get<PupilTags>(`/api/pupils/${w.pupil.id}/tags`);
    expect(res.body.tags.some((t) => t.tag === 'Hetkellinen')).toBe(false);
    expect((await timeline(pupil, 'tag=Hetkellinen')).body.items).toEqual([]);
  });
});
