import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { MeResponse } from '../../../shared/api/auth.ts';
import type { Child, MyGroup } from '../../../shared/api/org.ts';
import { apiGet, texts } from './ui.ts';

export type Role = 'pupil' | 'teacher' | 'guardian' | 'admin';

const { fi } = texts;

/** What each role's home page must show, read from the API so no demo names are assumed. */
export const roleContent: Record<Role, (page: Page) => Promise<void>> = {
  pupil: async (page) => {
    // The demo pupil's portfolio: their projects and a timeline with the seeded work.
    await page.getByRole('heading', { level: 2, name: fi.pupil.projectsHeading }).waitFor();
    await page.getByRole('list', { name: fi.pupil.timelineHeading }).locator('article').first().waitFor();
  },
  teacher: async (page) => {
    const { body } = await apiGet<{ groups: MyGroup[] }>(page, '/api/me/groups');
    const group = body.groups.find((g) => g.role === 'teacher' && g.pupils.length > 0);
    expect(group, 'demo.teacher teaches a group with pupils').toBeDefined();
    const card = page.locator('section', { has: page.getByRole('heading', { level: 2, name: group!.name, exact: true }) });
    await card.waitFor();
    for (const pupil of group!.pupils) await card.getByText(pupil.displayName, { exact: true }).waitFor();
  },
  guardian: async (page) => {
    const { body } = await apiGet<{ children: Child[] }>(page, '/api/me/children');
    expect(body.children.length, 'demo.guardian has a linked child').toBeGreaterThan(0);
    for (const child of body.children) await page.getByRole('heading', { level: 2, name: child.displayName }).waitFor();
  },
  admin: async (page) => {
    const { body } = await apiGet<MeResponse>(page, '/api/me');
    const school = body.schools[0];
    expect(school, 'demo.admin administers a school').toBeDefined();
    await page.getByRole('link', { name: school!.name, exact: true }).waitFor();
  },
};
