import { expect, it } from 'vitest';
import type { NotificationPage } from '../../shared/api/notifications.ts';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { socketConnected } from './support/realtime.ts';
import { apiJson, markPage, wasNotReloaded } from './support/session.ts';

const suite = browserSuite();

it('the pupil has a bell; the teacher writes feedback and the badge appears live; the centre lists it and marks all read', async () => {
  const pupil = await suite.session('demo.pupil');
  const teacher = await suite.session('demo.teacher');
  const me = await apiJson<{ user: { id: string } }>(pupil.page, 'GET', '/api/me');
  const work = await apiJson<{ items: Array<{ id: string; title: string }> }>(pupil.page, 'GET', `/api/pupils/${me.body.user.id}/artefacts`);
  const artefact = work.body.items[0]!;

  // Start from nothing unread (the demo seed's feedback notified the pupil already).
  expect((await apiJson(pupil.page, 'POST', '/api/notifications/read-all', {})).status).toBe(200);
  // The page's new realtime connection is up (its connect packet "40…") before the teacher writes.
  const connected = socketConnected(pupil.page);
  await pupil.page.goto('/pupil');
  await connected;
  const bell = pupil.page.getByRole('link', { name: /^Ilmoitukset/ });
  await bell.waitFor();
  await expect.poll(() => bell.getAttribute('aria-label')).toBe('Ilmoitukset');
  const badge = pupil.page.getByTestId('notification-badge');
  expect(await badge.count()).toBe(0);
  await markPage(pupil.page);

  const written = await apiJson(teacher.page, 'POST', `/api/artefacts/${artefact.id}/feedback`, {
    body: 'Hieno kuvaus! Lisää vielä mittaukset.',
    parentId: null,
  });
  expect(written.status).toBe(201);
  await badge.waitFor();
  expect(await badge.textContent()).toBe('1');
  expect(await bell.getAttribute('aria-label')).toBe('Ilmoitukset, 1 lukematon');
  expect(await wasNotReloaded(pupil.page)).toBe(true);

  // Keyboard: the bell is a link in the header; Enter opens the centre.
  await bell.focus();
  await pupil.page.keyboard.press('Enter');
  await pupil.page.waitForURL('**/notifications');
  await pupil.page.getByRole('heading', { level: 1, name: 'Ilmoitukset' }).waitFor();
  const item = pupil.page.getByRole('link', { name: new RegExp(`antoi palautetta työstä ”${escape(artefact.title)}”`) });
  await item.first().waitFor();
  await expectAccessible(pupil.page, 'notification centre');

  await pupil.page.getByRole('button', { name: 'Merkitse kaikki luetuiksi' }).click();
  await badge.waitFor({ state: 'detached' });
  const page = await apiJson<NotificationPage>(pupil.page, 'GET', '/api/notifications');
  expect(page.body.items[0]).toMatchObject({ kind: 'feedback', data: { artefactId: artefact.id }, readAt: expect.any(String) });

  // The link leads to the work.
  await item.first().click();
  await pupil.page.waitForURL(`**/artefacts/${artefact.id}`);
});

it('an admin with no notifications sees the empty state, accessible', async () => {
  const admin = await suite.session('demo.admin');
  await admin.page.goto('/notifications');
  await admin.page.getByRole('heading', { level: 1, name: 'Ilmoitukset' }).waitFor();
  await admin.page.getByRole('heading', { level: 2, name: 'Ei vielä ilmoituksia' }).waitFor();
  expect(await admin.page.getByTestId('notification-badge').count()).toBe(0);
  await expectAccessible(admin.page, 'notification centre (empty)');
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
