import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { GoalPage } from '../../shared/api/goal-assessments.ts';
import type { Project } from '../../shared/api/projects.ts';
import { axeViolations } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/** Issue 10, section 6: the teacher's heatmap of a project and the group's competence coverage. */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Nothing outside a scrolling region reaches past the viewport (the elements that do are named). */
async function expectNoSidewaysScroll(page: Page) {
  const { overflow, wide } = await page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => !e.closest('.insight-scroll') && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((e) => `${e.tagName}.${e.className}`),
  }));
  expect(overflow, wide.join('\n')).toBeLessThanOrEqual(1);
}

describe("the teacher's view of a group in a browser", () => {
  it('the teacher opens the heatmap from the project, sees a level change live, follows a cell to the goal page; axe finds nothing', async () => {
    const pupil = await suite.session('demo.pupil');
    const pupilMe = (await apiJson<MeResponse>(pupil.page, 'GET', '/api/me')).body;
    const projects = (await apiJson<{ projects: Project[] }>(pupil.page, 'GET', '/api/projects')).body.projects;
    const project = projects.find((p) => p.goals.length > 0 && p.groups.length > 0);
    expect(project, 'the demo pupil takes part in a project with goals').toBeDefined();
    const goal = project!.goals[0]!;
    const goalPage = (await apiJson<GoalPage>(pupil.page, 'GET', `/api/goals/${goal.id}/pupils/${pupilMe.user.id}`)).body;
    const levels = goalPage.scale.levels;
    const first = await apiJson(pupil.page, 'POST', `/api/goals/${goal.id}/pupils/${pupilMe.user.id}/assessments`, { level: 0 });
    expect(first.status).toBe(201);

    const teacher = await suite.session('demo.teacher');
    await teacher.page.goto(`/projects/${project!.id}`);
    await teacher.page.getByRole('link', { name: fi.groupInsight.heatmapButton, exact: true }).click();
    await expectH1(teacher.page, fi.groupInsight.heatmapTitle.replace('{{project}}', project!.title));
    const table = teacher.page.getByRole('table', { name: fi.groupInsight.heatmapCaption.replace('{{project}}', project!.title) });
    await table.waitFor({ timeout: TIMEOUT });
    // The cell's link names the pupil and the goal (for a screen reader's list of links) and holds the levels as text.
    const cell = table.getByRole('link', { name: new RegExp(`^${escape(pupilMe.user.displayName)}, ${escape(goal.text)}`) });
    await expect.poll(() => cell.textContent(), { timeout: TIMEOUT }).toContain(levels[0]!.labels.fi);
    await teacher.page.setViewportSize({ width: 375, height: 800 });
    await expectNoSidewaysScroll(teacher.page);
    const violations = await axeViolations(teacher.page, 'heatmap at 375 px');
    expect(violations, violations.join('\n\n')).toEqual([]);

    // The pupil assesses again: the teacher's open heatmap shows the new level without a reload.
    const second = await apiJson(pupil.page, 'POST', `/api/goals/${goal.id}/pupils/${pupilMe.user.id}/assessments`, { level: 1 });
    expect(second.status).toBe(201);
    await expect.poll(() => cell.textContent(), { timeout: TIMEOUT }).toContain(levels[1]!.labels.fi);

    // The cell leads to the pupil's goal page.
    await cell.click();
    await expectH1(teacher.page, goal.text);
    expect(teacher.page.url()).toContain(`/goals/${goal.id}/pupils/${pupilMe.user.id}`);
  });

  it('the teacher opens the competence coverage from the group overview, at 375 px; axe finds nothing', async () => {
    const teacher = await suite.session('demo.teacher', { width: 375 });
    const projects = (await apiJson<{ projects: Project[] }>(teacher.page, 'GET', '/api/projects')).body.projects;
    const group = projects.flatMap((p) => p.groups)[0];
    expect(group, 'the demo teacher has a project with a group').toBeDefined();
    await teacher.page.goto(`/teacher/groups/${group!.id}`);
    await teacher.page.getByRole('link', { name: fi.groupInsight.coverageLink, exact: true }).click();
    await expectH1(teacher.page, fi.groupInsight.coverageTitle.replace('{{group}}', group!.name));
    await teacher.page.getByRole('table', { name: fi.groupInsight.pupilsCaption.replace('{{group}}', group!.name) }).waitFor({ timeout: TIMEOUT });
    await teacher.page.locator('.coverage-chart svg').first().waitFor({ timeout: TIMEOUT });
    // The wide tables scroll inside their own region; the page itself does not scroll sideways.
    await expectNoSidewaysScroll(teacher.page);
    const violations = await axeViolations(teacher.page, 'competence coverage');
    expect(violations, violations.join('\n\n')).toEqual([]);
  });
});
