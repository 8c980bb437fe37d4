import { describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { Project } from '../../shared/api/projects.ts';
import { axeViolations } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/** Issue 10, section 2: a teacher writes reflection prompts for a phase; the pupil answers them in their work. */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;
const fill = (text: string, values: Record<string, string>) => text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => values[key] ?? '');

describe('reflection prompts in a browser', () => {
  it('a teacher adds prompts to a phase; the pupil sees them when adding work to it and answers one in the text', async () => {
    const teacher = await suite.session('demo.teacher');
    const pupil = await suite.session('demo.pupil');
    const me = (await apiJson<MeResponse>(teacher.page, 'GET', '/api/me')).body;
    const pupilProjects = (await apiJson<{ projects: Project[] }>(pupil.page, 'GET', '/api/projects')).body.projects;
    const project = pupilProjects.find((p) => p.phases.length > 1 && p.teachers.some((x) => x.id === me.user.id));
    expect(project, 'the demo pupil takes part in a project with phases that the demo teacher teaches').toBeDefined();
    const phase = project!.phases[0]!;

    // The teacher types the prompts with the keyboard, one per line.
    await teacher.page.goto(`/projects/${project!.id}/edit`);
    const prompts = teacher.page.getByLabel(fill(fi.reflectionPrompts.promptsFor, { phase: phase.title }));
    await prompts.waitFor({ timeout: TIMEOUT });
    await prompts.fill('');
    await prompts.focus();
    await teacher.page.keyboard.type('Mitä opin?');
    await teacher.page.keyboard.press('Enter');
    await teacher.page.keyboard.type('Mikä oli vaikeaa?');
    await teacher.page.keyboard.press('Enter');
    await teacher.page.keyboard.type('Mitä teen seuraavaksi?');
    const formViolations = await axeViolations(teacher.page, 'project form with reflection prompts');
    expect(formViolations, formViolations.join('\n\n')).toEqual([]);
    await teacher.page.getByRole('button', { name: fi.common.save, exact: true }).click();
    await teacher.page.waitForURL((url) => url.pathname === `/projects/${project!.id}`, { timeout: TIMEOUT });
    const saved = (await apiJson<Project>(teacher.page, 'GET', `/api/projects/${project!.id}`)).body;
    expect(saved.phases.find((p) => p.id === phase.id)?.reflectionPrompts).toEqual(['Mitä opin?', 'Mikä oli vaikeaa?', 'Mitä teen seuraavaksi?']);

    // The pupil adds work to that phase: its prompts appear, one button adds a prompt to the text.
    const page = pupil.page;
    await page.goto(`/artefacts/new?projectId=${project!.id}`);
    await expectH1(page, fi.artefactForm.newHeading);
    await page.getByLabel(fi.artefactForm.title, { exact: true }).fill('Pohdinta');
    const editor = page.getByRole('textbox', { name: fi.artefactForm.body });
    await editor.waitFor({ timeout: TIMEOUT });
    const panel = page.getByRole('region', { name: fill(fi.reflectionPrompts.panelHeading, { phase: phase.title }) });
    expect(await panel.count()).toBe(0);
    await page.getByLabel(fi.artefactForm.phase, { exact: true }).selectOption(phase.id);
    await panel.waitFor({ timeout: TIMEOUT });
    expect(await panel.getByRole('listitem').count()).toBe(3);
    const panelViolations = await axeViolations(page, 'artefact form with reflection prompts');
    expect(panelViolations, panelViolations.join('\n\n')).toEqual([]);

    await panel.getByRole('button', { name: fill(fi.reflectionPrompts.answerPrompt, { prompt: 'Mitä opin?' }) }).click();
    await editor.getByRole('heading', { name: 'Mitä opin?' }).waitFor({ timeout: TIMEOUT });
    // The caret waits below the question.
    await page.keyboard.type('Opin, miten puut valmistautuvat talveen.');

    const created = page.waitForResponse((r) => r.url().endsWith('/api/artefacts') && r.request().method() === 'POST', { timeout: TIMEOUT });
    await page.getByRole('button', { name: fi.artefactForm.create }).click();
    const artefact = (await (await created).json()) as Artefact;
    const body = (await apiJson<Artefact>(page, 'GET', `/api/artefacts/${artefact.id}`)).body;
    expect(body.phaseId).toBe(phase.id);
    expect(body.bodyHtml).toBe('<h3>Mitä opin?</h3><p>Opin, miten puut valmistautuvat talveen.</p>');
  });
});
