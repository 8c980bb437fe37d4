import { renderToStaticMarkup } from 'react-dom/server';
import type { ReactElement } from 'react';
import type { PortfolioDocument } from '../../../../../shared/portability/portfolio-format.ts';
import { ArtefactPage } from './artefact-page.tsx';
import { GoalPage } from './goal-page.tsx';
import { IndexPage, ProjectPage } from './index-pages.tsx';
import { ShowcasePage } from './showcase-page.tsx';
import { SITE_PATHS, siteContext } from './site-context.ts';
import { SITE_CSS } from './site-style.ts';

export { SITE_PATHS };

const html = (element: ReactElement) => `<!DOCTYPE html>\n${renderToStaticMarkup(element)}\n`;

/**
 * The offline site as archive entries, each rendered only when asked (so thousands of pages are
 * never held at once), times in `timeZone` (the school's): index.html, one stylesheet, a page per project, per goal, per showcase and per artefact. Plain
 * HTML and CSS with relative links: it opens from disk, without JavaScript or network.
 */
export function sitePages(doc: PortfolioDocument, timeZone: string): Array<{ path: string; render(): string }> {
  const ctx = siteContext(doc, timeZone);
  return [
    { path: 'index.html', render: () => html(<IndexPage ctx={ctx} />) },
    { path: SITE_PATHS.css, render: () => SITE_CSS.trimStart() },
    ...doc.projects.map((project) => ({ path: SITE_PATHS.project(project.id), render: () => html(<ProjectPage ctx={ctx} project={project} />) })),
    ...doc.projects.flatMap((project) =>
      project.goals.map((goal) => ({ path: SITE_PATHS.goal(goal.id), render: () => html(<GoalPage ctx={ctx} project={project} goal={goal} />) })),
    ),
    ...(doc.showcases ?? []).map((showcase) => ({
      path: SITE_PATHS.showcase(showcase.id),
      render: () => html(<ShowcasePage ctx={ctx} showcase={showcase} />),
    })),
    ...doc.artefacts.map((artefact) => ({ path: SITE_PATHS.artefact(artefact.id), render: () => html(<ArtefactPage ctx={ctx} artefact={artefact} />) })),
  ];
}
