import type { Page } from 'playwright-core';
import { texts } from './ui.ts';

export interface ActiveElement {
  tag: string;
  id: string;
  name: string;
  text: string;
}

export async function activeElement(page: Page): Promise<ActiveElement> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName ?? '', id: el?.id ?? '', name: el?.getAttribute('name') ?? '', text: el?.textContent?.trim() ?? '' };
  });
}

/** Presses Tab until the focused element matches (at most 30 times). */
export async function tabTo(page: Page, matches: (el: ActiveElement) => boolean): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if (matches(await activeElement(page))) return;
  }
  throw new Error('Tab never reached the wanted element');
}

/** A text in any of the three languages, e.g. the sign-out button whatever language the user saved. */
export function anyLanguage<S extends 'shell'>(section: S, key: keyof (typeof texts.fi)[S]): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(${(['fi', 'sv', 'en'] as const).map((l) => escape(String(texts[l][section][key]))).join('|')})$`);
}
