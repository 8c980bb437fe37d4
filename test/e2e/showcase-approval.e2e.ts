import { expect, it } from 'vitest';
import type { Showcase } from '../../shared/api/showcases.ts';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { socketConnected } from './support/realtime.ts';
import { apiJson, markPage, wasNotReloaded } from './support/session.ts';
import { texts } from './support/ui.ts';

const { fi } = texts;

/**
 * Issue 12 §1 for showcases in the browser: under the approval rule the pupil shares a showcase, it appears live in
 * the teacher's queue, the teacher returns it with a note; the pupil's showcase page shows the note; after an edit
 * the teacher approves it, and the guardian sees it.
 */
const suite = browserSuite();

it('approval on: a shared showcase waits in the live queue, is returned with a note the pupil reads, then approved for the guardian', async () => {
  const admin = await suite.session('demo.admin');
  const pupil = await suite.session('demo.pupil');
  const teacher = await suite.session('demo.teacher');
  const guardian = await suite.session('demo.guardian');

  const adminMe = await apiJson<{ schools: Array<{ id: string }> }>(admin.page, 'GET', '/api/me');
  const schoolId = adminMe.body.schools[0]!.id;
  expect((await apiJson(admin.page, 'PUT', `/api/schools/${schoolId}/guardian-sharing`, { guardianSharing: 'approval' })).status).toBe(200);

  // The teacher's group page is open (its socket connected) before the pupil shares.
  const me = await apiJson<{ user: { id: string } }>(pupil.page, 'GET', '/api/me');
  const groups = await apiJson<{ groups: Array<{ id: string; role: string; pupils: Array<{ id: string }> }> }>(teacher.page, 'GET', '/api/me/groups');
  const group = groups.body.groups.find((g) => g.role === 'teacher' && g.pupils.some((p) => p.id === me.body.user.id))!;
  const teacherConnected = socketConnected(teacher.page);
  await teacher.page.goto(`/teacher/groups/${group.id}`);
  await teacherConnected;
  const queue = teacher.page.getByTestId('approval-queue');
  await queue.waitFor();
  await markPage(teacher.page);

  // The pupil makes a showcase and shares it with guardians: it waits; the guardian does not see it.
  const title = 'Kevään parhaat';
  const made = await apiJson<Showcase>(pupil.page, 'POST', '/api/showcases', { title });
  expect(made.status).toBe(201);
  const id = made.body.id;
  expect((await apiJson(pupil.page, 'PATCH', `/api/showcases/${id}`, { visibility: 'guardians' })).status).toBe(200);
  expect((await apiJson(guardian.page, 'GET', `/api/showcases/${id}`)).status).toBe(404);

  // It appears in the teacher's queue live, as a showcase; the teacher returns it with a note.
  const entry = queue.getByTestId('approval-queue-showcase').filter({ hasText: title });
  await entry.waitFor();
  expect(await wasNotReloaded(teacher.page)).toBe(true);
  await entry.getByText(fi.guardianSharing.showcaseLabel).waitFor();
  await expectAccessible(teacher.page, 'approval queue with a showcase');
  await entry.getByRole('button', { name: `Palauta ”${title}” viestin kanssa` }).click();
  const note = 'Kerro vielä, miksi valitsit nämä.';
  await entry.getByLabel(fi.guardianSharing.noteLabel).fill(note);
  await entry.getByRole('button', { name: fi.guardianSharing.sendReturn }).click();
  await teacher.page.getByText(`Palautettu oppilaalle: ”${title}”.`).waitFor();

  // The pupil's showcase page shows that it was returned, with the note.
  await pupil.page.goto(`/showcases/${id}`);
  const panel = pupil.page.getByTestId('showcase-approval-panel');
  await panel.getByText(note).waitFor();
  await panel.getByText(fi.guardianSharing.showcaseEditHint).waitFor();
  await expectAccessible(pupil.page, 'returned showcase with the teacher’s note');

  // The pupil writes an introduction: it waits again, and the teacher approves it with the keyboard.
  expect((await apiJson(pupil.page, 'PATCH', `/api/showcases/${id}`, { introHtml: '<p>Valitsin nämä, koska opin niistä eniten.</p>' })).status).toBe(200);
  const approve = queue.getByRole('button', { name: `Hyväksy ”${title}”` });
  await approve.waitFor();
  await approve.focus();
  await teacher.page.keyboard.press('Enter');
  await teacher.page.getByText(`Hyväksytty: huoltajat näkevät nyt koosteen ”${title}”.`).waitFor();

  // The guardian sees it; the pupil's page says so.
  expect((await apiJson(guardian.page, 'GET', `/api/showcases/${id}`)).status).toBe(200);
  await pupil.page.reload();
  await panel.getByText(/hyväksyi: huoltajat näkevät koosteen\./).waitFor();
  expect((await apiJson<Showcase>(pupil.page, 'GET', `/api/showcases/${id}`)).body.guardianApproval).toMatchObject({
    state: 'approved',
    visibleToGuardians: true,
  });
  const notes = await apiJson<{ items: Array<{ kind: string }> }>(pupil.page, 'GET', '/api/notifications');
  expect(notes.body.items.map((n) => n.kind)).toEqual(expect.arrayContaining(['showcase_returned', 'showcase_approved']));
});
