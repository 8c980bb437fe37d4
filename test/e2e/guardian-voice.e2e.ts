import { expect, it } from 'vitest';
import type { GuardianVoice } from '../../shared/api/guardian-voice.ts';
import type { School } from '../../shared/api/org.ts';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { socketConnected } from './support/realtime.ts';
import { apiJson, markPage, wasNotReloaded } from './support/session.ts';
import { texts } from './support/ui.ts';

/** Issue 12 §2: a guardian reacts to and comments on shared work; a teacher approves the held comment; the pupil sees it live. */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;

it('the admin turns moderated guardian comments on; the guardian reacts and comments; the teacher approves; the pupil sees it live', async () => {
  // The admin chooses "after a teacher's approval" in the school's settings form.
  const admin = await suite.session('demo.admin');
  const schools = await apiJson<{ schools: School[] }>(admin.page, 'GET', '/api/schools');
  const school = schools.body.schools[0]!;
  await admin.page.goto(`/admin/schools/${school.id}`);
  const setting = admin.page.getByLabel(fi.admin.school.guardianComments);
  await setting.waitFor({ timeout: TIMEOUT });
  await setting.selectOption({ label: fi.admin.school.guardianCommentsOption.moderated });
  await admin.page.getByRole('button', { name: fi.common.save }).click();
  await admin.page.getByText(fi.admin.school.saved).waitFor({ timeout: TIMEOUT });
  await expectAccessible(admin.page, 'school settings with guardian comments');
  expect((await apiJson<School>(admin.page, 'GET', `/api/schools/${school.id}`)).body.guardianComments).toBe('moderated');

  // The pupil shares new work with guardians and keeps it open.
  const pupil = await suite.session('demo.pupil');
  const title = `Vesimittaukset ${Date.now()}`;
  const created = await apiJson<{ id: string }>(pupil.page, 'POST', '/api/artefacts', { title, visibility: 'guardians' });
  expect(created.status).toBe(201);
  const workPath = `/artefacts/${created.body.id}`;

  // The guardian reacts and comments.
  const guardian = await suite.session('demo.guardian');
  await guardian.page.goto(workPath);
  await guardian.page.getByRole('heading', { name: new RegExp(`^${fi.guardianVoice.heading}`) }).waitFor({ timeout: TIMEOUT });
  const heart = guardian.page.getByRole('button', { name: new RegExp(fi.guardianVoice.reaction.heart) });
  expect(await heart.getAttribute('aria-pressed')).toBe('false');
  await heart.click();
  await expect.poll(() => heart.getAttribute('aria-pressed'), { timeout: TIMEOUT }).toBe('true');
  const comment = `Olipa huolellista työtä! ${Date.now()}`;
  const form = guardian.page.getByRole('form', { name: fi.guardianVoice.write });
  await form.getByLabel(fi.guardianVoice.commentLabel).fill(comment);
  await form.getByRole('button', { name: fi.guardianVoice.send }).click();
  await guardian.page.getByRole('status').getByText(fi.guardianVoice.sentHeld).waitFor({ timeout: TIMEOUT });
  const mine = guardian.page.getByTestId('guardian-comment').filter({ hasText: comment });
  await mine.getByText(fi.guardianVoice.state.held).waitFor({ timeout: TIMEOUT });
  await expectAccessible(guardian.page, 'guardian voice on shared work (guardian)');

  // The pupil opens the work: the reaction, marked as from guardians, and no comment yet.
  const connected = socketConnected(pupil.page);
  await pupil.page.goto(workPath);
  await connected;
  await pupil.page.getByRole('list', { name: fi.guardianVoice.reactionsLabel }).waitFor({ timeout: TIMEOUT });
  expect(await pupil.page.getByTestId('guardian-comment').count()).toBe(0);
  await markPage(pupil.page);

  // The teacher approves it from the moderation list.
  const teacher = await suite.session('demo.teacher');
  await teacher.page.goto('/');
  await teacher.page.getByRole('link', { name: fi.nav.guardianComments }).click();
  await teacher.page.getByRole('heading', { level: 1, name: fi.guardianVoice.moderation.heading }).waitFor({ timeout: TIMEOUT });
  const held = teacher.page.getByTestId('guardian-comment').filter({ hasText: comment });
  await held.waitFor({ timeout: TIMEOUT });
  await expectAccessible(teacher.page, 'guardian comment moderation list');
  await held.getByRole('button', { name: fi.guardianVoice.action.approve }).click();
  await teacher.page.getByRole('heading', { level: 2, name: fi.guardianVoice.moderation.emptyHeading }).waitFor({ timeout: TIMEOUT });

  // Live on the pupil's open page, marked as from a guardian, without a reload.
  const shown = pupil.page.getByTestId('guardian-comment').filter({ hasText: comment });
  await shown.waitFor({ timeout: TIMEOUT });
  await shown.getByText(fi.guardianVoice.badge).waitFor();
  expect(await wasNotReloaded(pupil.page)).toBe(true);
  await expectAccessible(pupil.page, 'guardian voice on own work (pupil)');
  const voice = await apiJson<GuardianVoice>(pupil.page, 'GET', `/api/artefacts/${created.body.id}/guardian-voice`);
  expect(voice.body.reactions.find((r) => r.reaction === 'heart')).toEqual({ reaction: 'heart', count: 1, mine: false });
});

it('on a showcase shared with guardians: the guardian reacts and comments; the pupil sees it marked as from a guardian, and may report it', async () => {
  const admin = await suite.session('demo.admin');
  const school = (await apiJson<{ schools: School[] }>(admin.page, 'GET', '/api/schools')).body.schools[0]!;
  expect((await apiJson<School>(admin.page, 'PATCH', `/api/schools/${school.id}`, { guardianComments: 'shown' })).status).toBe(200);

  // The pupil makes a showcase and shares it with guardians.
  const pupil = await suite.session('demo.pupil');
  const title = `Vuoden parhaat ${Date.now()}`;
  const created = await apiJson<{ id: string }>(pupil.page, 'POST', '/api/showcases', { title });
  expect(created.status).toBe(201);
  expect((await apiJson(pupil.page, 'PATCH', `/api/showcases/${created.body.id}`, { visibility: 'guardians' })).status).toBe(200);
  const showcasePath = `/showcases/${created.body.id}`;

  // The guardian opens it, reacts and comments (shown at once).
  const guardian = await suite.session('demo.guardian');
  await guardian.page.goto(showcasePath);
  await guardian.page.getByRole('heading', { name: new RegExp(`^${fi.guardianVoice.heading}`) }).waitFor({ timeout: TIMEOUT });
  const star = guardian.page.getByRole('button', { name: new RegExp(fi.guardianVoice.reaction.star) });
  await star.click();
  await expect.poll(() => star.getAttribute('aria-pressed'), { timeout: TIMEOUT }).toBe('true');
  const comment = `Hieno kooste! ${Date.now()}`;
  const form = guardian.page.getByRole('form', { name: fi.guardianVoice.write });
  await form.getByLabel(fi.guardianVoice.commentLabel).fill(comment);
  await form.getByRole('button', { name: fi.guardianVoice.send }).click();
  await guardian.page.getByRole('status').getByText(fi.guardianVoice.sent).waitFor({ timeout: TIMEOUT });
  await guardian.page.getByTestId('guardian-comment').filter({ hasText: comment }).waitFor({ timeout: TIMEOUT });
  await expectAccessible(guardian.page, 'guardian voice on a shared showcase (guardian)');

  // The pupil sees the reaction and the comment, marked as from a guardian, with a report button.
  await pupil.page.goto(showcasePath);
  const shown = pupil.page.getByTestId('guardian-comment').filter({ hasText: comment });
  await shown.waitFor({ timeout: TIMEOUT });
  await shown.getByText(fi.guardianVoice.badge).waitFor();
  await shown.getByRole('button', { name: fi.guardianVoice.action.report }).waitFor();
  await pupil.page.getByRole('list', { name: fi.guardianVoice.reactionsLabel }).waitFor({ timeout: TIMEOUT });
  await expectAccessible(pupil.page, 'guardian voice on own showcase (pupil)');
});
