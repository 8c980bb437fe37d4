import { describe, expect, it } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { GoalPage } from '../../shared/api/goal-assessments.ts';
import type { Project } from '../../shared/api/projects.ts';
import { axeViolations } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/** Issue 10, section 2: a pupil self-assesses on a goal, the teacher sees it (and the pupil the teacher's level, live). */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;

describe('the goal page in a browser', () => {
  it('a pupil self-assesses with the keyboard; the teacher sees it and records a level; axe finds nothing', async () => {
    const pupil = await suite.session('demo.pupil');
    const pupilMe = (await apiJson<MeResponse>(pupil.page, 'GET', '/api/me')).body;
    const projects = (await apiJson<{ projects: Project[] }>(pupil.page, 'GET', '/api/projects')).body.projects;
    const project = projects.find((p) => p.goals.length > 0);
    expect(project, 'the demo pupil takes part in a project with goals').toBeDefined();
    const goal = project!.goals[0]!;
    const before = (await apiJson<GoalPage>(pupil.page, 'GET', `/api/goals/${goal.id}/pupils/${pupilMe.user.id}`)).body;
    const [low, next] = before.scale.levels;

    // From the project page's goal list to the goal page.
    await pupil.page.goto(`/projects/${project!.id}`);
    await pupil.page.getByRole('link', { name: goal.text, exact: true }).click();
    await expectH1(pupil.page, goal.text);
    await pupil.page.getByRole('heading', { name: fi.goalPage.form.selfHeading }).waitFor({ timeout: TIMEOUT });
    const formViolations = await axeViolations(pupil.page, 'goal page with the self-assessment form');
    expect(formViolations, formViolations.join('\n\n')).toEqual([]);

    // The levels are a radio group: focus the first, the arrow key moves to the next and picks it.
    await pupil.page.getByRole('radio', { name: low!.labels.fi, exact: true }).focus();
    await pupil.page.keyboard.press('ArrowRight');
    expect(await pupil.page.getByRole('radio', { name: next!.labels.fi, exact: true }).isChecked()).toBe(true);
    const reflection = `Opin paljon ${Date.now()}`;
    await pupil.page.getByLabel(fi.goalPage.form.reflection).fill(reflection);
    await pupil.page.getByRole('button', { name: fi.goalPage.form.save }).click();
    const table = pupil.page.getByRole('table', { name: fi.goalPage.historyCaption });
    await table.getByText(reflection).waitFor({ timeout: TIMEOUT });

    // The teacher opens the pupil's goal page, sees the reflection and records a level.
    const teacher = await suite.session('demo.teacher');
    await teacher.page.goto(`/goals/${goal.id}/pupils/${pupilMe.user.id}`);
    await expectH1(teacher.page, goal.text);
    const teacherTable = teacher.page.getByRole('table', { name: fi.goalPage.historyCaption });
    await teacherTable.getByText(reflection).waitFor({ timeout: TIMEOUT });
    await teacher.page.getByRole('radio', { name: next!.labels.fi, exact: true }).check();
    const note = `Hienoa havainnointia ${Date.now()}`;
    await teacher.page.getByLabel(fi.goalPage.form.note).fill(note);
    await teacher.page.getByRole('button', { name: fi.goalPage.form.save }).click();
    await teacherTable.getByText(note).waitFor({ timeout: TIMEOUT });
    await teacher.page.locator('.growth-chart svg').first().waitFor({ timeout: TIMEOUT });
    const pageViolations = await axeViolations(teacher.page, 'goal page with history, chart and teacher form');
    expect(pageViolations, pageViolations.join('\n\n')).toEqual([]);

    // The pupil's open page hears of the teacher's level without a reload.
    await table.getByText(note).waitFor({ timeout: TIMEOUT });
  });
});
