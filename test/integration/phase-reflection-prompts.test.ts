import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REFLECTION_PROMPTS, REFLECTION_PROMPT_MAX, type Project } from '../../shared/api/projects.ts';
import type { PortfolioDocument } from '../../shared/portability/portfolio-format.ts';
import { writeExportArchive } from '../../server/modules/portability/export/export-archive.ts';
import { MediaFiles } from '../../server/modules/portability/import/import-media.ts';
import { planPolku } from '../../server/modules/portability/import/polku-archive.ts';
import { makeArtefact, makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { readZipMap } from '../helpers/zip.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import type { TestClient } from '../helpers/test-client.ts';

// Issue 10, section 2: a teacher writes reflection prompts for a phase; the project's pupils read them.
let app: TestApp;
let w: Awaited<ReturnType<typeof makeTwoSchools>>;
let project: Awaited<ReturnType<typeof makeProject>>;
const as = new Map<string, TestClient>();
const client = (name: string) => as.get(name)!;
const PROMPTS = ['Mitä opin?', 'Mikä oli vaikeaa?', 'Mitä teen seuraavaksi?'];

beforeAll(async () => {
  app = await startTestApp();
  w = await makeTwoSchools(app.database.db);
  project = await makeProject(app.database.db, { schoolId: w.schoolA.id, teacherIds: [w.teacher.id], groupIds: [w.group.id] });
  for (const name of ['teacher', 'otherTeacher', 'pupil', 'classmate', 'guardian', 'teacherB', 'pupilB'] as const) as.set(name, await app.as(w[name].username));
}, 120_000);
afterAll(async () => app?.close());

const phasesWith = (reflectionPrompts?: string[]) => [{ id: project.phaseId, title: 'Tutkiminen', ...(reflectionPrompts ? { reflectionPrompts } : {}) }];

describe('reflection prompts of a phase', () => {
  it("the project's teacher saves prompts in order; editing the phase without them keeps them", async () => {
    const saved = await client('teacher').patch<Project>(`/api/projects/${project.id}`, { phases: phasesWith(PROMPTS) });
    expect(saved.status).toBe(200);
    expect(saved.body.phases[0]).toEqual({ id: project.phaseId, title: 'Tutkiminen', reflectionPrompts: PROMPTS });

    const renamed = await client('teacher').patch<Project>(`/api/projects/${project.id}`, {
      phases: [{ id: project.phaseId, title: 'Tutkiminen ja kokeilu' }, { title: 'Esittäminen' }],
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.phases.map((p) => [p.title, p.reflectionPrompts])).toEqual([
      ['Tutkiminen ja kokeilu', PROMPTS],
      ['Esittäminen', []],
    ]);

    const cleared = await client('teacher').patch<Project>(`/api/projects/${project.id}`, {
      phases: renamed.body.phases.map((p, i) => ({ id: p.id, title: p.title, reflectionPrompts: i === 0 ? PROMPTS.slice(1) : [] })),
    });
    expect(cleared.body.phases.map((p) => p.reflectionPrompts)).toEqual([PROMPTS.slice(1), []]);
  });

  it('a new project may have phases with prompts', async () => {
    const made = await client('teacher').post<Project>('/api/projects', {
      schoolId: w.schoolA.id,
      title: 'Vesi',
      phases: [{ title: 'Ihmettely', reflectionPrompts: ['Mitä jo tiedän vedestä?'] }, { title: 'Tutkiminen' }],
    });
    expect(made.status).toBe(201);
    expect(made.body.phases.map((p) => p.reflectionPrompts)).toEqual([['Mitä jo tiedän vedestä?'], []]);
  });

  it.each([
    ['a text-direction mark', ['Mitä \u202eopin?']],
    ['a control character', ['Mitä\u0007 opin?']],
    ['an empty line', ['Mitä opin?', '   ']],
    ['too long a prompt', ['x'.repeat(REFLECTION_PROMPT_MAX + 1)]],
    ['too many prompts', Array.from({ length: MAX_REFLECTION_PROMPTS + 1 }, (_, i) => `Kysymys ${i + 1}?`)],
  ])('refuses %s, saying which field', async (_what, prompts) => {
    const res = await client('teacher').patch<{ error: { message: string; details?: Array<{ path: string }> } }>(`/api/projects/${project.id}`, {
      phases: phasesWith(prompts),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('reflectionPrompts');
    const now = await client('teacher').get<Project>(`/api/projects/${project.id}`);
    expect(now.body.phases[0]?.reflectionPrompts).toEqual(PROMPTS.slice(1));
  });

  it("only the project's teachers may edit them", async () => {
    for (const name of ['otherTeacher', 'pupil', 'classmate', 'guardian', 'teacherB', 'pupilB']) {
      const res = await client(name).patch(`/api/projects/${project.id}`, { phases: phasesWith(['Kuka minä olen?']) });
      expect([403, 404], name).toContain(res.status);
    }
    const now = await client('teacher').get<Project>(`/api/projects/${project.id}`);
    expect(now.body.phases[0]?.reflectionPrompts).toEqual(PROMPTS.slice(1));
  });

  it("the project's pupils read them; a pupil of another school does not", async () => {
    for (const name of ['pupil', 'classmate']) {
      const res = await client(name).get<Project>(`/api/projects/${project.id}`);
      expect(res.status, name).toBe(200);
      expect(res.body.phases[0]?.reflectionPrompts, name).toEqual(PROMPTS.slice(1));
    }
    const list = await client('pupil').get<{ projects: Project[] }>('/api/projects');
    expect(list.body.projects.find((p) => p.id === project.id)?.phases[0]?.reflectionPrompts).toEqual(PROMPTS.slice(1));
    expect([403, 404]).toContain((await client('pupilB').get(`/api/projects/${project.id}`)).status);
  });

  it('travel in portfolio.json and come back through the Polku import without hidden characters', async () => {
    const made = (
      await client('teacher').post<Project>('/api/projects', {
        schoolId: w.schoolA.id,
        title: 'Ilma',
        phases: [{ title: 'Ihmettely', reflectionPrompts: PROMPTS }],
      })
    ).body;
    await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: made.id });
    const dir = await mkdtemp(path.join(tmpdir(), 'polku-prompts-'));
    const files = await MediaFiles.create(null, dir, false);
    try {
      const file = path.join(dir, 'export.zip');
      const out = createWriteStream(file);
      await writeExportArchive({ db: app.database.db, blobs: app.polku.blobs, pupilId: w.pupil.id, scope: 'full', locale: 'fi' }, out);
      await finished(out);
      const doc = JSON.parse((await readZipMap(file)).get('portfolio.json')!.toString('utf8')) as PortfolioDocument;
      const exported = doc.projects.find((p) => p.id === made.id)!;
      expect(exported.phases[0]?.reflectionPrompts).toEqual(PROMPTS);

      exported.phases[0]!.reflectionPrompts = ['Mitä \u202Eopin?', '\u2066', 'Mikä oli vaikeaa?'];
      const plan = await planPolku(app.database.db, { ...doc, projects: [exported], artefacts: [] }, files, null);
      expect(plan.projects[0]?.phases[0]?.reflectionPrompts).toEqual(['Mitä opin?', 'Mikä oli vaikeaa?']);
      // Archives from before prompts: a phase without the field imports with none.
      delete exported.phases[0]!.reflectionPrompts;
      const older = await planPolku(app.database.db, { ...doc, projects: [exported], artefacts: [] }, files, null);
      expect(older.projects[0]?.phases[0]?.reflectionPrompts).toEqual([]);
    } finally {
      await files.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
