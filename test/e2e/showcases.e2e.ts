import { describe, expect, it } from 'vitest';
import type { Artefact } from '../../shared/api/artefacts.ts';
import type { MeResponse } from '../../shared/api/auth.ts';
import type { Project } from '../../shared/api/projects.ts';
import { axeViolations } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/**
 * Issue 12 §3 and §4: a pupil builds a showcase in the UI, orders it by keyboard, writes reasons, shares it; the guardian reads
 * it in that order; a secret link opens it in a fresh browser with no account, and stops at once when revoked.
 */
const { fi } = texts;
const sc = fi.showcases;
const suite = browserSuite();
const TIMEOUT = 15_000;
/** Everyone in the demo school but the pupil: none of them may be named on her shared page. */
const OTHERS = ['Anna Virtanen', 'Mikko Korhonen', 'Eetu Nieminen', 'Helmi Laine', 'Siiri Lehtonen', 'Sanna Mäkinen', 'Juha Nieminen'];
const fill = (template: string, values: Record<string, string | number>) => template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(values[k]));

describe('showcases in a browser', () => {
  it('a pupil builds a showcase from three works, reorders with the keyboard, writes reflections and shares it with guardians; the guardian sees it in that order', async () => {
    const pupil = await suite.session('demo.pupil');
    const { page } = pupil;
    const run = `${Date.now()}`.slice(-6);
    const [a, b, c] = [`Kevätnäyte ${run} A`, `Kevätnäyte ${run} B`, `Kevätnäyte ${run} C`];
    for (const title of [a, b, c]) expect((await apiJson<Artefact>(page, 'POST', '/api/artefacts', { title })).status).toBe(201);
    const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
    const me = (await apiJson<MeResponse>(page, 'GET', '/api/me')).body;

    // From the portfolio navigation to the showcases page.
    await page.goto('/pupil');
    await page.getByRole('navigation', { name: fi.shell.mainNav }).getByRole('link', { name: fi.nav.showcases }).click();
    await expectH1(page, sc.title);
    const listPage = await axeViolations(page, 'showcases page');
    expect(listPage, listPage.join('\n\n')).toEqual([]);

    const title = `Kevään parhaat ${run}`;
    await page.getByLabel(sc.titleLabel, { exact: true }).fill(title);
    await page.getByRole('button', { name: sc.create }).click();
    await expectH1(page, fill(sc.editTitle, { title }));

    // Pick the three works with the search.
    await page.getByRole('searchbox', { name: sc.search }).fill(`Kevätnäyte ${run}`);
    for (const work of [a, b, c]) {
      await page.getByRole('button', { name: fill(sc.addNamed, { title: work }) }).click();
      await page.getByRole('button', { name: fill(sc.alreadyInNamed, { title: work }) }).waitFor({ timeout: TIMEOUT });
    }
    const items = page.getByTestId('showcase-item');
    await expect.poll(() => items.locator('h3').allInnerTexts(), { timeout: TIMEOUT }).toEqual([a, b, c]);

    // C to the top by keyboard: the focus stays on C's button, and each move is announced.
    await page.getByRole('button', { name: fill(sc.moveUpNamed, { title: c }) }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(fill(sc.moved, { title: c, position: 2, count: 3 }))
      .waitFor({ timeout: TIMEOUT });
    await expect.poll(async () => await focusedLabel(), { timeout: TIMEOUT }).toBe(fill(sc.moveUpNamed, { title: c }));
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(fill(sc.moved, { title: c, position: 1, count: 3 }))
      .waitFor({ timeout: TIMEOUT });
    await expect.poll(() => items.locator('h3').allInnerTexts(), { timeout: TIMEOUT }).toEqual([c, a, b]);
    // At the top "move up" is disabled: the focus went to C's "move down".
    await expect.poll(async () => await focusedLabel(), { timeout: TIMEOUT }).toBe(fill(sc.moveDownNamed, { title: c }));

    // A reason for each.
    for (const work of [c, a, b]) {
      const item = items.filter({ has: page.getByRole('heading', { name: work, exact: true }) });
      const editor = item.getByRole('textbox', { name: fill(sc.reflectionNamed, { title: work }) });
      await editor.waitFor({ timeout: TIMEOUT });
      await editor.click();
      await page.keyboard.type(`Valitsin työn ${work.slice(-1)}, koska opin siitä.`);
      await item.getByRole('button', { name: sc.saveItem, exact: true }).click();
      await item
        .getByRole('status')
        .getByText(fill(sc.itemSaved, { title: work }))
        .waitFor({ timeout: TIMEOUT });
    }

    // Shared with the guardians.
    await page.getByRole('radio', { name: sc.visibility.guardians }).check();
    await page.getByRole('button', { name: sc.saveSharing }).click();
    await page.getByRole('status').getByText(sc.sharingSaved).waitFor({ timeout: TIMEOUT });
    const editor = await axeViolations(page, 'showcase editor');
    expect(editor, editor.join('\n\n')).toEqual([]);

    // The guardian finds it on the child's page and reads it in the pupil's order, with the reasons.
    const guardian = await suite.session('demo.guardian');
    await guardian.page.goto(`/guardian/children/${me.user.id}`);
    await guardian.page.getByRole('link', { name: title }).click();
    await expectH1(guardian.page, title);
    const shown = guardian.page.locator('.showcase__item h2');
    await expect.poll(() => shown.allInnerTexts(), { timeout: TIMEOUT }).toEqual([c, a, b]);
    await guardian.page.getByText('Valitsin työn C, koska opin siitä.').waitFor({ timeout: TIMEOUT });
    expect(await guardian.page.getByRole('button', { name: sc.moveUp }).count()).toBe(0);
    const read = await axeViolations(guardian.page, 'showcase read by a guardian');
    expect(read, read.join('\n\n')).toEqual([]);

    // A secret link for a relative: the school lets pupils of 10 make their own (the demo pupil is a fifth-grader).
    const admin = await suite.session('demo.admin');
    const schools = await apiJson<{ schools: Array<{ id: string }> }>(admin.page, 'GET', '/api/schools');
    expect((await apiJson(admin.page, 'PATCH', `/api/schools/${schools.body.schools[0]!.id}`, { shareLinkMinAge: 10 })).status).toBe(200);
    // The showcase's own page (the editor's URL without /edit) carries the secret links.
    await page.goto(new URL(page.url()).pathname.replace(/\/edit$/, ''));
    const links = page.getByRole('region', { name: fi.shareLinks.heading });
    await links.getByText(fi.shareLinks.empty).waitFor({ timeout: TIMEOUT });
    await links.getByRole('button', { name: fi.shareLinks.new }).click();
    await links.getByRole('button', { name: fi.shareLinks.create }).click();
    const url = await links.getByTestId('share-link-url').inputValue();
    expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);

    // A fresh browser with no account opens it: the works in the pupil's order with her reasons, no one else named.
    const stranger = await suite.browser.newContext({ locale: 'fi-FI' });
    try {
      const open = await stranger.newPage();
      expect((await open.goto(url))?.status()).toBe(200);
      await open.getByRole('heading', { level: 1, name: title }).waitFor({ timeout: TIMEOUT });
      const text = await open.locator('main').innerText();
      const order = [c, 'Valitsin työn C', a, 'Valitsin työn A', b, 'Valitsin työn B'].map((s) => text.indexOf(s));
      expect(order.every((at) => at >= 0)).toBe(true);
      expect([...order].sort((x, y) => x - y)).toEqual(order);
      for (const name of OTHERS) expect(text).not.toContain(name);
      const shared = await axeViolations(open, 'secret link page of a showcase');
      expect(shared, shared.join('\n\n')).toEqual([]);

      // Revoked (after a confirmation), it is not available at once: the same page as an unknown link.
      await links.getByRole('button', { name: fi.shareLinks.done }).click();
      await links.getByRole('button', { name: fi.shareLinks.revoke }).click();
      await page.getByRole('dialog').getByRole('button', { name: fi.shareLinks.revoke }).click();
      await links.getByText(fi.shareLinks.revoked).waitFor({ timeout: TIMEOUT });
      expect((await open.goto(url))?.status()).toBe(404);
      await open.getByRole('heading', { level: 1, name: 'Linkki ei ole käytettävissä' }).waitFor({ timeout: TIMEOUT });
    } finally {
      await stranger.close();
    }
  });

  it('a teacher writes a showcase template on the project page; a pupil of the project starts from it and sees its empty places; axe finds nothing', async () => {
    const teacher = await suite.session('demo.teacher');
    const projects = (await apiJson<{ projects: Project[] }>(teacher.page, 'GET', '/api/projects')).body.projects;
    const project = projects.find((p) => p.title === 'Lähiluonto muuttuu');
    expect(project, 'the demo project').toBeDefined();
    const goal = project!.goals[0]!;
    const run = `${Date.now()}`.slice(-6);
    const title = `Luontokooste ${run}`;

    await teacher.page.goto(`/projects/${project!.id}`);
    await teacher.page.getByRole('heading', { name: sc.templates }).waitFor({ timeout: TIMEOUT });
    await teacher.page.getByRole('button', { name: sc.newTemplate }).click();
    const form = teacher.page.getByRole('form', { name: sc.newTemplate });
    await form.getByLabel(sc.templateTitle, { exact: true }).fill(title);
    await form.getByLabel(sc.templateIntro).fill('Kolme työtä ja pohdinta.');
    await form.getByLabel(fill(sc.slotPrompt, { n: 1 }), { exact: true }).fill('Työ, josta opit eniten');
    await form.getByLabel(fill(sc.slotGoal, { n: 1 })).selectOption(goal.id);
    const editing = await axeViolations(teacher.page, 'template form on the project page');
    expect(editing, editing.join('\n\n')).toEqual([]);
    await form.getByRole('button', { name: sc.saveTemplate }).click();
    await teacher.page.getByRole('heading', { name: title, level: 3 }).waitFor({ timeout: TIMEOUT });

    const pupil = await suite.session('demo.pupil');
    await pupil.page.goto(`/projects/${project!.id}`);
    await pupil.page.getByRole('button', { name: fill(sc.startFrom, { title }) }).click();
    await expectH1(pupil.page, fill(sc.editTitle, { title }));
    await pupil.page.getByRole('heading', { name: fill(sc.slotNamed, { prompt: 'Työ, josta opit eniten' }) }).waitFor({ timeout: TIMEOUT });
    const started = await axeViolations(pupil.page, 'showcase started from a template');
    expect(started, started.join('\n\n')).toEqual([]);
  });
});
