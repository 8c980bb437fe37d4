import { describe, expect, it } from 'vitest';
import { axeViolations } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { expectH1, texts } from './support/ui.ts';

/** Issue 9, item 4: free tags typed with the keyboard in the editor, shown on the work, and used as timeline filter chips. */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;

describe('free tags in a browser', () => {
  it('a pupil adds and removes tags with the keyboard, saves, and filters the timeline by a tag chip', async () => {
    const { page } = await suite.session('demo.pupil');
    await page.goto('/artefacts/new');
    await expectH1(page, fi.artefactForm.newHeading);
    await page.locator('input[name="title"]').fill('Tunnistekoe');

    const input = page.getByLabel(fi.tags.newTag, { exact: true });
    const status = page.locator('.tag-input [role="status"]');
    await input.fill('Kokeilu');
    await input.press('Enter');
    // Enter added a tag; it did not send the form.
    expect(new URL(page.url()).pathname).toBe('/artefacts/new');
    await page.getByRole('list', { name: fi.tags.current }).getByText('Kokeilu').waitFor({ timeout: TIMEOUT });
    expect(await status.textContent()).toBe('Tunniste Kokeilu lisätty.');

    // A pasted list adds each; the same tag in another case is refused with the reason, and stays in the field.
    await input.fill('vesi, KOKEILU');
    await input.press('Enter');
    await page.getByText('Tunniste Kokeilu on jo lisätty.').waitFor({ timeout: TIMEOUT });
    expect(await input.inputValue()).toBe('KOKEILU');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    await input.fill('');

    const removeVesi = page.getByRole('button', { name: 'Poista tunniste vesi', exact: true });
    await removeVesi.focus();
    await page.keyboard.press('Enter');
    await removeVesi.waitFor({ state: 'detached', timeout: TIMEOUT });
    expect(await status.textContent()).toBe('Tunniste vesi poistettu.');
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);

    const formViolations = await axeViolations(page, 'new artefact with tags');
    expect(formViolations, formViolations.join('\n\n')).toEqual([]);

    await page.getByRole('button', { name: fi.artefactForm.create, exact: true }).click();
    await page.waitForURL((url) => /^\/artefacts\/[0-9a-f-]{36}$/.test(url.pathname), { timeout: TIMEOUT });
    await page.locator('.tag--free', { hasText: 'Kokeilu' }).waitFor({ timeout: TIMEOUT });

    await page.goto('/pupil');
    const chips = page.getByRole('group', { name: fi.tags.filter });
    const chip = chips.getByRole('button', { name: 'Kokeilu, 1 työ', exact: true });
    await chip.click();
    await page.waitForURL((url) => url.searchParams.get('tag') === 'Kokeilu', { timeout: TIMEOUT });
    await expect.poll(() => chip.getAttribute('aria-pressed'), { timeout: TIMEOUT }).toBe('true');
    const cards = page.locator('ol.timeline > li');
    await expect.poll(() => cards.count(), { timeout: TIMEOUT }).toBe(1);
    expect(await cards.first().textContent()).toContain('Tunnistekoe');
    const listViolations = await axeViolations(page, 'timeline filtered by a tag');
    expect(listViolations, listViolations.join('\n\n')).toEqual([]);

    // Pressed again, the chip lets go of the filter.
    await chip.click();
    await page.waitForURL((url) => !url.searchParams.has('tag'), { timeout: TIMEOUT });
    await expect.poll(() => chip.getAttribute('aria-pressed'), { timeout: TIMEOUT }).toBe('false');
  });
});
