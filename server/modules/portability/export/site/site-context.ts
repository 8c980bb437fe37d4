import type { ArtefactDoc, PortfolioDocument, ProjectDoc } from '../../../../../shared/portability/portfolio-format.ts';
import type { Locale } from '../../../../../shared/roles.ts';
import { sanitizeRichText } from '../../../artefacts/sanitize.ts';
import { rewriteInternalLinks } from '../internal-links.ts';
import { siteText, type SiteText } from './site-text.ts';

/** Paths of the offline site inside the archive; pages in `site/` reach the root with `../`. */
export const SITE_PATHS = {
  css: 'site/style.css',
  project: (id: string) => `site/project-${id}.html`,
  artefact: (id: string) => `site/artefact-${id}.html`,
  goal: (id: string) => `site/goal-${id}.html`,
  showcase: (id: string) => `site/showcase-${id}.html`,
} as const;

/** What every page needs: texts, lookups, and a link maker for the page's own folder. */
export interface SiteContext {
  doc: PortfolioDocument;
  locale: Locale;
  t: SiteText;
  projects: Map<string, ProjectDoc>;
  phaseTitle(projectId: string | null, phaseId: string | null): string | null;
  goalText(projectId: string | null, goalId: string): string | null;
  subjectLabel(code: string): string;
  competenceLabel(id: string): string;
  formatDateTime(iso: string): string;
  formatDate(isoDate: string): string;
  artefactsOf(projectId: string): ArtefactDoc[];
  /** An artefact of the archive by id (a showcase's items name them). */
  artefact(id: string): ArtefactDoc | undefined;
  /**
   * Rich text for a page in `site/`, sanitised again (an imported archive is untrusted input), its
   * links to other work pointing at that work's page, or unlinked when the archive lacks it.
   */
  bodyHtml(html: string): string;
}

/** Times are shown in `timeZone` (the pupil's school's), whatever the time zone of the exporting server. */
export function siteContext(doc: PortfolioDocument, timeZone: string): SiteContext {
  const locale = doc.locale;
  const projects = new Map(doc.projects.map((p) => [p.id, p]));
  const subjects = new Map(doc.reference.subjects.map((s) => [s.code, s.labels]));
  const competences = new Map(doc.reference.competences.map((c) => [c.id, c.labels]));
  const artefactIds = new Set(doc.artefacts.map((a) => a.id));
  const byId = new Map(doc.artefacts.map((a) => [a.id, a]));
  const byProject = new Map<string, ArtefactDoc[]>();
  for (const a of doc.artefacts) {
    if (!a.projectId) continue;
    const list = byProject.get(a.projectId);
    if (list) list.push(a);
    else byProject.set(a.projectId, [a]);
  }
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  return {
    doc,
    locale,
    t: siteText(locale),
    projects,
    phaseTitle: (projectId, phaseId) => (projectId && phaseId ? (projects.get(projectId)?.phases.find((p) => p.id === phaseId)?.title ?? null) : null),
    goalText: (projectId, goalId) => (projectId ? (projects.get(projectId)?.goals.find((g) => g.id === goalId)?.text ?? null) : null),
    subjectLabel: (code) => subjects.get(code)?.[locale] ?? code,
    competenceLabel: (id) => competences.get(id)?.[locale] ?? id,
    formatDateTime: (iso) => dateTime.format(new Date(iso)),
    formatDate: (isoDate) => date.format(new Date(`${isoDate}T00:00:00Z`)),
    artefactsOf: (projectId) => byProject.get(projectId) ?? [],
    artefact: (id) => byId.get(id),
    bodyHtml: (html) =>
      rewriteInternalLinks(sanitizeRichText(html), (target) => {
        const present = target.kind === 'project' ? projects.has(target.id) : artefactIds.has(target.id);
        if (!present) return null;
        // Pages sit side by side in site/, so a bare file name is the relative link.
        const page = target.kind === 'project' ? SITE_PATHS.project(target.id) : SITE_PATHS.artefact(target.id);
        return { href: page.slice('site/'.length) };
      }),
  };
}
