import type { Page } from 'playwright-core';
import en from '../../../client/src/i18n/en.json' with { type: 'json' };
import fi from '../../../client/src/i18n/fi.json' with { type: 'json' };
import sv from '../../../client/src/i18n/sv.json' with { type: 'json' };

/** The app's own translation files: the test expects exactly what a user would read. */
export const texts = { fi, sv, en } as const;
export type Lang = keyof typeof texts;

const TIMEOUT = 15_000;

/** Waits for the page's h1 to read `text` (and that there is exactly one h1). */
export async function expectH1(page: Page, text: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor({ timeout: TIMEOUT });
  const count = await page.locator('h1').count();
  if (count !== 1) throw new Error(`Expected one h1, found ${count} on ${page.url()}`);
}

export async function expectVisibleText(page: Page, text: string): Promise<void> {
  await page.getByText(text, { exact: true }).first().waitFor({ timeout: TIMEOUT });
}

/** The language switcher, found by its label in any of the three languages. */
export function languageSelect(page: Page) {
  return page.getByRole('combobox', { name: new RegExp(`^(${fi.language.label}|${sv.language.label}|${en.language.label})$`) });
}

export async function chooseLanguage(page: Page, lang: Lang): Promise<void> {
  await languageSelect(page).selectOption(lang);
  await page.waitForFunction((l) => document.documentElement.lang === l, lang, { timeout: TIMEOUT });
}

export async function fillSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.locator('input[name="username"]').fill(username);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('main form button[type="submit"]').click();
}

/** GET through the page, so that it carries the page's session cookie. */
export async function apiGet<T>(page: Page, path: string): Promise<{ status: number; body: T }> {
  return page.evaluate(async (p) => {
    const response = await fetch(p, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    return { status: response.status, body: (await response.json().catch(() => null)) as T };
  }, path);
}

/** True when the page scrolls sideways (content wider than the viewport). */
export async function overflowsHorizontally(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);
}
