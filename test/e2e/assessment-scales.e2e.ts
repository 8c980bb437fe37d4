import { describe, expect, it } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { Project } from '../../shared/api/projects.ts';
import { axeViolations } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { texts } from './support/ui.ts';

/** Issue 10, section 1: a teacher picks the project's assessment scale and writes success criteria for a goal. */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;
const fill = (text: string, values: Record<string, string>) => text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? '');

describe('assessment scale and success criteria in a browser', () => {
  it('a teacher chooses the smiley scale and types criteria with the keyboard; the project page shows both', async () => {
    const { page } = await suite.session('demo.teacher');
    const me = (await apiJson<MeResponse>(page, 'GET', '/api/me')).body;
    const projects = (await apiJson<{ projects: Project[] }>(page, 'GET', '/api/projects')).body.projects;
    const project = projects.find((p) => p.goals.length > 0 && p.teachers.some((x) => x.id === me.user.id));
    expect(project, 'the demo teacher teaches a project with goals').toBeDefined();
    const goal = project!.goals[0]!;

    await page.goto(`/projects/${project!.id}/edit`);
    const scale = page.getByLabel(fi.projects.form.scale, { exact: true });
    await scale.waitFor({ timeout: TIMEOUT });
    // The default is the growth scale, shown by its icons first.
    expect(await scale.locator('option:checked').textContent()).toMatch(/^🌱 🌿 🌳 🌟 /);
    await scale.focus();
    await scale.selectOption({ label: '🙁 😐 🙂 Hymiöt (1.–2. lk)' });

    const criteria = page.getByLabel(fill(fi.projects.form.criteriaFor, { goal: goal.text }));
    // The demo goal comes with criteria of its own: the teacher writes new ones in their place.
    await criteria.fill('');
    await criteria.focus();
    await page.keyboard.type('Osaan nimetä kolme puuta');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Osaan kertoa yhden asian');

    const formViolations = await axeViolations(page, 'project form with scale and criteria');
    expect(formViolations, formViolations.join('\n\n')).toEqual([]);
    await page.getByRole('button', { name: fi.common.save, exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/projects/${project!.id}`, { timeout: TIMEOUT });

    const list = page.getByRole('list', { name: fill(fi.projects.criteriaOf, { goal: goal.text }) });
    await list.waitFor({ timeout: TIMEOUT });
    expect(await list.getByRole('listitem').allTextContents()).toEqual(['Osaan nimetä kolme puuta', 'Osaan kertoa yhden asian']);
    await page.getByText('🙁 😐 🙂 Hymiöt (1.–2. lk)').waitFor({ timeout: TIMEOUT });
    const pageViolations = await axeViolations(page, 'project page with scale and criteria');
    expect(pageViolations, pageViolations.join('\n\n')).toEqual([]);

    // Saved on the server too.
    const saved = (await apiJson<Project>(page, 'GET', `/api/projects/${project!.id}`)).body;
    expect(saved.scale.builtinKey).toBe('smiley3');
    expect(saved.goals[0]?.successCriteria).toEqual(['Osaan nimetä kolme puuta', 'Osaan kertoa yhden asian']);
  });
});
