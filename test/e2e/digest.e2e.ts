import { expect, it } from 'vitest';
import type { Digest, PreferencesView } from '../../shared/api/digest.ts';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';

// Issue 12 §5: a guardian chooses how they hear of new things, and reads the weekly digest.
const suite = browserSuite();

it('a guardian sets message preferences from the notification centre, then opens the weekly digest with what the child shared', async () => {
  const pupil = await suite.session('demo.pupil');
  const guardian = await suite.session('demo.guardian');
  const me = await apiJson<{ user: { id: string } }>(pupil.page, 'GET', '/api/me');
  const work = await apiJson<{ items: Array<{ id: string; title: string }> }>(pupil.page, 'GET', `/api/pupils/${me.body.user.id}/artefacts`);
  const artefact = work.body.items[0]!;
  expect((await apiJson(pupil.page, 'PATCH', `/api/artefacts/${artefact.id}`, { visibility: 'guardians' })).status).toBe(200);

  await guardian.page.goto('/notifications');
  await guardian.page.getByRole('link', { name: 'Viestien asetukset' }).click();
  await guardian.page.waitForURL('**/notifications/settings');
  await guardian.page.getByRole('heading', { level: 1, name: 'Viestien asetukset' }).waitFor();
  // The weekly digest is the guardian's default.
  expect(await guardian.page.getByRole('radio', { name: 'Viikkokooste' }).isChecked()).toBe(true);
  await expectAccessible(guardian.page, 'message settings');
  if (process.env.DIGEST_SCREENSHOTS) await guardian.page.screenshot({ path: '/tmp/digest-settings.png', fullPage: true });

  // Keyboard: choose "every new item" and save.
  await guardian.page.getByRole('radio', { name: 'Jokaisesta uudesta asiasta' }).focus();
  await guardian.page.keyboard.press('Space');
  await guardian.page.getByRole('button', { name: 'Tallenna' }).click();
  await guardian.page.getByRole('status').filter({ hasText: 'Asetukset tallennettu.' }).waitFor();
  const saved = await apiJson<PreferencesView>(guardian.page, 'GET', '/api/notification-preferences');
  expect(saved.body).toMatchObject({ frequency: 'every', weeklyAllowed: true });

  await guardian.page.getByRole('radio', { name: 'Viikkokooste' }).check();
  await guardian.page.getByRole('button', { name: 'Tallenna' }).click();
  await expect.poll(async () => (await apiJson<PreferencesView>(guardian.page, 'GET', '/api/notification-preferences')).body.frequency).toBe('weekly');

  await guardian.page.goto('/notifications');
  await guardian.page.getByRole('link', { name: 'Viikkokooste' }).click();
  await guardian.page.waitForURL('**/digest');
  await guardian.page.getByRole('heading', { level: 1, name: 'Viikkokooste' }).waitFor();
  const digest = await apiJson<Digest>(guardian.page, 'GET', '/api/digest');
  const child = digest.body.children.find((c) => c.shared.some((s) => s.artefactId === artefact.id));
  expect(child).toBeDefined();
  await guardian.page.getByRole('heading', { level: 3, name: child!.pupil.displayName }).waitFor();
  await guardian.page.getByRole('link', { name: artefact.title }).first().waitFor();
  await expectAccessible(guardian.page, 'weekly digest');

  if (process.env.DIGEST_SCREENSHOTS) await guardian.page.screenshot({ path: '/tmp/digest-page.png', fullPage: true });

  // The push service worker is served from the site's root and may be registered (the server's headers allow it).
  const registered = await guardian.page.evaluate(async () => {
    const reg = await navigator.serviceWorker.register('/push-sw.js', { scope: '/' });
    return reg.scope;
  });
  expect(new URL(registered).pathname).toBe('/');

  // Earlier weeks: the previous week opens, with a way back.
  await guardian.page.getByRole('link', { name: '← Edellinen viikko' }).click();
  await guardian.page.waitForURL(`**/digest?week=${digest.body.previousWeek}`);
  await guardian.page.getByRole('link', { name: 'Seuraava viikko →' }).waitFor();
  await expectAccessible(guardian.page, 'weekly digest, previous week');
});
