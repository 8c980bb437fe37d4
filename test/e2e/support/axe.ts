import { expect } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe for WCAG 2.1 A/AA and returns a readable report of each violation (empty when clean). */
export async function axeViolations(page: Page, label: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return results.violations.map((v) => {
    const nodes = v.nodes.map((n) => `    - ${n.target.join(' ')}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`).join('\n');
    return `[${label}] ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n  ${v.helpUrl}\n${nodes}`;
  });
}

/** Fails the test with axe's report when the page has WCAG 2.1 A/AA violations. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const violations = await axeViolations(page, label);
  expect(violations, `axe found WCAG 2.1 A/AA violations:\n\n${violations.join('\n\n')}`).toEqual([]);
}
