import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Project } from '../../shared/api/projects.ts';
import type { Scale } from '../../shared/api/scales.ts';
import { projectDocSchema, type PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { applyImport } from '../../server/modules/portability/import/import-archive.ts';
import { MediaFiles } from '../../server/modules/portability/import/import-media.ts';
import { planPolku } from '../../server/modules/portability/import/polku-archive.ts';
import { localHarness } from '../fixtures/hostile/import-harness.ts';
import { makeArtefact, makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { readZipMap } from '../helpers/zip.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 10, section 1: assessment scales are data, per school, in three languages, with an icon per level.
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
const as = new Map<string, TestClient>();
const client = (name: string) => as.get(name)!;

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  for (const name of ['admin', 'teacher', 'pupil', 'guardian', 'adminB', 'teacherB', 'pupilB'] as const) as.set(name, await app.as(w[name].username));
}, 120_000);
afterAll(async () => app?.close());

const level = (fi: string, icon: string) => ({ labels: { fi, sv: `${fi} (sv)`, en: `${fi} (en)` }, icon });
const ownScale = () => ({
  name: { fi: 'Tähdet', sv: 'Stjärnor', en: 'Stars' },
  levels: [level('Alku', '⭐'), level('Matkalla', '⭐⭐'), level('Perillä', '⭐⭐⭐')],
});

describe('assessment scales', () => {
  it('ships a 4-step growth scale and a 3-step smiley scale, labelled in fi, sv and en, with no numbers', async () => {
    const res = await client('pupil').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    expect(res.status).toBe(200);
    const growth = res.body.scales.find((s) => s.builtinKey === 'growth4');
    const smiley = res.body.scales.find((s) => s.builtinKey === 'smiley3');
    expect(growth?.schoolId).toBeNull();
    expect(growth?.levels.map((l) => l.labels.fi)).toEqual(['Harjoittelen', 'Osaan osittain', 'Osaan', 'Osaan hyvin']);
    expect(growth?.levels.map((l) => l.labels.sv)).toEqual(['Jag övar', 'Jag kan delvis', 'Jag kan', 'Jag kan bra']);
    expect(growth?.levels.map((l) => l.labels.en)).toEqual(["I'm practising", 'I can partly', 'I can', 'I can well']);
    expect(growth?.levels.map((l) => l.icon)).toEqual(['🌱', '🌿', '🌳', '🌟']);
    expect(smiley?.levels).toHaveLength(3);
    for (const scale of [growth, smiley])
      for (const l of scale?.levels ?? []) {
        for (const text of [l.labels.fi, l.labels.sv, l.labels.en, l.icon]) expect(text.trim().length).toBeGreaterThan(0);
        expect(Object.keys(l).sort()).toEqual(['icon', 'labels']);
      }
  });

  it("lets the school's admin create and edit a scale of the school's own, seen by the school and not by another", async () => {
    const made = await client('admin').post<Scale>(`/api/schools/${w.schoolA.id}/scales`, ownScale());
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ schoolId: w.schoolA.id, builtinKey: null, name: { en: 'Stars' } });
    expect(made.body.levels.map((l) => l.icon)).toEqual(['⭐', '⭐⭐', '⭐⭐⭐']);

    const edited = await client('admin').patch<Scale>(`/api/scales/${made.body.id}`, { levels: [level('Ei vielä', '🌧'), level('Jo!', '🌈')] });
    expect(edited.status).toBe(200);
    expect(edited.body.levels.map((l) => l.labels.fi)).toEqual(['Ei vielä', 'Jo!']);
    expect(edited.body.name.en).toBe('Stars');

    const seen = await client('teacher').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    expect(seen.body.scales.map((s) => s.id)).toContain(made.body.id);
    const seenB = await client('adminB').get<{ scales: Scale[] }>(`/api/schools/${w.schoolB.id}/scales`);
    expect(seenB.body.scales.map((s) => s.id)).not.toContain(made.body.id);
    expect(
      seenB.body.scales
        .map((s) => s.builtinKey)
        .filter(Boolean)
        .sort(),
    ).toEqual(['growth4', 'smiley3']);
  });

  it('refuses a scale with too few or too many levels, a missing language, an over-long label or icon, with a message', async () => {
    const path = `/api/schools/${w.schoolA.id}/scales`;
    const bad: Array<[unknown, RegExp]> = [
      [{ ...ownScale(), levels: [level('Yksi', '1️⃣')] }, /at least 2 levels/],
      [{ ...ownScale(), levels: Array.from({ length: 8 }, (_, i) => level(`Taso ${i}`, '🌱')) }, /at most 7 levels/],
      [{ ...ownScale(), levels: [{ labels: { fi: 'A', en: 'A' }, icon: '🌱' }, level('B', '🌳')] }, /sv/],
      [{ ...ownScale(), levels: [level('x'.repeat(41), '🌱'), level('B', '🌳')] }, /at most 40 characters/],
      [{ ...ownScale(), levels: [level('A', '🌱'.repeat(9)), level('B', '🌳')] }, /at most 8 characters/],
      [{ ...ownScale(), levels: [level('A', ' '), level('B', '🌳')] }, /must not be empty/],
      [{ ...ownScale(), levels: [{ ...level('A', '🌱'), grade: 4 }, level('B', '🌳')] }, /grade/],
    ];
    for (const [body, message] of bad) {
      const res = await client('admin').post<{ error: { message: string } }>(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body), JSON.stringify(body)).toMatch(message);
    }
  });

  it("refuses another school's admin, teacher and pupil, and the school's own teachers, pupils and guardians", async () => {
    const made = await client('admin').post<Scale>(`/api/schools/${w.schoolA.id}/scales`, ownScale());
    for (const name of ['adminB', 'teacherB', 'pupilB']) {
      expect((await client(name).get(`/api/schools/${w.schoolA.id}/scales`)).status, name).toBe(404);
      expect((await client(name).post(`/api/schools/${w.schoolA.id}/scales`, ownScale())).status, name).toBe(404);
      expect((await client(name).patch(`/api/scales/${made.body.id}`, { name: ownScale().name })).status, name).toBe(404);
    }
    for (const name of ['teacher', 'pupil', 'guardian']) {
      expect((await client(name).post(`/api/schools/${w.schoolA.id}/scales`, ownScale())).status, name).toBe(403);
      expect((await client(name).patch(`/api/scales/${made.body.id}`, { name: ownScale().name })).status, name).toBe(403);
    }
    const after = await client('admin').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    expect(after.body.scales.find((s) => s.id === made.body.id)?.name.en).toBe('Stars');
  });

  it('keeps the built-in scales read-only, for admins too', async () => {
    const list = await client('admin').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    const growth = list.body.scales.find((s) => s.builtinKey === 'growth4')!;
    const res = await client('admin').patch<{ error: { message: string } }>(`/api/scales/${growth.id}`, { levels: [level('A', '🌱'), level('B', '🌳')] });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/built-in/);
    const again = await client('admin').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`);
    expect(again.body.scales.find((s) => s.id === growth.id)?.levels).toHaveLength(4);
  });
});

describe("a project's scale", () => {
  it('defaults to the 4-step growth scale, takes a built-in or the school’s own, and refuses another school’s with a message', async () => {
    const scales = (await client('admin').get<{ scales: Scale[] }>(`/api/schools/${w.schoolA.id}/scales`)).body.scales;
    const smiley = scales.find((s) => s.builtinKey === 'smiley3')!;
    const own = (await client('admin').post<Scale>(`/api/schools/${w.schoolA.id}/scales`, ownScale())).body;
    const otherSchools = (await client('adminB').post<Scale>(`/api/schools/${w.schoolB.id}/scales`, ownScale())).body;

    const made = await client('teacher').post<Project>('/api/projects', { schoolId: w.schoolA.id, title: 'Vesi' });
    expect(made.status).toBe(201);
    expect(made.body.scaleId).toBeNull();
    expect(made.body.scale.builtinKey).toBe('growth4');

    const withSmiley = await client('teacher').post<Project>('/api/projects', { schoolId: w.schoolA.id, title: 'Metsä', scaleId: smiley.id });
    expect(withSmiley.status).toBe(201);
    expect(withSmiley.body.scale.levels.map((l) => l.icon)).toEqual(smiley.levels.map((l) => l.icon));

    const path = `/api/projects/${made.body.id}`;
    const chosen = await client('teacher').patch<Project>(path, { scaleId: own.id });
    expect(chosen.status).toBe(200);
    expect(chosen.body).toMatchObject({ scaleId: own.id, scale: { id: own.id, name: { en: 'Stars' } } });
    expect((await client('teacher').get<Project>(`/api/projects/${withSmiley.body.id}`)).body.scale.builtinKey).toBe('smiley3');

    for (const res of [
      await client('teacher').patch<{ error: { message: string; details?: unknown } }>(path, { scaleId: otherSchools.id }),
      await client('teacher').post<{ error: { message: string; details?: unknown } }>('/api/projects', {
        schoolId: w.schoolA.id,
        title: 'X',
        scaleId: otherSchools.id,
      }),
      await client('teacher').patch<{ error: { message: string; details?: unknown } }>(path, { scaleId: '00000000-0000-4000-8000-000000000000' }),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/assessment scale/);
      expect(JSON.stringify(res.body.error.details)).toMatch(/scaleId/);
    }
    expect((await client('teacher').get<Project>(path)).body.scaleId).toBe(own.id);

    // Back to the default; and those who may not edit the project may not change its scale either.
    expect((await client('teacher').patch<Project>(path, { scaleId: null })).body.scale.builtinKey).toBe('growth4');
    expect((await client('pupil').patch(path, { scaleId: smiley.id })).status).toBe(404);
    const taught = await makeProject(app.database.db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });
    expect((await client('pupil').get<Project>(`/api/projects/${taught.id}`)).body.scale.builtinKey).toBe('growth4');
    expect((await client('pupil').patch(`/api/projects/${taught.id}`, { scaleId: smiley.id })).status).toBe(403);
    expect((await client('teacherB').patch(`/api/projects/${taught.id}`, { scaleId: smiley.id })).status).toBe(404);
  });
});

describe('success criteria of a goal', () => {
  const criteria = ['Nimeän kolme puuta', 'Kerron, miksi metsä on tärkeä'];

  it('are saved, kept when an edit leaves them out, replaced, validated with a message, and shown to the project’s pupils', async () => {
    const made = await client('teacher').post<Project>('/api/projects', {
      schoolId: w.schoolA.id,
      title: 'Metsä',
      goals: [{ text: 'Osaan tunnistaa puita', successCriteria: criteria }, { text: 'Osaan kertoa metsästä' }],
      groupIds: [w.group.id],
    });
    expect(made.status).toBe(201);
    expect(made.body.goals.map((g) => g.successCriteria)).toEqual([criteria, []]);
    const [first, second] = made.body.goals;
    const path = `/api/projects/${made.body.id}`;

    // An edit that leaves a goal's criteria out keeps them; one that names them replaces them.
    const kept = await client('teacher').patch<Project>(path, {
      goals: [
        { id: first!.id, text: 'Osaan tunnistaa puita' },
        { id: second!.id, text: second!.text, successCriteria: ['Kerron yhden asian'] },
      ],
    });
    expect(kept.body.goals.map((g) => g.successCriteria)).toEqual([criteria, ['Kerron yhden asian']]);
    expect((await client('pupil').get<Project>(path)).body.goals[0]?.successCriteria).toEqual(criteria);

    const bad: Array<[string[], RegExp]> = [
      [Array.from({ length: 11 }, (_, i) => `Kriteeri ${i}`), /at most 10 success criteria/],
      [['x'.repeat(201)], /at most 200 characters/],
      [['  '], /must not be empty/],
    ];
    for (const [successCriteria, message] of bad) {
      const res = await client('teacher').patch<{ error: { message: string } }>(path, { goals: [{ id: first!.id, text: first!.text, successCriteria }] });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    expect((await client('teacher').get<Project>(path)).body.goals[0]?.successCriteria).toEqual(criteria);
  });

  it('travel in the Polku archive and come back on import; an archive without them still imports', async () => {
    const project = (
      await client('teacher').post<Project>('/api/projects', {
        schoolId: w.schoolA.id,
        title: 'Vesi',
        goals: [{ text: 'Osaan kertoa veden kierrosta', successCriteria: criteria }],
      })
    ).body;
    await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id });
    const dir = await mkdtemp(path.join(tmpdir(), 'polku-criteria-'));
    const h = await localHarness();
    try {
      const file = path.join(dir, 'export.zip');
      const out = createWriteStream(file);
      await writeExportArchive({ db: app.database.db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi' }, out);
      await finished(out);
      const doc = JSON.parse((await readZipMap(file)).get('portfolio.json')!.toString('utf8')) as PortfolioDocument;
      expect(doc.projects.find((p) => p.id === project.id)?.goals[0]?.successCriteria).toEqual(criteria);

      const report = await applyImport({
        db: app.database.db,
        blobs: h.blobs,
        filePath: file,
        target: { kind: 'new', schoolId: w.schoolB.id },
        actorId: null,
        media: h.media,
      });
      const goals = await app.database.db
        .selectFrom('projectGoals')
        .innerJoin('projects', 'projects.id', 'projectGoals.projectId')
        .select(['projectGoals.text', 'projectGoals.successCriteria'])
        .where('projects.ownerId', '=', report.pupilId)
        .where('projects.title', '=', 'Vesi')
        .execute();
      expect(goals).toEqual([{ text: 'Osaan kertoa veden kierrosta', successCriteria: criteria }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    // Archives from before success criteria: goals without the field are valid.
    const older = {
      id: project.id,
      title: 'Vesi',
      description: '',
      schoolYear: null,
      startsOn: null,
      endsOn: null,
      subjectCodes: [],
      competenceIds: [],
      phases: [],
      goals: [{ id: project.goals[0]!.id, text: 'Osaan' }],
      teachers: [],
      origin: null,
    };
    expect(projectDocSchema.safeParse(older).success).toBe(true);
    expect(projectDocSchema.safeParse({ ...older, goals: [{ ...older.goals[0], successCriteria: Array.from({ length: 11 }, () => 'x') }] }).success).toBe(
      false,
    );
  });
});

// Review (scales-review): scale labels and icons, and success criteria, are shown to young pupils and
// their guardians in option lists and on the project page; a text-direction mark would turn the rest
// of the line around ("‮" before an icon reverses the scale's name), a control character is noise.
describe('hidden characters in scales and success criteria', () => {
  it('are refused with a message, as they are in tags', async () => {
    const path = `/api/schools/${w.schoolA.id}/scales`;
    const bad = [
      { ...ownScale(), levels: [level('A', '\u202E🌱'), level('B', '🌳')] },
      { ...ownScale(), levels: [level('A\u2066b', '🌱'), level('B', '🌳')] },
      { ...ownScale(), name: { ...ownScale().name, en: 'Stars\u0007' } },
    ];
    for (const body of bad) {
      const res = await client('admin').post<{ error: { message: string } }>(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(/control characters or text-direction marks/);
    }
    const res = await client('teacher').post<{ error: { message: string } }>('/api/projects', {
      schoolId: w.schoolA.id,
      title: 'Metsä',
      goals: [{ text: 'Osaan', successCriteria: ['Nimeän \u202Eviisi puuta'] }],
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/control characters or text-direction marks/);
  });

  it('are dropped from success criteria in an imported Polku archive, which is crafted by whoever made it', async () => {
    const project = (await client('teacher').post<Project>('/api/projects', { schoolId: w.schoolA.id, title: 'Ilma', goals: [{ text: 'Osaan' }] })).body;
    await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id });
    const dir = await mkdtemp(path.join(tmpdir(), 'polku-criteria-hidden-'));
    const files = await MediaFiles.create(null, dir, false);
    try {
      const file = path.join(dir, 'export.zip');
      const out = createWriteStream(file);
      await writeExportArchive({ db: app.database.db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi' }, out);
      await finished(out);
      const doc = JSON.parse((await readZipMap(file)).get('portfolio.json')!.toString('utf8')) as PortfolioDocument;
      const crafted = doc.projects.find((p) => p.id === project.id)!;
      crafted.goals[0]!.successCriteria = ['Nimeän \u202Eviisi puuta', 'Kerron\u0007 ', '\u2066', 'Piirrän'];
      const plan = await planPolku(app.database.db, { ...doc, projects: [crafted], artefacts: [] }, files, null);
      expect(plan.projects[0]?.goals[0]?.successCriteria).toEqual(['Nimeän viisi puuta', 'Kerron', 'Piirrän']);
    } finally {
      await files.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
