import { expect, it } from 'vitest';
import type { InvitationLetters } from '../../shared/api/invitations.ts';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';

const suite = browserSuite();

it('a teacher prints the letters; a guardian accepts with the code from a letter and sees the child’s shared work', async () => {
  const teacher = await suite.session('demo.teacher');
  const groups = await apiJson<{ groups: Array<{ id: string; name: string; role: string; pupils: Array<{ id: string; displayName: string }> }> }>(
    teacher.page,
    'GET',
    '/api/me/groups',
  );
  const group = groups.body.groups.find((g) => g.role === 'teacher' && g.pupils.some((p) => p.displayName.startsWith('Aino')))!;
  const aino = group.pupils.find((p) => p.displayName.startsWith('Aino'))!;

  // The teacher's group page: invite every pupil's guardians, and the letters appear, ready to print.
  await teacher.page.goto(`/teacher/groups/${group.id}`);
  const letters = teacher.page.waitForResponse((r) => r.url().endsWith('/api/guardian-invitations') && r.request().method() === 'POST');
  await teacher.page.getByRole('button', { name: 'Kutsu kaikkien oppilaiden huoltajat' }).click();
  const created = (await (await letters).json()) as InvitationLetters;
  const letter = created.letters.find((l) => l.pupilName === aino.displayName)!;
  const article = teacher.page.locator('article.invitation-letter', { hasText: letter.code });
  await article.getByText(`Kutsu Polkuun: ${aino.displayName}`).waitFor();
  await teacher.page.getByRole('cell', { name: 'Kirje tehty' }).first().waitFor();
  await expectAccessible(teacher.page, 'teacher group page with letters');

  // The guardian, on their own device, opens the link and types nothing but a new account's details.
  const context = await suite.browser.newContext({ baseURL: suite.server.url, locale: 'fi-FI', viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`/invitation#code=${letter.code}`);
    await page.getByRole('heading', { level: 1, name: 'Hyväksy huoltajan kutsu' }).waitFor();
    await expectAccessible(page, 'accept invitation: code');
    await page.getByRole('button', { name: 'Jatka' }).click();
    await page.getByText(`oppilaan ${aino.displayName} portfoliota`).waitFor();
    await page.getByLabel('Käyttäjätunnus', { exact: true }).fill(`e2e.huoltaja.${Date.now()}`);
    await page.getByLabel('Nimesi').fill('Eeva Esimerkki');
    await page.getByLabel('Salasana', { exact: true }).fill('hyvä pitkä salasana');
    await expectAccessible(page, 'accept invitation: account');
    await page.getByRole('button', { name: 'Hyväksy kutsu' }).click();
    await page.waitForURL('**/guardian');
    await page.getByRole('link', { name: aino.displayName, exact: true }).click();
    await page.waitForURL('**/guardian/children/**');
    // Exactly what Aino shared with guardians, as the server gives it to this new guardian.
    const shared = await apiJson<{ items: Array<{ title: string; visibility: string }> }>(page, 'GET', `/api/pupils/${aino.id}/artefacts`);
    expect(shared.status).toBe(200);
    expect(shared.body.items.length, 'the demo pupil has shared work').toBeGreaterThan(0);
    expect(shared.body.items.every((i) => i.visibility === 'guardians')).toBe(true);
    await page.getByText(shared.body.items[0]!.title).first().waitFor();
    await expectAccessible(page, 'guardian child page');

    // The letter worked once: the teacher's list says accepted.
    await teacher.page.reload();
    await teacher.page
      .getByRole('cell', { name: /Hyväksytty/ })
      .first()
      .waitFor();
  } finally {
    await context.close();
  }
});
