import { expect, it } from 'vitest';
import { expectAccessible } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';

const suite = browserSuite();

/** Everyone in the demo school but the pupil: none of them may be named on her shared page. */
const OTHERS = ['Anna Virtanen', 'Mikko Korhonen', 'Eetu Nieminen', 'Helmi Laine', 'Siiri Lehtonen', 'Sanna Mäkinen', 'Juha Nieminen'];

it('a pupil makes a secret link in the UI; a browser with no account opens it and sees no one else named; revoked, it is not available', async () => {
  // The school's admin lowers the age limit (the demo pupil is a fifth-grader), in the setting's own block.
  const admin = await suite.session('demo.admin');
  const schools = await apiJson<{ schools: Array<{ id: string }> }>(admin.page, 'GET', '/api/schools');
  const schoolId = schools.body.schools[0]!.id;
  await admin.page.goto(`/admin/schools/${schoolId}`);
  const ageField = admin.page.getByLabel('Alaikäraja, josta alkaen oppilas voi tehdä omia salaisia linkkejä');
  await ageField.fill('10');
  const ageForm = admin.page.locator('form', { has: ageField });
  // Its own button name: the school's other form on the page has "Tallenna muutokset".
  await ageForm.getByRole('button', { name: 'Tallenna ikäraja' }).click();
  await admin.page.getByText('Ikäraja tallennettiin.').waitFor();
  await expectAccessible(admin.page, 'school settings with the secret-link age');

  const pupil = await suite.session('demo.pupil');
  const me = await apiJson<{ user: { id: string } }>(pupil.page, 'GET', '/api/me');
  const work = await apiJson<{ items: Array<{ id: string; title: string }> }>(pupil.page, 'GET', `/api/pupils/${me.body.user.id}/artefacts`);
  const artefact = work.body.items[0]!;
  await pupil.page.goto(`/artefacts/${artefact.id}`);
  const panel = pupil.page.getByRole('region', { name: 'Salaiset linkit' });
  await panel.getByText('Salaisia linkkejä ei ole vielä.').waitFor();

  // By keyboard: open the form, choose a week, make the link.
  await panel.getByRole('button', { name: 'Tee salainen linkki' }).focus();
  await pupil.page.keyboard.press('Enter');
  await panel.getByLabel('Linkki toimii').selectOption('7');
  await panel.getByRole('button', { name: 'Tee linkki' }).focus();
  await pupil.page.keyboard.press('Enter');
  const address = panel.getByTestId('share-link-url');
  await address.waitFor();
  const url = await address.inputValue();
  expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
  await panel.getByText('Kopioi se nyt: se näytetään vain tämän kerran.').waitFor();
  await panel.getByText('Voimassa').waitFor();
  await expectAccessible(pupil.page, 'artefact page with a new secret link');

  // A fresh browser with no account.
  const stranger = await suite.browser.newContext({ locale: 'fi-FI' });
  try {
    const page = await stranger.newPage();
    const opened = await page.goto(url);
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['x-robots-tag']).toMatch(/noindex/);
    await page.getByRole('heading', { level: 1, name: artefact.title }).waitFor();
    expect(await page.locator('meta[name="robots"]').getAttribute('content')).toMatch(/noindex/);
    const text = await page.locator('body').innerText();
    for (const name of [...OTHERS, 'Aino Mäkinen']) expect(text).not.toContain(name);
    await expectAccessible(page, 'secret link page');

    // The pupil revokes it (after a confirmation), and the page is gone at once.
    await panel.getByRole('button', { name: 'Valmis' }).click();
    await panel.getByRole('button', { name: 'Peru linkki' }).click();
    await pupil.page.getByRole('dialog').getByRole('button', { name: 'Peru linkki' }).click();
    await panel.getByText('Linkki peruttiin.').waitFor();

    const again = await page.goto(url);
    expect(again?.status()).toBe(404);
    await page.getByRole('heading', { level: 1, name: 'Linkki ei ole käytettävissä' }).waitFor();
    await expectAccessible(page, 'secret link not available');
  } finally {
    await stranger.close();
  }
});

// A secret link on a showcase built in the UI, opened with no account and revoked: showcases.e2e.ts.
