import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ASSESSMENTS_PER_GOAL } from '../../shared/api/goal-assessments.ts';
import { sanitizeRichText } from '../../server/modules/artefacts/sanitize.ts';
import { makeProject, makeTwoSchools } from '../helpers/factories.ts';
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
});
