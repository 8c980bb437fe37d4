import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { GoalPage } from '../../shared/api/goal-assessments.ts';
import type { MyGroup } from '../../shared/api/org.ts';
import { png } from '../fixtures/make-fixtures.ts';
import { expectAccessible } from './support/axe.ts';
import { startServer, type RunningServer } from './support/polku-server.ts';
import { apiJson, CHROMIUM_ARGS, markPage, openSession, wasNotReloaded, type Session } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/**
 * Issue 10, "Done means": the whole formative-assessment loop through the UI, in three browser
 * contexts at once (the pupil, the teacher at work, and the teacher's group overview left open):
 * goal with criteria → work with a photo → self-assessment with a spoken reflection → region-anchored
 * revision request about the goal → revision that answers it → the overview moves the work live and
 * shows the diff → the heatmap shows the level and the evidence. axe checks every page on the way.
 *
 * The API is only read (ids, the scale's labels): every change is made through the pages.
 */
const { fi } = texts;
const TIMEOUT = 20_000;
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(values[key] ?? ''));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let server: RunningServer;
let browser: Browser;
let fixtureDir: string;
const sessions: Session[] = [];

beforeAll(async () => {
  fixtureDir = await mkdtemp(path.join(tmpdir(), 'polku-loop-'));
  server = await startServer();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // A fake microphone that needs no permission prompt: MediaRecorder records a tone.
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
}, 180_000);
afterAll(async () => {
  for (const s of sessions) await s.context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
  if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
});

async function session(username: string) {
  const s = await openSession(browser, server.url, username);
  sessions.push(s);
  return s;
}
/** About a second of the fake microphone's tone, judged by the recorder's own clock (no fixed sleep). */
async function record(page: Page) {
  await page.getByRole('button', { name: fi.recorder.start, exact: true }).click();
  await page.getByRole('button', { name: fi.recorder.stop, exact: true }).waitFor({ timeout: TIMEOUT });
  await page.getByText(fill(fi.recorder.recording, { time: '0:01' })).waitFor({ timeout: TIMEOUT });
  await page.getByRole('button', { name: fi.recorder.stop, exact: true }).click();
  await page.getByText(fi.feedbackMedia.recordingReady).waitFor({ timeout: TIMEOUT });
}
const idFromUrl = (page: Page) => new URL(page.url()).pathname.split('/').filter(Boolean).pop() ?? '';

describe('the assessment loop in a browser', () => {
  it('goal with criteria → work with a photo → spoken self-assessment → anchored revision request → revision → live queue, diff and heatmap; axe finds nothing', async () => {
    const suffix = Date.now() % 100000;
    const projectTitle = `Lähimetsän muutos ${suffix}`;
    const goalText = `Osaan kuvata, miten puu muuttuu syksyllä ${suffix}`;
    const criteria = ['Osaan nimetä kolme muutosta', 'Osaan näyttää muutoksen kuvassa'];
    const workTitle = `Koivu lokakuussa ${suffix}`;
    const feedbackText = 'Merkitsemästäni kohdasta puuttuu selitys: miksi lehdet kellastuvat?';
    const revisionText = 'Lehdet kellastuvat, koska lehtivihreä hajoaa syksyllä.';

    const pupil = await session('demo.pupil');
    const teacher = await session('demo.teacher');
    // The teacher's group overview, open in its own context from start to finish: it only ever changes live.
    const queue = await session('demo.teacher');
    const pupilMe = (await apiJson<MeResponse>(pupil.page, 'GET', '/api/me')).body;
    const teacherMe = (await apiJson<MeResponse>(teacher.page, 'GET', '/api/me')).body;
    const groups = (await apiJson<{ groups: MyGroup[] }>(teacher.page, 'GET', '/api/me/groups')).body.groups;
    const group = groups.find((g) => g.role === 'teacher' && g.pupils.some((p) => p.id === pupilMe.user.id));
    expect(group, 'demo.teacher teaches the demo pupil').toBeDefined();

    await queue.page.goto(`/teacher/groups/${group!.id}`);
    await expectH1(queue.page, fill(fi.overview.heading, { group: group!.name }));
    const waiting = queue.page.getByRole('region', { name: new RegExp(`^${escape(fi.overview.queueHeading)}`) });
    const requested = queue.page.getByTestId('requested-list');
    const revised = queue.page.getByTestId('revised-list');
    await waiting.waitFor({ timeout: TIMEOUT });
    await revised.waitFor({ timeout: TIMEOUT });
    await markPage(queue.page);

    // 1. The teacher plans a project for the group with one goal and its success criteria.
    await teacher.page.goto('/projects/new');
    await expectH1(teacher.page, fi.projects.newHeading);
    await teacher.page.getByLabel(fi.projects.form.title, { exact: true }).fill(projectTitle);
    await teacher.page.getByLabel(fill(fi.projects.form.goalN, { n: 1 }), { exact: true }).fill(goalText);
    const criteriaField = teacher.page.getByLabel(fill(fi.projects.form.criteriaFor, { goal: goalText }));
    await criteriaField.fill(criteria.join('\n'));
    const groupChoices = teacher.page.getByRole('group', { name: fi.projects.form.groups, exact: true });
    await groupChoices.getByRole('checkbox', { name: new RegExp(`^${escape(group!.name)}( \\(|$)`) }).check();
    await teacher.page.getByRole('button', { name: fi.projects.form.create, exact: true }).click();
    await expectH1(teacher.page, projectTitle);
    const projectId = idFromUrl(teacher.page);
    const criteriaList = teacher.page.getByRole('list', { name: fill(fi.projects.criteriaOf, { goal: goalText }) });
    expect(await criteriaList.getByRole('listitem').allTextContents()).toEqual(criteria);

    // 2. The pupil adds work with a photo to the project, shows the goal with it, and marks it ready.
    const photoName = 'koivu.png';
    const photo = await png(fixtureDir, photoName, 640, 480);
    await pupil.page.goto(`/projects/${projectId}`);
    await expectH1(pupil.page, projectTitle);
    await pupil.page.getByRole('link', { name: fi.projects.addArtefact, exact: true }).click();
    await expectH1(pupil.page, fi.artefactForm.newHeading);
    await pupil.page.getByLabel(fi.artefactForm.title, { exact: true }).fill(workTitle);
    await pupil.page.getByRole('textbox', { name: fi.artefactForm.body }).click();
    await pupil.page.keyboard.type('Koivun lehdet ovat keltaisia.');
    await pupil.page.locator('input[type="file"][name="files"]').setInputFiles(photo);
    await pupil.page.getByText(photoName, { exact: true }).waitFor({ timeout: TIMEOUT });
    await pupil.page.getByRole('group', { name: fi.artefactForm.goals }).getByRole('checkbox', { name: goalText, exact: true }).check();
    await pupil.page.getByRole('radio', { name: new RegExp(`^${escape(fi.artefact.status.ready)}`) }).check();
    await pupil.page.getByRole('button', { name: fi.artefactForm.create, exact: true }).click();
    await expectH1(pupil.page, workTitle);
    const artefactId = idFromUrl(pupil.page);
    await pupil.page.getByRole('img', { name: fill(fi.media.imageAlt, { title: workTitle }) }).waitFor({ timeout: TIMEOUT });

    // Live on the open overview: the work waits for its first feedback.
    await waiting.getByRole('link', { name: workTitle, exact: true }).waitFor({ timeout: TIMEOUT });

    // 3. The pupil opens the goal from the project, sees its criteria and the work as evidence, and
    //    assesses themselves with a spoken reflection, pointing at the work.
    await pupil.page.goto(`/projects/${projectId}`);
    await expectH1(pupil.page, projectTitle);
    await pupil.page.getByRole('link', { name: goalText, exact: true }).click();
    await expectH1(pupil.page, goalText);
    for (const line of criteria) await pupil.page.getByRole('listitem').filter({ hasText: line }).first().waitFor({ timeout: TIMEOUT });
    await pupil.page.getByRole('link', { name: workTitle, exact: true }).waitFor({ timeout: TIMEOUT });
    const scale = (await apiJson<GoalPage>(pupil.page, 'GET', `/api/goals/${idFromGoalUrl(pupil.page)}/pupils/${pupilMe.user.id}`)).body.scale;
    const chosen = scale.levels[2]!;
    await pupil.page.getByRole('radio', { name: chosen.labels.fi, exact: true }).check();
    await pupil.page.getByLabel(fi.goalPage.form.reflection).fill('Huomasin kolme muutosta koivussa.');
    await record(pupil.page);
    await pupil.page.getByRole('group', { name: fi.goalPage.form.basedOn }).getByRole('checkbox', { name: workTitle, exact: true }).check();
    await pupil.page.getByRole('button', { name: fi.goalPage.form.save }).click();
    const history = pupil.page.getByRole('table', { name: fi.goalPage.historyCaption });
    await history.getByText('Huomasin kolme muutosta koivussa.').waitFor({ timeout: TIMEOUT });
    await pupil.page.locator('.growth-voice audio').first().waitFor({ timeout: TIMEOUT });
    await history
      .getByText(new RegExp(escape(workTitle)))
      .first()
      .waitFor({ timeout: TIMEOUT });
    await expectAccessible(pupil.page, 'goal page with criteria, evidence and a spoken self-assessment');

    // 4. The teacher marks a region of the photo (by keyboard, in the number fields) and asks for a
    //    revision about the goal.
    await teacher.page.goto(`/artefacts/${artefactId}`);
    await expectH1(teacher.page, workTitle);
    await teacher.page.getByLabel(fi.feedbackMedia.anchorTarget, { exact: true }).selectOption({ label: fill(fi.feedbackMedia.anchorImage, { n: 1 }) });
    await teacher.page.getByLabel(fi.feedbackMedia.regionX, { exact: true }).fill('20');
    await teacher.page.getByLabel(fi.feedbackMedia.regionY, { exact: true }).fill('10');
    await teacher.page.getByLabel(fi.feedbackMedia.regionW, { exact: true }).fill('50');
    await teacher.page.getByLabel(fi.feedbackMedia.regionH, { exact: true }).fill('40');
    await teacher.page.getByLabel(fi.feedback.composeTeacher, { exact: true }).fill(feedbackText);
    await teacher.page.getByLabel(fi.uptake.markRevise, { exact: true }).check();
    await teacher.page.getByRole('group', { name: fi.uptake.goalsLegend }).getByRole('checkbox', { name: goalText, exact: true }).check();
    await teacher.page.getByRole('button', { name: fi.feedback.sendFeedback, exact: true }).click();
    const markerName = fill(fi.feedbackMedia.regionMarker, { n: 1, name: teacherMe.user.displayName });
    const teacherMarker = teacher.page.getByRole('button', { name: markerName, exact: true });
    await teacherMarker.waitFor({ timeout: TIMEOUT });
    const sent = teacher.page.locator('.feedback-item', { hasText: feedbackText });
    await sent.locator('.feedback__marks', { hasText: fi.uptake.revisionRequested }).waitFor({ timeout: TIMEOUT });
    await sent.getByText(`${fi.uptake.aboutGoals}: ${goalText}`).waitFor({ timeout: TIMEOUT });
    await expectAccessible(teacher.page, 'artefact page with a region marker and a revision request');

    // Live on the open overview: no longer waiting for first feedback; the request is open.
    await requested.getByRole('link', { name: workTitle, exact: true }).waitFor({ timeout: TIMEOUT });
    await waiting.getByRole('link', { name: workTitle, exact: true }).waitFor({ state: 'detached', timeout: TIMEOUT });

    // 5. The pupil sees the marker and the request, revises the text and says the save answers it.
    await pupil.page.goto(`/artefacts/${artefactId}`);
    await expectH1(pupil.page, workTitle);
    const pupilMarker = pupil.page.getByRole('button', { name: markerName, exact: true });
    await pupilMarker.waitFor({ timeout: TIMEOUT });
    const style = (await pupilMarker.getAttribute('style')) ?? '';
    expect(style).toContain('left: 20%');
    expect(style).toContain('top: 10%');
    expect(style).toContain('width: 50%');
    expect(style).toContain('height: 40%');
    await pupilMarker.click();
    await pupil.page.locator('.feedback--selected', { hasText: feedbackText }).waitFor({ timeout: TIMEOUT });
    await expectAccessible(pupil.page, 'artefact page with the marker chosen (pupil)');
    await pupil.page.getByRole('link', { name: fi.artefact.edit, exact: true }).click();
    await pupil.page.waitForURL((url) => url.pathname === `/artefacts/${artefactId}/edit`, { timeout: TIMEOUT });
    const editor = pupil.page.getByRole('textbox', { name: fi.artefactForm.body });
    await editor.getByText('Koivun lehdet ovat keltaisia.').waitFor({ timeout: TIMEOUT });
    await editor.click();
    await pupil.page.keyboard.press('Control+End');
    await pupil.page.keyboard.type(` ${revisionText}`);
    const answers = pupil.page.getByRole('group', { name: fi.uptake.answersLegend });
    await answers.getByRole('checkbox', { name: new RegExp(escape(feedbackText.slice(0, 40))) }).check();
    await pupil.page.getByRole('button', { name: fi.common.save, exact: true }).click();
    await pupil.page.waitForURL((url) => url.pathname === `/artefacts/${artefactId}`, { timeout: TIMEOUT });
    await pupil.page.getByRole('link', { name: fill(fi.uptake.answeredIn, { n: 2 }), exact: true }).waitFor({ timeout: TIMEOUT });

    // 6. Live on the overview that was never reloaded: out of "requested", into "revised", with the diff one click away.
    const diffLink = revised
      .getByRole('listitem')
      .filter({ hasText: workTitle })
      .getByRole('link', { name: fill(fi.uptake.queue.showDiff, { from: 1, to: 2 }) });
    await diffLink.waitFor({ timeout: TIMEOUT });
    await requested.getByRole('link', { name: workTitle, exact: true }).waitFor({ state: 'detached', timeout: TIMEOUT });
    expect(await wasNotReloaded(queue.page), 'the overview changed without a reload').toBe(true);
    await expectAccessible(queue.page, 'group overview after the revision');
    await diffLink.click();
    await queue.page.waitForURL((url) => url.pathname === `/artefacts/${artefactId}` && url.searchParams.get('diff') === '2', { timeout: TIMEOUT });
    await queue.page.getByRole('heading', { name: fill(fi.uptake.changesHeading, { from: 1, to: 2 }) }).waitFor({ timeout: TIMEOUT });
    const inserted = queue.page.locator('.version-diff ins').filter({ hasText: 'lehtivihreä' });
    await inserted.first().waitFor({ timeout: TIMEOUT });
    expect(await inserted.first().textContent()).toContain(fi.uptake.added);
    await expectAccessible(queue.page, 'artefact page with markers and the diff open');

    // 7. The heatmap, from the project page: the pupil's own level and one piece of evidence for the goal.
    await teacher.page.goto(`/projects/${projectId}`);
    await expectH1(teacher.page, projectTitle);
    await teacher.page.getByRole('link', { name: fi.groupInsight.heatmapButton, exact: true }).click();
    await expectH1(teacher.page, fill(fi.groupInsight.heatmapTitle, { project: projectTitle }));
    const table = teacher.page.getByRole('table', { name: fill(fi.groupInsight.heatmapCaption, { project: projectTitle }) });
    const cell = table.getByRole('link', { name: new RegExp(`^${escape(pupilMe.user.displayName)}, ${escape(goalText)}`) });
    await cell.waitFor({ timeout: TIMEOUT });
    const cellText = (await cell.innerText()).replace(/\s+/g, ' ');
    expect(cellText).toContain(`${fi.groupInsight.selfLabel} ${chosen.icon} ${chosen.labels.fi}`);
    expect(cellText).toContain(`${fi.groupInsight.teacherLabel} ${fi.groupInsight.notAssessed}`);
    expect(cellText).toContain(fill(fi.groupInsight.evidence_one, { count: 1 }));
    expect(cellText).not.toContain(fi.groupInsight.noEvidence);
    await expectAccessible(teacher.page, 'heatmap of the new project');
    await cell.click();
    await expectH1(teacher.page, goalText);
    await teacher.page.getByRole('table', { name: fi.goalPage.historyCaption }).getByText('Huomasin kolme muutosta koivussa.').waitFor({ timeout: TIMEOUT });
  });
});

/** The goal's id from a goal page's address (/goals/:goalId/pupils/:pupilId). */
function idFromGoalUrl(page: Page): string {
  const parts = new URL(page.url()).pathname.split('/');
  return parts[parts.indexOf('goals') + 1] ?? '';
}
