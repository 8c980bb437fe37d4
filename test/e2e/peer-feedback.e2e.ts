import { describe, expect, it } from 'vitest';
import type { Project } from '../../shared/api/projects.ts';
import type { ProjectPeerWork } from '../../shared/api/peer-feedback.ts';
import { axeViolations } from './support/axe.ts';
import { browserSuite } from './support/browser-suite.ts';
import { apiJson } from './support/session.ts';
import { expectH1, texts } from './support/ui.ts';

/** Issue 10, section 5: a pupil gives a classmate two stars and a wish; the classmate's open page shows it live. */
const { fi } = texts;
const suite = browserSuite();
const TIMEOUT = 15_000;

describe('peer feedback in a browser', () => {
  it("a pupil opens a classmate's shared work from the project page and gives two stars and a wish; axe finds nothing", async () => {
    const pupil = await suite.session('demo.pupil');
    const projects = (await apiJson<{ projects: Project[] }>(pupil.page, 'GET', '/api/projects')).body.projects;
    const project = projects.find((p) => p.title === 'Lähiluonto muuttuu');
    expect(project, 'the demo project').toBeDefined();
    const shared = (await apiJson<ProjectPeerWork>(pupil.page, 'GET', `/api/projects/${project!.id}/peer-work`)).body;
    expect(shared.settings.enabled).toBe(true);
    const mushrooms = shared.items.find((i) => i.title === 'Sienilöytöjä');
    expect(mushrooms, "the classmate's shared work").toBeDefined();
    const mine = shared.items.find((i) => i.title === 'Ensimmäinen retki lähimetsään');

    // The classmate (its owner) keeps the work open: the message arrives without a reload.
    const eetu = await suite.session('eetu.nieminen');
    await eetu.page.goto(`/artefacts/${mushrooms!.id}`);
    await eetu.page.getByRole('heading', { name: new RegExp(`^${fi.peerFeedback.heading}`) }).waitFor({ timeout: TIMEOUT });

    // The demo pupil's own work shows the seeded peer message, marked as peer feedback.
    await pupil.page.goto(`/artefacts/${mine!.id}`);
    await pupil.page.getByText('Kuva metsästä on tosi kaunis.').waitFor({ timeout: TIMEOUT });
    const own = await axeViolations(pupil.page, 'own artefact with peer feedback');
    expect(own, own.join('\n\n')).toEqual([]);

    await pupil.page.goto(`/projects/${project!.id}`);
    await pupil.page.getByRole('heading', { name: fi.peerFeedback.classmatesWork }).waitFor({ timeout: TIMEOUT });
    await pupil.page.getByRole('link', { name: 'Sienilöytöjä', exact: true }).click();
    await expectH1(pupil.page, 'Sienilöytöjä');
    const form = pupil.page.getByRole('form', { name: fi.peerFeedback.give });
    await form.waitFor({ timeout: TIMEOUT });
    const before = await axeViolations(pupil.page, "a classmate's shared work with the peer-feedback form");
    expect(before, before.join('\n\n')).toEqual([]);

    const wish = `Lisää kuva kärpässienestä ${Date.now()}`;
    await pupil.page.getByLabel(fi.peerFeedback.star1).fill('Hienoja löytöjä!');
    await pupil.page.getByLabel(fi.peerFeedback.star2).fill('Linkki auttaa tunnistamaan sienet.');
    await pupil.page.getByLabel(fi.peerFeedback.wish).fill(wish);
    await form.getByRole('button', { name: fi.peerFeedback.send }).click();
    await pupil.page.getByRole('status').getByText(fi.peerFeedback.sent).waitFor({ timeout: TIMEOUT });
    await pupil.page.getByTestId('peer-message').getByText(wish).waitFor({ timeout: TIMEOUT });
    const after = await axeViolations(pupil.page, 'peer feedback sent');
    expect(after, after.join('\n\n')).toEqual([]);

    // Live on the owner's open page.
    await eetu.page.getByTestId('peer-message').getByText(wish).waitFor({ timeout: TIMEOUT });
  });
});
