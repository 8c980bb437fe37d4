import { expect, it } from 'vitest';
import type { TimelinePage } from '../../shared/api/artefacts.ts';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { socketConnected } from './support/realtime.ts';
import { apiJson, markPage, wasNotReloaded } from './support/session.ts';
import { texts } from './support/ui.ts';

const { fi } = texts;

/**
 * Issue 12 §1 in the browser: the school turns approval on, the pupil shares, the item appears live in the
 * teacher's approval queue, the teacher approves it there, and the guardian gets the notification live and sees it.
 */
const suite = browserSuite();

it('approval on: the pupil shares, the teacher approves in the live queue, the guardian is notified live, sees the work and comments; the pupil sees the comment live', async () => {
  const admin = await suite.session('demo.admin');
  const pupil = await suite.session('demo.pupil');
  const teacher = await suite.session('demo.teacher');
  const guardian = await suite.session('demo.guardian');

  // 1. The school's admin turns approval on in the school's settings.
  const adminMe = await apiJson<{ schools: Array<{ id: string }> }>(admin.page, 'GET', '/api/me');
  const schoolId = adminMe.body.schools[0]!.id;
  await admin.page.goto(`/admin/schools/${schoolId}`);
  const setting = admin.page.getByRole('region', { name: 'Jakaminen huoltajille' });
  await setting.getByRole('radio', { name: 'Ensin opettajan hyväksyntä' }).check();
  await setting.getByRole('button', { name: 'Tallenna jakamisen asetus' }).click();
  await setting.getByText('Tallennettu.').waitFor();
  await expectAccessible(admin.page, 'school settings with the guardian sharing rule');
  expect((await apiJson(admin.page, 'GET', `/api/schools/${schoolId}/guardian-sharing`)).body).toEqual({ guardianSharing: 'approval' });

  // A private work of the pupil's, to share.
  const me = await apiJson<{ user: { id: string } }>(pupil.page, 'GET', '/api/me');
  const timeline = await apiJson<TimelinePage>(pupil.page, 'GET', `/api/pupils/${me.body.user.id}/artefacts?limit=50`);
  const work = timeline.body.items.find((i) => i.visibility === 'private')!;
  expect(work).toBeDefined();

  // 2. The teacher's group page is open (its socket connected) before the pupil shares.
  const groups = await apiJson<{ groups: Array<{ id: string; role: string; pupils: Array<{ id: string }> }> }>(teacher.page, 'GET', '/api/me/groups');
  const group = groups.body.groups.find((g) => g.role === 'teacher' && g.pupils.some((p) => p.id === me.body.user.id))!;
  const teacherConnected = socketConnected(teacher.page);
  await teacher.page.goto(`/teacher/groups/${group.id}`);
  await teacherConnected;
  const queue = teacher.page.getByTestId('approval-queue');
  await queue.getByText('Mikään ei odota hyväksyntääsi.').waitFor();
  await markPage(teacher.page);

  // The guardian starts from nothing unread, on a page whose socket is connected.
  expect((await apiJson(guardian.page, 'POST', '/api/notifications/read-all', {})).status).toBe(200);
  const guardianConnected = socketConnected(guardian.page);
  await guardian.page.goto('/guardian');
  await guardianConnected;
  const badge = guardian.page.getByTestId('notification-badge');
  expect(await badge.count()).toBe(0);
  await markPage(guardian.page);

  // 3. The pupil shares with guardians: it waits; the guardian does not see it.
  expect((await apiJson(pupil.page, 'PATCH', `/api/artefacts/${work.id}`, { visibility: 'guardians' })).status).toBe(200);
  expect((await apiJson(guardian.page, 'GET', `/api/artefacts/${work.id}`)).status).toBe(404);
  await pupil.page.goto(`/artefacts/${work.id}`);
  await pupil.page.getByText('Odottaa opettajan hyväksyntää. Huoltajat eivät vielä näe sitä.').waitFor();
  await expectAccessible(pupil.page, 'shared work waiting for approval');

  // 4. The item appears in the teacher's queue live; the teacher approves it there with the keyboard.
  const approve = queue.getByRole('button', { name: `Hyväksy ”${work.title}”` });
  await approve.waitFor();
  expect(await wasNotReloaded(teacher.page)).toBe(true);
  await expectAccessible(teacher.page, 'approval queue with an item');
  await approve.focus();
  await teacher.page.keyboard.press('Enter');
  await teacher.page.getByText(`Hyväksytty: huoltajat näkevät nyt työn ”${work.title}”.`).waitFor();
  await queue.getByText('Mikään ei odota hyväksyntääsi.').waitFor();

  // 5. The guardian's badge appears live; the notification leads to the work.
  await badge.waitFor();
  expect(await badge.textContent()).toBe('1');
  expect(await wasNotReloaded(guardian.page)).toBe(true);
  await guardian.page.goto('/notifications');
  const item = guardian.page.getByRole('link', { name: new RegExp(`jakoi kanssasi työn ”${escape(work.title)}”`) });
  await item.first().click();
  await guardian.page.waitForURL(`**/artefacts/${work.id}`);
  await guardian.page.getByRole('heading', { level: 1, name: work.title }).waitFor();
  await expectAccessible(guardian.page, 'approved work as the guardian sees it');

  // The pupil was told too.
  const pupilNotes = await apiJson<{ items: Array<{ kind: string }> }>(pupil.page, 'GET', '/api/notifications');
  expect(pupilNotes.body.items.map((n) => n.kind)).toContain('item_approved');

  // 6. Issue 12 §2 on the approved work: the school shows guardians' comments at once; the pupil's page is open
  // (socket connected) when the guardian comments, and the comment appears there live, marked as a guardian's.
  expect((await apiJson(admin.page, 'PATCH', `/api/schools/${schoolId}`, { guardianComments: 'shown' })).status).toBe(200);
  const pupilConnected = socketConnected(pupil.page);
  await pupil.page.goto(`/artefacts/${work.id}`);
  await pupilConnected;
  await markPage(pupil.page);
  await guardian.page.reload();
  const comment = 'Hieno työ, kerro lisää kotona!';
  const form = guardian.page.getByRole('form', { name: fi.guardianVoice.write });
  await form.getByLabel(fi.guardianVoice.commentLabel).fill(comment);
  await form.getByRole('button', { name: fi.guardianVoice.send }).click();
  await guardian.page.getByRole('status').getByText(fi.guardianVoice.sent).waitFor();
  const shown = pupil.page.getByTestId('guardian-comment').filter({ hasText: comment });
  await shown.waitFor();
  await shown.getByText(fi.guardianVoice.badge).waitFor();
  expect(await wasNotReloaded(pupil.page)).toBe(true);
  await expectAccessible(pupil.page, 'approved work with a guardian comment');
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
