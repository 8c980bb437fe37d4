import { mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artefact, TimelinePage } from '../../shared/api/artefacts.ts';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { MyGroup, School } from '../../shared/api/org.ts';
import type { Project } from '../../shared/api/projects.ts';
import { GPS, jpegWithGps } from '../fixtures/make-fixtures.ts';
import { expectAccessible } from './support/axe.ts';
import { imageMetadata } from './support/image-metadata.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson, CHROMIUM_ARGS, download, imageUrlsOn, markPage, openSession, statusOf, wasNotReloaded, type Session } from './support/session.ts';
import { expectH1, expectVisibleText, overflowsHorizontally, texts } from './support/ui.ts';

const { fi } = texts;
/** Fills `{{name}}` placeholders the way i18next does. */
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, key: string) => String(values[key]));

const shotDir = process.env.E2E_SCREENSHOT_DIR;
if (shotDir) mkdirSync(shotDir, { recursive: true });
async function screenshot(page: Page, name: string) {
  if (shotDir) await page.screenshot({ path: path.join(shotDir, `${name}.png`), fullPage: true });
}

async function expectAccessibleWithShot(page: Page, label: string) {
  await expectAccessible(page, label);
  await screenshot(page, label.replace(/[^a-z0-9]+/gi, '-'));
}

const suite = browserSuite();
const { session } = suite;
let fixtureDir: string;
let photo: string;

// What the story creates, for the checks after it.
const story = {
  pupil: null as Session | null,
  teacher: null as Session | null,
  guardian: null as Session | null,
  pupilId: '',
  artefactId: '',
  title: `Vaahteran värit ${Date.now() % 100000}`,
  photoName: 'IMG_2041.jpg',
};
const feedbackText = 'Hienoja havaintoja! Mitä muita värejä löysit?';
const replyText = 'Löysin myös keltaisia koivunlehtiä.';

describe('The portfolio story in three browsers at once', () => {
  beforeAll(async () => {
    fixtureDir = await mkdtemp(path.join(tmpdir(), 'polku-story-'));
    photo = await jpegWithGps(fixtureDir, story.photoName);
  });

  afterAll(async () => {
    if (fixtureDir) await rm(fixtureDir, { recursive: true, force: true });
  });

  it('a pupil posts a phone photo; the teacher sees it and gives feedback, the pupil answers and shares, the guardian sees it – all live', async () => {
    const pupil = (story.pupil = await session('demo.pupil'));
    const teacher = (story.teacher = await session('demo.teacher'));
    const guardian = (story.guardian = await session('demo.guardian'));
    const me = (await apiJson<MeResponse>(pupil.page, 'GET', '/api/me')).body;
    story.pupilId = me.user.id;
    const teacherName = (await apiJson<MeResponse>(teacher.page, 'GET', '/api/me')).body.user.displayName;
    const groups = (await apiJson<{ groups: MyGroup[] }>(teacher.page, 'GET', '/api/me/groups')).body.groups;
    const group = groups.find((g) => g.role === 'teacher' && g.pupils.some((p) => p.id === me.user.id));
    expect(group, 'demo.teacher teaches the demo pupil').toBeDefined();
    const projects = (await apiJson<{ projects: Project[] }>(pupil.page, 'GET', '/api/projects')).body.projects;
    const project = projects.find((p) => p.phases.length > 1);
    expect(project, 'the demo pupil takes part in a project with phases').toBeDefined();
    const phase = project!.phases[1]!;

    // The teacher keeps the group overview open, the guardian their child's page.
    await expectH1(teacher.page, fi.teacher.heading);
    await teacher.page.getByRole('link', { name: group!.name, exact: true }).first().click();
    await expectH1(teacher.page, fill(fi.overview.heading, { group: group!.name }));
    await teacher.page.getByRole('table').waitFor();
    await expectAccessibleWithShot(teacher.page, 'group overview');
    await markPage(teacher.page);

    await expectH1(guardian.page, fi.guardian.heading);
    await guardian.page.getByRole('link', { name: me.user.displayName, exact: true }).click();
    await expectH1(guardian.page, me.user.displayName);
    await guardian.page.getByRole('heading', { level: 2, name: fi.pupilPortfolio.sharedHeading }).waitFor();
    await expectAccessibleWithShot(guardian.page, 'guardian child page');
    await markPage(guardian.page);

    // The pupil: timeline (with a filter), the project, a new artefact in it.
    await expectH1(pupil.page, fi.pupil.heading);
    await pupil.page.getByRole('list', { name: fi.pupil.timelineHeading }).waitFor();
    await expectAccessibleWithShot(pupil.page, 'pupil timeline');
    await pupil.page.getByLabel(fi.timeline.kind, { exact: true }).selectOption('audio');
    await pupil.page.waitForURL('**/pupil?kind=audio');
    // The unfiltered cards stay on screen until the filtered page arrives: wait for the page, then judge it.
    await expect
      .poll(async () => {
        const metas = await pupil.page.locator('.artefact-card__meta').allTextContents();
        return metas.length > 0 && metas.every((meta) => meta.includes(fi.artefact.kinds.audio));
      })
      .toBe(true);
    await pupil.page.getByLabel(fi.timeline.kind, { exact: true }).selectOption('');

    await pupil.page.getByRole('link', { name: project!.title, exact: true }).first().click();
    await expectH1(pupil.page, project!.title);
    await expectAccessibleWithShot(pupil.page, 'project page (pupil)');
    await pupil.page.getByRole('link', { name: fi.projects.addArtefact }).click();
    await expectH1(pupil.page, fi.artefactForm.newHeading);
    await expectAccessibleWithShot(pupil.page, 'new artefact form');

    await pupil.page.getByLabel(fi.artefactForm.title, { exact: true }).fill(story.title);
    await pupil.page.getByRole('textbox', { name: fi.artefactForm.body }).click();
    await pupil.page.keyboard.type('Vaahteran lehdet ovat jo punaisia. ');
    await pupil.page.getByRole('button', { name: fi.editor.bold }).click();
    await pupil.page.keyboard.type('Koivut kellastuvat.');
    expect(await pupil.page.getByLabel(fi.artefactForm.project, { exact: true }).inputValue()).toBe(project!.id);
    await pupil.page.getByLabel(fi.artefactForm.phase, { exact: true }).selectOption(phase.id);
    await pupil.page.locator('input[type="file"][name="files"]').setInputFiles(photo);
    await pupil.page.getByText(story.photoName, { exact: true }).waitFor();

    // A slow uplink, as on a phone outdoors, so the progress can be seen.
    const cdp = await pupil.context.newCDPSession(pupil.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 6 * 1024 });
    await pupil.page.getByRole('button', { name: fi.artefactForm.create }).click();
    await pupil.page.getByRole('progressbar', { name: fill(fi.media.progressLabel, { name: story.photoName }) }).waitFor();
    await pupil.page.waitForFunction(
      () => {
        const bar = document.querySelector<HTMLProgressElement>('.upload-progress progress');
        return bar !== null && bar.value > 0 && bar.value < 100;
      },
      null,
      { polling: 'raf', timeout: 15_000 },
    );
    await screenshot(pupil.page, 'upload-progress');
    await expectH1(pupil.page, story.title);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();

    story.artefactId = new URL(pupil.page.url()).pathname.split('/').pop() ?? '';
    const created = (await apiJson<Artefact>(pupil.page, 'GET', `/api/artefacts/${story.artefactId}`)).body;
    expect(created).toMatchObject({ title: story.title, projectId: project!.id, phaseId: phase.id, status: 'draft', visibility: 'private', kind: 'image' });
    expect(created.media).toHaveLength(1);
    expect(created.bodyHtml).toMatch(/Koivut kellastuvat/);
    await pupil.page.getByRole('img', { name: fill(fi.media.imageAlt, { title: story.title }) }).waitFor();
    await expectAccessibleWithShot(pupil.page, 'artefact page (owner)');

    await pupil.page.getByRole('button', { name: fi.artefact.markReady }).click();
    await expectVisibleText(pupil.page, fi.artefact.markedReady);

    // The teacher's overview lists it as waiting, without a reload.
    const queue = teacher.page.getByRole('list', { name: fi.overview.queueHeading });
    await queue.getByRole('link', { name: story.title, exact: true }).waitFor();
    expect(await wasNotReloaded(teacher.page), 'the overview was not reloaded').toBe(true);
    await expectAccessibleWithShot(teacher.page, 'group overview with the new artefact');

    // The pupil waits on their timeline.
    await pupil.page.locator('.back-link').getByRole('link', { name: fi.artefact.backToMine }).click();
    await expectH1(pupil.page, fi.pupil.heading);
    const card = pupil.page.getByRole('article', { name: story.title });
    await card.waitFor();
    await markPage(pupil.page);

    // The teacher writes feedback.
    await queue.getByRole('link', { name: story.title, exact: true }).click();
    await expectH1(teacher.page, story.title);
    await expectAccessibleWithShot(teacher.page, 'artefact page (teacher)');
    await teacher.page.getByLabel(fi.feedback.composeTeacher, { exact: true }).fill(feedbackText);
    await teacher.page.getByRole('button', { name: fi.feedback.sendFeedback }).click();
    await expectVisibleText(teacher.page, fi.feedback.sent);
    await markPage(teacher.page);

    // The pupil's timeline shows an unread badge, without a reload.
    await card.getByText(fill(fi.artefact.unreadCount_one, { count: 1 }), { exact: true }).waitFor();
    expect(await wasNotReloaded(pupil.page), 'the timeline was not reloaded').toBe(true);
    await expectAccessibleWithShot(pupil.page, 'timeline with unread feedback');

    // Opening the artefact shows the feedback marked new, and marks the thread read.
    await card.getByRole('link', { name: story.title }).click();
    await expectH1(pupil.page, story.title);
    const teacherItem = pupil.page.locator('li.feedback-item', { hasText: feedbackText }).first();
    await teacherItem.getByText(fi.feedback.newBadge, { exact: true }).waitFor();
    await expect.poll(async () => (await apiJson<Artefact>(pupil.page, 'GET', `/api/artefacts/${story.artefactId}`)).body.unreadFeedbackCount).toBe(0);
    await expectAccessibleWithShot(pupil.page, 'artefact page with new feedback');

    // The pupil answers; the teacher's open page shows the answer.
    await teacherItem.getByRole('button', { name: new RegExp(`^${fi.feedback.reply}`) }).click();
    await pupil.page.getByLabel(fill(fi.feedback.replyLabel, { name: teacherName }), { exact: true }).fill(replyText);
    await pupil.page.getByRole('button', { name: fi.feedback.sendReply }).click();
    await pupil.page.locator('.feedback-list--replies', { hasText: replyText }).waitFor();
    await teacher.page.locator('.feedback-list--replies', { hasText: replyText }).waitFor();
    expect(await wasNotReloaded(teacher.page), 'the teacher page was not reloaded').toBe(true);

    // The pupil shares it; the guardian's open page shows it, and then its thread.
    await pupil.page.getByRole('button', { name: fi.artefact.share }).click();
    await expectVisibleText(pupil.page, fi.artefact.sharedNotice);
    // The feedback was written before sharing: guardians read it only when the pupil shares the history too (issue 12 §1).
    const history = pupil.page.getByRole('checkbox', { name: fi.guardianSharing.shareHistory });
    // A controlled box: it shows the saved choice once the server has it, so click (not check) and wait for that.
    await Promise.all([pupil.page.waitForResponse((r) => r.url().includes('/guardian-sharing') && r.request().method() === 'PUT' && r.ok()), history.click()]);
    await expect.poll(() => history.isChecked()).toBe(true);
    const guardianCard = guardian.page.getByRole('article', { name: story.title });
    await guardianCard.waitFor();
    expect(await wasNotReloaded(guardian.page), 'the guardian page was not reloaded').toBe(true);
    await expectAccessibleWithShot(guardian.page, 'guardian child page with the shared artefact');
    await guardianCard.getByRole('link', { name: story.title }).click();
    await expectH1(guardian.page, story.title);
    await guardian.page.getByText(feedbackText, { exact: true }).waitFor();
    await guardian.page.getByText(replyText, { exact: true }).waitFor();
    expect(await guardian.page.locator('main textarea').count(), 'guardians read the thread, they do not write in it').toBe(0);
    await expectAccessibleWithShot(guardian.page, 'artefact page (guardian)');
  });

  it('no image anyone can download carries EXIF or GPS data', async () => {
    const original = imageMetadata(await readFile(photo));
    expect(original, 'the fixture itself carries EXIF with GPS').toMatchObject({ exifMarker: true, gpsInMetadata: true });

    const { pupil, teacher, guardian } = story;
    const artefact = (await apiJson<Artefact>(pupil!.page, 'GET', `/api/artefacts/${story.artefactId}`)).body;
    const variantUrls = artefact.media.flatMap((m) => Object.values(m.urls));
    expect(variantUrls.length).toBeGreaterThanOrEqual(3);
    // Each role's list page too, with the seeded demo pictures.
    const listPages: Array<[Session, string]> = [
      [pupil!, '/pupil'],
      [teacher!, `/teacher/pupils/${story.pupilId}`],
      [guardian!, `/guardian/children/${story.pupilId}`],
    ];
    let checked = 0;
    for (const [s, listPath] of listPages) {
      const urls = new Set([...(await imageUrlsOn(s.page)), ...variantUrls]);
      await s.page.goto(listPath);
      await s.page.locator('.artefact-card').first().waitFor();
      for (const url of await imageUrlsOn(s.page)) urls.add(url);
      for (const url of urls) {
        const file = await download(s.page, url);
        expect(file.status, `${s.username} GET ${url}`).toBe(200);
        expect(file.type, `${s.username} GET ${url}`).toMatch(/^image\//);
        const meta = imageMetadata(file.bytes);
        expect(meta.format, url).not.toBe('unknown');
        expect(meta.exifMarker, `${s.username} ${url}: EXIF header`).toBe(false);
        expect(meta.gpsInMetadata, `${s.username} ${url}: GPS in metadata`).toBe(false);
        expect(
          meta.blocks.filter((b) => /exif|xmp/i.test(b)),
          `${s.username} ${url}: metadata blocks`,
        ).toEqual([]);
        expect(file.bytes.includes(GPS.latitudeRationals), `${s.username} ${url}: GPS latitude bytes`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(9);
  });

  it('a guardian of another pupil, a teacher of another school and a classmate see nothing of it, even with its ids', async () => {
    const { pupil, guardian } = story;
    const artefact = (await apiJson<Artefact>(pupil!.page, 'GET', `/api/artefacts/${story.artefactId}`)).body;
    const timeline = (await apiJson<TimelinePage>(pupil!.page, 'GET', `/api/pupils/${story.pupilId}/artefacts?limit=50`)).body;
    const privateOne = timeline.items.find((a) => a.visibility === 'private' && a.media.length > 0) ?? timeline.items.find((a) => a.visibility === 'private');
    expect(privateOne, 'the demo pupil has a private artefact').toBeDefined();

    // Another school and its teacher, made by the demo admin through the API.
    const admin = await session('demo.admin');
    const n = Date.now() % 100000;
    const school = await apiJson<School>(admin.page, 'POST', '/api/schools', { name: `Toinen koulu ${n}` });
    expect(school.status).toBe(201);
    const otherTeacher = { username: `e2e.teacher${n}`, password: 'toisen-koulun-salasana' };
    const created = await apiJson(admin.page, 'POST', `/api/schools/${school.body.id}/users`, {
      username: otherTeacher.username,
      displayName: 'Olli Ulkopuolinen',
      role: 'teacher',
      password: otherTeacher.password,
    });
    expect(created.status).toBe(201);

    const strangers = [
      { username: 'juha.nieminen', artefacts: [artefact, privateOne!] },
      { username: otherTeacher.username, password: otherTeacher.password, artefacts: [artefact, privateOne!] },
      { username: 'eetu.nieminen', artefacts: [privateOne!, artefact] },
    ];
    for (const stranger of strangers) {
      const s = await session(stranger.username, stranger.password ? { password: stranger.password } : {});
      for (const a of stranger.artefacts) {
        expect(await statusOf(s.page, `/api/artefacts/${a.id}`), `${s.username} GET artefact`).toBe(404);
        expect(await statusOf(s.page, `/api/artefacts/${a.id}/feedback`), `${s.username} GET feedback`).toBe(404);
        expect(await statusOf(s.page, `/api/artefacts/${a.id}/history`), `${s.username} GET history`).toBe(404);
        for (const url of a.media.flatMap((m) => Object.values(m.urls))) {
          expect(await statusOf(s.page, url), `${s.username} GET ${url}`).toBe(404);
        }
        await s.page.goto(`/artefacts/${a.id}`);
        await expectH1(s.page, fi.artefact.notFound);
        expect(await s.page.getByText(a.title).count(), `${s.username} sees the title`).toBe(0);
      }
      const list = await apiJson<TimelinePage>(s.page, 'GET', `/api/pupils/${story.pupilId}/artefacts`);
      expect(list.status === 404 || !list.body.items.some((a) => a.id === artefact.id), `${s.username} lists the artefact`).toBe(true);
      await s.page.goto('/');
      await s.page.getByRole('heading', { level: 1 }).waitFor();
      await s.page.waitForLoadState('networkidle');
      expect(await s.page.getByText(story.title).count(), `${s.username}'s home shows the title`).toBe(0);
      await s.context.close();
    }

    // The pupil's own guardian does not see what is private either.
    expect(await statusOf(guardian!.page, `/api/artefacts/${privateOne!.id}`)).toBe(404);
  });

  it('editing keeps the earlier version; deleting asks first and can be undone', async () => {
    const pupil = story.pupil!;
    await pupil.page.goto(`/artefacts/${story.artefactId}`);
    await expectH1(pupil.page, story.title);
    await pupil.page.getByRole('link', { name: fi.artefact.edit, exact: true }).click();
    await expectH1(pupil.page, fill(fi.artefactForm.editHeading, { title: story.title }));
    await expectAccessibleWithShot(pupil.page, 'edit artefact form');
    const editor = pupil.page.getByRole('textbox', { name: fi.artefactForm.body });
    await editor.click();
    await pupil.page.keyboard.press('Control+End');
    await pupil.page.keyboard.press('Enter');
    await pupil.page.keyboard.type('Lisäys: pihlajan marjat ovat kypsiä.');
    await pupil.page.getByRole('button', { name: fi.common.save, exact: true }).click();
    await expectH1(pupil.page, story.title);
    await pupil.page.getByText('Lisäys: pihlajan marjat ovat kypsiä.').waitFor();

    const versions = (await apiJson<Artefact>(pupil.page, 'GET', `/api/artefacts/${story.artefactId}`)).body.version;
    await pupil.page.getByText(fill(fi.history.show_other, { count: versions }), { exact: true }).click();
    await pupil.page
      .getByText(fill(fi.history.version, { n: 1 }), { exact: false })
      .first()
      .waitFor();
    await expectAccessibleWithShot(pupil.page, 'artefact history');

    await pupil.page.getByRole('button', { name: fi.artefact.delete, exact: true }).click();
    const dialog = pupil.page.getByRole('dialog', { name: fi.confirm.title });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: fi.artefact.delete, exact: true }).click();
    await expectH1(pupil.page, fi.pupil.heading);
    const undo = pupil.page.getByRole('button', { name: fi.artefact.undo, exact: true });
    await undo.waitFor();
    expect(await undo.evaluate((el) => el === document.activeElement), 'focus is on Undo').toBe(true);
    await expectVisibleText(pupil.page, fill(fi.artefact.deletedToast, { title: story.title }));
    await expectAccessibleWithShot(pupil.page, 'timeline with the undo toast');
    expect(await statusOf(story.guardian!.page, `/api/artefacts/${story.artefactId}`)).toBe(404);
    await pupil.page.keyboard.press('Enter');
    await expectH1(pupil.page, story.title);
    expect(await statusOf(story.guardian!.page, `/api/artefacts/${story.artefactId}`)).toBe(200);
  });

  it('the timeline loads more as the reader scrolls, and with the button where that cannot happen', async () => {
    const s = await session('helmi.laine');
    const me = (await apiJson<MeResponse>(s.page, 'GET', '/api/me')).body;
    for (let i = 1; i <= 14; i++) {
      const created = await apiJson(s.page, 'POST', '/api/artefacts', { title: `Muistiinpano ${i}`, bodyHtml: `<p>Päivä ${i}</p>` });
      expect(created.status).toBe(201);
    }
    await s.page.goto('/pupil');
    const cards = s.page.getByRole('list', { name: fi.pupil.timelineHeading }).getByRole('article');
    await expect.poll(() => cards.count()).toBe(12);
    await expect(cards.first().textContent()).resolves.toContain('Muistiinpano 14');
    await cards.last().scrollIntoViewIfNeeded();
    await s.page.mouse.wheel(0, 4000);
    await expect.poll(() => cards.count()).toBe(14);
    expect(await s.page.getByRole('button', { name: fi.timeline.loadMore }).count(), 'no more pages').toBe(0);

    // Without IntersectionObserver (old browser): the button, pressed from the keyboard.
    const context = await suite.browser.newContext({ baseURL: suite.server.url, locale: 'fi-FI', storageState: await s.context.storageState() });
    await context.addInitScript(() => {
      Reflect.deleteProperty(window, 'IntersectionObserver');
    });
    const page = await context.newPage();
    await page.goto(`/pupil?kind=text`);
    const list = page.getByRole('list', { name: fi.pupil.timelineHeading }).getByRole('article');
    await expect.poll(() => list.count()).toBe(12);
    const more = page.getByRole('button', { name: fi.timeline.loadMore });
    await more.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => list.count()).toBe(14);
    await expectAccessibleWithShot(page, 'timeline after loading more');
    expect((await apiJson<TimelinePage>(page, 'GET', `/api/pupils/${me.user.id}/artefacts?limit=100`)).body.items).toHaveLength(14);
    await context.close();

    // A file Polku does not take is refused with a message at the files, in the pupil's language.
    await s.page.goto('/artefacts/new');
    await expectH1(s.page, fi.artefactForm.newHeading);
    await s.page.getByLabel(fi.artefactForm.title, { exact: true }).fill('Ohjelma');
    await s.page.locator('input[type="file"][name="files"]').setInputFiles({
      name: 'ohjelma.exe',
      mimeType: 'application/octet-stream',
      buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4096, 0x90)]),
    });
    await s.page.getByRole('button', { name: fi.artefactForm.create }).click();
    await expectVisibleText(s.page, fi.media.unsupported);
    await s.page.getByRole('alert').filter({ hasText: fi.errors.unsupported_media_type }).waitFor();
    await expectAccessibleWithShot(s.page, 'new artefact form with an unsupported file');
    expect((await apiJson<TimelinePage>(s.page, 'GET', `/api/pupils/${me.user.id}/artefacts?limit=100`)).body.items).toHaveLength(14);
  });

  it('a spoken reflection recorded in the browser is saved as a sound recording', async () => {
    // A browser of its own, with Chromium's fake microphone (a beep) and no permission prompt.
    const micBrowser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
    });
    try {
      const s = await openSession(micBrowser, suite.server.url, 'siiri.lehtonen');
      await s.context.grantPermissions(['microphone'], { origin: suite.server.url });
      await s.page.goto('/artefacts/new');
      await expectH1(s.page, fi.artefactForm.newHeading);
      await s.page.getByLabel(fi.artefactForm.title, { exact: true }).fill('Pohdinta ääneen');
      await s.page.getByRole('button', { name: fi.recorder.start }).click();
      const stop = s.page.getByRole('button', { name: fi.recorder.stop });
      await stop.waitFor();
      expect(await stop.evaluate((el) => el === document.activeElement), 'focus moves to Stop').toBe(true);
      await s.page.waitForTimeout(1500);
      await s.page.keyboard.press('Enter');
      const chosen = s.page.getByRole('list', { name: fi.media.chosen });
      await chosen.getByText(new RegExp(`^${fi.recorder.fileName}-.*\\.(webm|ogg|m4a)$`)).waitFor();
      expect(await chosen.locator('audio').count()).toBe(1);
      await s.page.getByRole('button', { name: fi.artefactForm.create }).click();
      await expectH1(s.page, 'Pohdinta ääneen');
      const id = new URL(s.page.url()).pathname.split('/').pop() ?? '';
      const saved = (await apiJson<Artefact>(s.page, 'GET', `/api/artefacts/${id}`)).body;
      expect(saved.kind).toBe('audio');
      expect(saved.media[0]?.kind).toBe('audio');
      await s.page.locator('main audio').first().waitFor();
      await s.context.close();
    } finally {
      await micBrowser.close();
    }
  });

  it('the new pages work at 320 px without sideways scrolling', async () => {
    const narrow = [
      { username: 'demo.pupil', paths: ['/pupil', `/artefacts/${story.artefactId}`, '/artefacts/new'] },
      { username: 'demo.teacher', paths: ['/teacher', `/teacher/pupils/${story.pupilId}`] },
      { username: 'demo.guardian', paths: [`/guardian/children/${story.pupilId}`] },
    ];
    for (const { username, paths } of narrow) {
      const s = await session(username, { width: 320 });
      for (const p of paths) {
        await s.page.goto(p);
        await s.page.getByRole('heading', { level: 1 }).waitFor();
        await s.page.waitForLoadState('networkidle');
        expect(await overflowsHorizontally(s.page), `${p} overflows at 320 px`).toBe(false);
        await screenshot(s.page, `320-${username}-${p.replace(/[^a-z0-9]+/gi, '-')}`);
      }
      // The group overview and a project, reached through the page.
      if (username === 'demo.teacher') {
        await s.page.goto('/teacher');
        await s.page.locator('.group-card h2 a').first().click();
        await s.page.getByRole('table').waitFor();
        expect(await overflowsHorizontally(s.page), 'group overview overflows at 320 px').toBe(false);
        await s.page.goto('/teacher');
        await s.page.locator('.project-card a').first().click();
        await s.page.getByRole('heading', { level: 2, name: fi.projects.phases }).waitFor();
        expect(await overflowsHorizontally(s.page), 'project page overflows at 320 px').toBe(false);
        await s.page.getByRole('link', { name: fi.projects.edit }).click();
        await expectAccessibleWithShot(s.page, 'project edit form at 320');
        expect(await overflowsHorizontally(s.page), 'project form overflows at 320 px').toBe(false);
      }
      await s.context.close();
    }
  });
});
