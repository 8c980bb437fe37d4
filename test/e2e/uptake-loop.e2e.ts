import { describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { MyGroup } from '../../shared/api/org.ts';
import type { Project } from '../../shared/api/projects.ts';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/**
 * Issue 10 §3–4, the uptake loop in two browsers: the teacher asks for a revision → the pupil
 * revises and says the save answers it → the teacher's open overview moves the work to "revised"
 * live, and its diff opens from there.
 */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(values[key] ?? ''));

describe('the uptake loop in a browser', () => {
  it('revision requested → revised with the feedback linked → the teacher sees it under "revised" live, and the diff', async () => {
    const pupil = await suite.session('demo.pupil');
    const teacher = await suite.session('demo.teacher');
    const me = (await apiJson<MeResponse>(pupil.page, 'GET', '/api/me')).body;
    const groups = (await apiJson<{ groups: MyGroup[] }>(teacher.page, 'GET', '/api/me/groups')).body.groups;
    const group = groups.find((g) => g.role === 'teacher' && g.pupils.some((p) => p.id === me.user.id));
    expect(group, 'demo.teacher teaches the demo pupil').toBeDefined();
    const projects = (await apiJson<{ projects: Project[] }>(pupil.page, 'GET', '/api/projects')).body.projects;
    const project = projects.find((p) => p.goals.length > 0);
    expect(project, 'the demo pupil takes part in a project with goals').toBeDefined();
    const goal = project!.goals[0]!;
    const title = `Sammalten kasvu ${Date.now() % 100000}`;
    const made = await apiJson<Artefact>(pupil.page, 'POST', '/api/artefacts', {
      title,
      bodyHtml: '<p>Sammal kasvaa kiven pohjoispuolella.</p>',
      projectId: project!.id,
      status: 'ready',
    });
    expect(made.status).toBe(201);
    const artefactId = made.body.id;

    // The teacher gives feedback naming a goal, as a request to revise.
    await teacher.page.goto(`/artefacts/${artefactId}`);
    await expectH1(teacher.page, title);
    await teacher.page.getByLabel(fi.feedback.composeTeacher, { exact: true }).fill('Lisää, miksi sammal kasvaa juuri siellä.');
    await teacher.page.getByLabel(fi.uptake.markRevise, { exact: true }).check();
    await teacher.page.getByLabel(goal.text, { exact: true }).check();
    await expectAccessible(teacher.page, 'artefact page with feedback marks');
    await teacher.page.getByRole('button', { name: fi.feedback.sendFeedback, exact: true }).click();
    await teacher.page.locator('.feedback__marks', { hasText: fi.uptake.revisionRequested }).waitFor({ timeout: TIMEOUT });

    // The teacher keeps the group overview open: the request waits there.
    await teacher.page.goto(`/teacher/groups/${group!.id}`);
    await expectH1(teacher.page, fill(fi.overview.heading, { group: group!.name }));
    const requested = teacher.page.getByTestId('requested-list');
    const revised = teacher.page.getByTestId('revised-list');
    await requested.getByRole('link', { name: title, exact: true }).waitFor({ timeout: TIMEOUT });
    await expectAccessible(teacher.page, 'group overview with uptake lists');

    // The pupil sees the request clearly, revises and links the feedback to the save.
    await pupil.page.goto(`/artefacts/${artefactId}`);
    await expectH1(pupil.page, title);
    await pupil.page.locator('.feedback__marks', { hasText: fi.uptake.revisionRequested }).waitFor({ timeout: TIMEOUT });
    await pupil.page.goto(`/artefacts/${artefactId}/edit`);
    await pupil.page.locator('input[name="title"]').fill(`${title} varjossa`);
    const answers = pupil.page.getByRole('group', { name: fi.uptake.answersLegend });
    await answers.waitFor({ timeout: TIMEOUT });
    await answers.getByRole('checkbox').first().check();
    await expectAccessible(pupil.page, 'edit form with feedback to answer');
    await pupil.page.getByRole('button', { name: fi.common.save, exact: true }).click();
    await pupil.page.waitForURL((url) => url.pathname === `/artefacts/${artefactId}`, { timeout: TIMEOUT });
    await pupil.page.getByRole('link', { name: fill(fi.uptake.answeredIn, { n: 2 }), exact: true }).waitFor({ timeout: TIMEOUT });

    // Live on the teacher's open overview: out of "requested", into "revised".
    // The demo school has revised work of its own in this list: the row of this artefact.
    const revisedLink = revised
      .getByRole('listitem')
      .filter({ hasText: title })
      .getByRole('link', { name: fill(fi.uptake.queue.showDiff, { from: 1, to: 2 }) });
    await revisedLink.waitFor({ timeout: TIMEOUT });
    await requested.getByRole('link', { name: title, exact: true }).waitFor({ state: 'detached', timeout: TIMEOUT });
    await expectAccessible(teacher.page, 'group overview after the revision');

    // The diff is one click away.
    await revisedLink.click();
    await teacher.page.waitForURL((url) => url.pathname === `/artefacts/${artefactId}` && url.searchParams.get('diff') === '2', { timeout: TIMEOUT });
    const diffHeading = teacher.page.getByRole('heading', { name: fill(fi.uptake.changesHeading, { from: 1, to: 2 }) });
    await diffHeading.waitFor({ timeout: TIMEOUT });
    const inserted = teacher.page.locator('.version-diff ins').first();
    await inserted.waitFor({ timeout: TIMEOUT });
    expect(await inserted.textContent()).toContain('varjossa');
    expect(await inserted.textContent()).toContain(fi.uptake.added);
    await expectAccessible(teacher.page, 'artefact page with the diff open');
  });
});
