import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, TimelinePage } from '../../shared/api/artefacts.ts';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { Project } from '../../shared/api/projects.ts';
import { expectAccessible } from './support/axe.ts';
import { startServer, type RunningServer } from './support/polku-server.ts';
import { apiJson, CHROMIUM_ARGS, openSession, type Session } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/**
 * Issue 10 §2–3 in two browsers with a fake microphone: the teacher marks a region of the pupil's
 * photo and records a voice message; it arrives live on the pupil's open page, plays inline, and its
 * marker and message select each other; the pupil records a spoken reflection on a goal.
 */
const { fi } = texts;
const TIMEOUT = 20_000;
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(values[key] ?? ''));

let server: RunningServer;
let browser: Browser;
const sessions: Session[] = [];

beforeAll(async () => {
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
});
async function session(username: string) {
  const s = await openSession(browser, server.url, username);
  sessions.push(s);
  return s;
}
async function record(page: Session['page']) {
  await page.getByRole('button', { name: fi.recorder.start, exact: true }).click();
  await page.getByRole('button', { name: fi.recorder.stop, exact: true }).waitFor({ timeout: TIMEOUT });
  // A second of sound: the recorder's clock says so (no fixed sleep).
  await page.getByText(fill(fi.recorder.recording, { time: '0:01' })).waitFor({ timeout: TIMEOUT });
  await page.getByRole('button', { name: fi.recorder.stop, exact: true }).click();
  await page.getByText(fi.feedbackMedia.recordingReady).waitFor({ timeout: TIMEOUT });
}

describe('voice and anchored feedback in a browser', () => {
  it('region + voice from the teacher arrive live; markers and messages select each other; a spoken reflection; axe finds nothing', async () => {
    const pupil = await session('demo.pupil');
    const teacher = await session('demo.teacher');
    const me = (await apiJson<MeResponse>(pupil.page, 'GET', '/api/me')).body;
    const timeline = (await apiJson<TimelinePage>(pupil.page, 'GET', `/api/pupils/${me.user.id}/artefacts?limit=50`)).body;
    const withPhoto = timeline.items.find((a) => a.media.some((m) => m.kind === 'image'));
    expect(withPhoto, 'the demo pupil has work with a photo').toBeDefined();
    const artefact = withPhoto as Artefact;

    // The pupil keeps the work open.
    await pupil.page.goto(`/artefacts/${artefact.id}`);
    await expectH1(pupil.page, artefact.title);
    const before = await pupil.page.locator('.anchor-region').count();

    // The teacher marks a region by keyboard (number fields), records a voice message and sends it.
    await teacher.page.goto(`/artefacts/${artefact.id}`);
    await expectH1(teacher.page, artefact.title);
    await teacher.page.getByLabel(fi.feedbackMedia.anchorTarget, { exact: true }).selectOption({ label: fill(fi.feedbackMedia.anchorImage, { n: 1 }) });
    await teacher.page.getByLabel(fi.feedbackMedia.regionX, { exact: true }).fill('10');
    await teacher.page.getByLabel(fi.feedbackMedia.regionW, { exact: true }).fill('40');
    await record(teacher.page);
    await expectAccessible(teacher.page, 'artefact page with a region and a recording ready');
    await teacher.page.getByRole('button', { name: fi.feedback.sendFeedback, exact: true }).click();
    const voiceLabel = fill(fi.feedbackMedia.voiceLabel, { name: 'Opettaja' }).replace(/Opettaja$/, '');
    await teacher.page.locator('.feedback__voice audio').first().waitFor({ timeout: TIMEOUT });

    // Live on the pupil's page: the new marker over the photo, and the message with its player.
    await pupil.page.waitForFunction((n) => document.querySelectorAll('.anchor-region').length > n, before, { timeout: TIMEOUT });
    const voiceItem = pupil.page.locator('.feedback-item', { has: pupil.page.locator('.feedback__voice audio') }).last();
    await voiceItem.waitFor({ timeout: TIMEOUT });
    expect(await voiceItem.locator('figcaption').first().innerText()).toContain(voiceLabel.trim());
    // The recording plays from the policy route (a redirect to a signed URL), as audio.
    const src = (await voiceItem.locator('audio').getAttribute('src')) ?? '';
    const heard = await pupil.page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get('content-type') ?? '' };
    }, src);
    expect(heard.status).toBe(200);
    expect(heard.type).toMatch(/^audio\//);

    // Choosing the message's anchor button highlights its marker; choosing a marker highlights its message.
    await voiceItem.getByRole('button', { name: new RegExp(fi.feedbackMedia.showRegion) }).click();
    const marker = pupil.page.locator('.anchor-region[aria-pressed="true"]');
    await marker.waitFor({ timeout: TIMEOUT });
    const style = (await marker.getAttribute('style')) ?? '';
    expect(style).toContain('left: 10%');
    expect(style).toContain('width: 40%');
    const first = pupil.page.locator('.anchor-region').first();
    await first.focus();
    await pupil.page.keyboard.press('Enter');
    await pupil.page.locator('.feedback--selected').waitFor({ timeout: TIMEOUT });
    expect(await pupil.page.evaluate(() => document.activeElement?.closest('.feedback') !== null)).toBe(true);
    await expectAccessible(pupil.page, 'artefact page with markers and a voice message');

    // A spoken reflection on a goal of the project.
    const projects = (await apiJson<{ projects: Project[] }>(pupil.page, 'GET', '/api/projects')).body.projects;
    const goal = projects.find((p) => p.id === artefact.projectId)?.goals[0];
    expect(goal).toBeDefined();
    await pupil.page.goto(`/goals/${goal!.id}/pupils/${me.user.id}`);
    await pupil.page.getByRole('heading', { name: fi.goalPage.form.selfHeading }).waitFor({ timeout: TIMEOUT });
    await pupil.page.getByRole('radio').first().check();
    await record(pupil.page);
    await pupil.page.getByRole('button', { name: fi.goalPage.form.save }).click();
    await pupil.page.locator('.growth-voice audio').first().waitFor({ timeout: TIMEOUT });
    await expectAccessible(pupil.page, 'goal page with a spoken reflection');
  });
});
