import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ASSESSMENTS_PER_GOAL } from '../../shared/api/goal-assessments.ts';
import { sanitizeRichText } from '../../server/modules/artefacts/sanitize.ts';
import { makeArtefact, makeProject, makeTwoSchools } from '../helpers/factories.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';

// Holes found in the attack review of issue 10 (goal assessments, the uptake loop, the group heatmap and
// coverage, the shared rich-text allow-list). Each test failed on the code before its fix.

describe('the sanitiser keeps only what the shared allow-list means', () => {
  it('keeps a list start only as a whole number: no text, no hidden characters, no endless digits', () => {
    expect(sanitizeRichText('<ol start="3"><li>x</li></ol>')).toBe('<ol start="3"><li>x</li></ol>');
    expect(sanitizeRichText('<ol start="-2"><li>x</li></ol>')).toBe('<ol start="-2"><li>x</li></ol>');
    for (const start of ['javascript:alert(1)', '\u202e99', '3 ', '99999999999999999999999', 'A'.repeat(5000), '1e3', ''])
      expect(sanitizeRichText(`<ol start="${start}"><li>x</li></ol>`), JSON.stringify(start.slice(0, 20))).toBe('<ol><li>x</li></ol>');
  });
});

describe('goal assessments are bounded', () => {
  let app: TestApp;
  let w: Awaited<ReturnType<typeof makeTwoSchools>>;
  let project: Awaited<ReturnType<typeof makeProject>>;

  beforeAll(async () => {
    app = await startTestApp();
    w = await makeTwoSchools(app.database.db);
    project = await makeProject(app.database.db, { schoolId: w.schoolA.id, groupIds: [w.group.id] });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  it('refuses a self-assessment beyond the cap per goal, so a pupil cannot make the goal page and heatmap read without end', async () => {
    await app.database.db
      .insertInto('goalAssessments')
      .values(
        Array.from({ length: MAX_ASSESSMENTS_PER_GOAL }, () => ({
          goalId: project.goalId,
          pupilId: w.pupil.id,
          kind: 'self' as const,
          assessorId: w.pupil.id,
          level: 1,
          reflection: null,
          artefactIds: [],
          sharedWithGuardians: false,
        })),
      )
      .execute();
    const pupil = await app.as(w.pupil.username);
    const res = await pupil.post(`/api/goals/${project.goalId}/pupils/${w.pupil.id}/assessments`, { level: 2 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'bad_request', details: [{ path: 'body' }] } });
    // The teacher's levels count apart: the pupil's many self-assessments do not stop them.
    const teacher = await app.as(w.teacher.username);
    expect((await teacher.post(`/api/goals/${project.goalId}/pupils/${w.pupil.id}/assessments`, { level: 2 })).status).toBe(201);
  });

  it('refuses feedback with hidden control or text-direction characters, as every other text people write to each other', async () => {
    const artefact = await makeArtefact(app.database.db, { ownerId: w.pupil.id, projectId: project.id });
    const teacher = await app.as(w.teacher.username);
    const path = `/api/artefacts/${artefact.id}/feedback`;
    for (const body of ['Hyvä \u202etxt.exe', 'Katso\u0007', 'a\u2066b']) expect((await teacher.post(path, { body })).status, JSON.stringify(body)).toBe(400);
    const ok = await teacher.post<{ id: string }>(path, { body: 'Hyvä työ!\nJatka samaan malliin.' });
    expect(ok.status).toBe(201);
    expect((await teacher.patch(`${path}/${ok.body.id}`, { body: 'Hyvä \u202etyö' })).status).toBe(400);
  });

  it('refuses invisible characters beyond the control and text-direction ones: zero-width, fillers, separators, BOM', async () => {
    const pupil = await app.as(w.pupil.username);
    // A project of its own: the cap test above filled the first one's self-assessments.
    const fresh = await makeProject(app.database.db, { schoolId: w.schoolA.id, groupIds: [w.group.id] });
    const assess = `/api/goals/${fresh.goalId}/pupils/${w.pupil.id}/assessments`;
    const teacher = await app.as(w.teacher.username);
    for (const hidden of ['\u200b', '\u2060', '\ufeff', '\u2028', '\u2029', '\u3164', '\u115f', '\uffa0', '\u180e']) {
      // A reflection that looks empty or splits lines where none is seen; a project name that looks like another.
      expect((await pupil.post(assess, { level: 1, reflection: `Op${hidden}in` })).status, JSON.stringify(hidden)).toBe(400);
      const res = await teacher.post('/api/projects', { schoolId: w.schoolA.id, title: `Met${hidden}sä`, groupIds: [w.group.id] });
      expect(res.status, JSON.stringify(hidden)).toBe(400);
    }
    // Joiners stay: emoji sequences and some scripts need them.
    expect((await pupil.post(assess, { level: 1, reflection: 'Perhe 👨\u200d👩\u200d👧' })).status).toBe(201);
  });
});
