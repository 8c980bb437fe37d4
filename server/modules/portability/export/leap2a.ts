import { SaxesParser } from 'saxes';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { ArtefactDoc, FeedbackDoc, PortfolioDocument, ProjectDoc } from '../../../../shared/portability/portfolio-format.ts';
import { sanitizeRichText } from '../../artefacts/sanitize.ts';

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  leap2: 'http://terms.leapspecs.org/',
  categories: 'http://wiki.leapspecs.org/2A/categories/',
  thr: 'http://purl.org/syndication/thread/1.0',
  xhtml: 'http://www.w3.org/1999/xhtml',
  polku: 'https://polku.fi/ns/leap2a-extension/1',
} as const;
export const LEAP2A_VERSION = 'http://www.leapspecs.org/2010-07/2A/';

/** Atom ids: Polku's stable UUIDs as URNs, so a second export names every entry the same. */
export const leapId = {
  uuid: (id: string) => `urn:uuid:${id}`,
  competence: (id: string) => `urn:polku:competence:${encodeURIComponent(id)}`,
  link: (artefactId: string, index: number) => `urn:polku:link:${artefactId}:${index}`,
};

/**
 * leap2a.xml: a LEAP2A 2010-07 Atom feed laid out as Mahara's importer reads it. The learner is a
 * `person` entry (person_type#Self) that the feed author points at; projects are selections
 * (selection_type#Grouping) with has_part / is_part_of both ways; artefacts are entries, or
 * resources (resource_type#Offline) with one enclosure per original media file; their links are
 * resource_type#Web resources; competences are abilities the artefacts are evidence of; feedback
 * are entries replying (RFC 4685) to the artefact or to the feedback they answer; subjects are
 * categories (tags). What LEAP2A has no words for goes into `polku:data`, which others ignore.
 */
export function buildLeap2a(doc: PortfolioDocument): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.atom, 'feed', {
    'xmlns:rdf': NS.rdf,
    'xmlns:leap2': NS.leap2,
    'xmlns:categories': NS.categories,
    'xmlns:thr': NS.thr,
    'xmlns:polku': NS.polku,
  });
  root.ele(NS.leap2, 'leap2:version').txt(LEAP2A_VERSION);
  root.ele(NS.atom, 'id').txt(`urn:polku:export:${doc.pupil.id}:${doc.exportedAt}`);
  root.ele(NS.atom, 'title').txt(`Polku: ${doc.pupil.displayName}`);
  root.ele(NS.atom, 'updated').txt(doc.exportedAt);
  root.ele(NS.atom, 'generator', { uri: 'https://polku.fi/', version: doc.generator.version }).txt(doc.generator.name);
  const author = root.ele(NS.atom, 'author');
  author.ele(NS.atom, 'name').txt(doc.pupil.displayName);
  author.ele(NS.atom, 'uri').txt(leapId.uuid(doc.pupil.id));

  personEntry(root, doc);
  const subjects = new Map(doc.reference.subjects.map((s) => [s.code, s.labels[doc.locale] ?? s.code]));
  const competences = new Map(doc.reference.competences.map((c) => [c.id, c.labels[doc.locale] ?? c.id]));
  const projectOrder = new Map<string, ArtefactDoc[]>();
  for (const a of doc.artefacts) if (a.projectId) projectOrder.set(a.projectId, [...(projectOrder.get(a.projectId) ?? []), a]);

  for (const project of doc.projects) projectEntry(root, project, projectOrder.get(project.id) ?? [], subjects);
  for (const artefact of doc.artefacts) {
    const position = artefact.projectId ? (projectOrder.get(artefact.projectId) ?? []).indexOf(artefact) + 1 : 0;
    artefactEntry(root, doc, artefact, position, subjects);
    artefact.links.forEach((link, i) => linkEntry(root, artefact, link, i));
    for (const f of artefact.feedback) feedbackEntry(root, artefact, f);
  }
  for (const [id, label] of competences) {
    const evidence = doc.artefacts.filter((a) => a.competenceIds.includes(id));
    const entry = atomEntry(root, { id: leapId.competence(id), title: label, updated: doc.exportedAt, type: 'ability' });
    textContent(entry, label);
    for (const a of evidence) entry.ele(NS.atom, 'link', { rel: 'leap2:has_evidence', href: leapId.uuid(a.id) });
    entry.ele(NS.polku, 'polku:data', { competenceId: id });
  }
  return `${root.end({ prettyPrint: false })}\n`;
}

function atomEntry(feed: XMLBuilder, e: { id: string; title: string; updated: string; published?: string; type: string }): XMLBuilder {
  const entry = feed.ele(NS.atom, 'entry');
  entry.ele(NS.atom, 'id').txt(e.id);
  entry.ele(NS.atom, 'title').txt(e.title || '–');
  entry.ele(NS.atom, 'updated').txt(e.updated);
  if (e.published) entry.ele(NS.atom, 'published').txt(e.published);
  entry.ele(NS.rdf, 'rdf:type').att(NS.rdf, 'rdf:resource', `leap2:${e.type}`);
  return entry;
}

function category(entry: XMLBuilder, scheme: string, term: string): void {
  entry.ele(NS.atom, 'category', { scheme: `${NS.categories}${scheme}#`, term });
}

function textContent(entry: XMLBuilder, text: string): void {
  entry.ele(NS.atom, 'content', { type: 'text' }).txt(text);
}

function personEntry(feed: XMLBuilder, doc: PortfolioDocument): void {
  const entry = atomEntry(feed, { id: leapId.uuid(doc.pupil.id), title: doc.pupil.displayName, updated: doc.exportedAt, type: 'person' });
  textContent(entry, doc.pupil.displayName);
  category(entry, 'person_type', 'Self');
  entry.ele(NS.leap2, 'leap2:persondata').att(NS.leap2, 'leap2:field', 'full_name').txt(doc.pupil.displayName);
  entry.ele(NS.polku, 'polku:data', { locale: doc.pupil.locale ?? doc.locale });
}

function projectEntry(feed: XMLBuilder, project: ProjectDoc, artefacts: readonly ArtefactDoc[], subjects: Map<string, string>): void {
  const updated = artefacts[0]?.updatedAt ?? `${project.startsOn ?? '1970-01-01'}T00:00:00Z`;
  const entry = atomEntry(feed, { id: leapId.uuid(project.id), title: project.title, updated, type: 'selection' });
  textContent(entry, project.description);
  category(entry, 'selection_type', 'Grouping');
  for (const code of project.subjectCodes) entry.ele(NS.atom, 'category', { term: subjects.get(code) ?? code });
  artefacts.forEach((a, i) =>
    entry.ele(NS.atom, 'link', { rel: 'leap2:has_part', href: leapId.uuid(a.id) }).att(NS.leap2, 'leap2:display_order', String(i + 1)),
  );
  const data = entry.ele(NS.polku, 'polku:data', {
    id: project.id,
    ...(project.schoolYear ? { schoolYear: project.schoolYear } : {}),
    ...(project.startsOn ? { startsOn: project.startsOn } : {}),
    ...(project.endsOn ? { endsOn: project.endsOn } : {}),
  });
  project.phases.forEach((p, i) => data.ele(NS.polku, 'polku:phase', { id: p.id, position: String(i) }).txt(p.title));
  project.goals.forEach((g, i) => data.ele(NS.polku, 'polku:goal', { id: g.id, position: String(i) }).txt(g.text));
  for (const code of project.subjectCodes) data.ele(NS.polku, 'polku:subject', { code });
  for (const id of project.competenceIds) data.ele(NS.polku, 'polku:competence', { id });
  for (const t of project.teachers)
    data
      .ele(NS.polku, 'polku:teacher', { ...(t.id ? { id: t.id } : {}), ...(t.role ? { role: t.role } : {}), imported: String(t.imported) })
      .txt(t.displayName);
}

function artefactEntry(feed: XMLBuilder, doc: PortfolioDocument, a: ArtefactDoc, position: number, subjects: Map<string, string>): void {
  const originals = a.media.filter((m) => !m.removedAt && m.files.original);
  const entry = atomEntry(feed, {
    id: leapId.uuid(a.id),
    title: a.title,
    updated: a.updatedAt,
    published: a.createdAt,
    type: originals.length > 0 ? 'resource' : 'entry',
  });
  xhtmlContent(entry, a.bodyHtml);
  if (originals.length > 0) category(entry, 'resource_type', 'Offline');
  for (const m of originals) {
    const file = m.files.original;
    if (file)
      entry.ele(NS.atom, 'link', {
        rel: 'enclosure',
        href: file.path,
        type: file.mime,
        length: String(file.size),
        ...(m.originalName ? { title: m.originalName } : {}),
      });
  }
  if (a.projectId && doc.projects.some((p) => p.id === a.projectId)) {
    entry.ele(NS.atom, 'link', { rel: 'leap2:is_part_of', href: leapId.uuid(a.projectId) }).att(NS.leap2, 'leap2:display_order', String(position));
  }
  a.links.forEach((_, i) => entry.ele(NS.atom, 'link', { rel: 'related', href: leapId.link(a.id, i) }));
  for (const id of a.competenceIds) entry.ele(NS.atom, 'link', { rel: 'leap2:is_evidence_of', href: leapId.competence(id) });
  for (const code of a.subjectCodes) entry.ele(NS.atom, 'category', { term: subjects.get(code) ?? code });
  // Free tags as Mahara writes an artefact's tags (export/leap/theme/raw/categories.tpl): a term without a scheme.
  for (const tag of a.tags ?? []) entry.ele(NS.atom, 'category', { term: tag });
  const data = entry.ele(NS.polku, 'polku:data', {
    id: a.id,
    kind: a.kind,
    status: a.status,
    visibility: a.visibility,
    version: String(a.version),
    versions: String(a.versions.length),
    ...(a.phaseId ? { phaseId: a.phaseId } : {}),
    ...(a.readyAt ? { readyAt: a.readyAt } : {}),
  });
  for (const id of a.goalIds) data.ele(NS.polku, 'polku:goal', { id });
  for (const code of a.subjectCodes) data.ele(NS.polku, 'polku:subject', { code });
  for (const m of a.media) data.ele(NS.polku, 'polku:media', { id: m.id, kind: m.kind, sha256: m.sha256, ...(m.removedAt ? { removedAt: m.removedAt } : {}) });
}

function linkEntry(feed: XMLBuilder, a: ArtefactDoc, link: { url: string; title?: string | undefined }, index: number): void {
  const entry = atomEntry(feed, { id: leapId.link(a.id, index), title: link.title ?? link.url, updated: a.updatedAt, type: 'resource' });
  textContent(entry, link.url);
  category(entry, 'resource_type', 'Web');
  entry.ele(NS.atom, 'link', { rel: 'alternate', href: link.url });
  entry.ele(NS.atom, 'link', { rel: 'related', href: leapId.uuid(a.id) });
}

function feedbackEntry(feed: XMLBuilder, a: ArtefactDoc, f: FeedbackDoc): void {
  const title = f.body.split('\n')[0]?.slice(0, 80) ?? '';
  const entry = atomEntry(feed, { id: leapId.uuid(f.id), title, updated: f.editedAt ?? f.createdAt, published: f.createdAt, type: 'entry' });
  if (f.author) {
    const author = entry.ele(NS.atom, 'author');
    author.ele(NS.atom, 'name').txt(f.author.displayName);
    if (f.author.id && !f.author.imported) author.ele(NS.atom, 'uri').txt(leapId.uuid(f.author.id));
  }
  textContent(entry, f.body);
  const parent = f.parentId && a.feedback.some((p) => p.id === f.parentId) ? f.parentId : a.id;
  entry.ele(NS.thr, 'thr:in-reply-to', { ref: leapId.uuid(parent) });
  entry.ele(NS.polku, 'polku:data', {
    id: f.id,
    artefactId: a.id,
    ...(f.parentId ? { parentId: f.parentId } : {}),
    ...(f.author?.role ? { authorRole: f.author.role } : {}),
    ...(f.author ? { authorImported: String(f.author.imported) } : {}),
  });
}

/**
 * Body HTML as XHTML inside a div. The sanitiser's output is XML-shaped (void tags self-closed,
 * entities decoded); a strict parser checks that, and copies it node by node into the feed.
 * Anything it cannot read goes in as escaped HTML (`type="html"`) instead.
 */
function xhtmlContent(entry: XMLBuilder, html: string): void {
  const clean = sanitizeRichText(html);
  const content = entry.ele(NS.atom, 'content', { type: 'xhtml' });
  const div = content.ele(NS.xhtml, 'div');
  try {
    copyXhtml(clean, div);
  } catch {
    content.remove();
    entry.ele(NS.atom, 'content', { type: 'html' }).txt(clean);
  }
}

function copyXhtml(markup: string, into: XMLBuilder): void {
  const parser = new SaxesParser({ xmlns: false, fragment: true });
  const stack: XMLBuilder[] = [into];
  const top = () => stack[stack.length - 1] ?? into;
  parser.on('opentag', (tag) => {
    stack.push(top().ele(NS.xhtml, tag.name, { ...tag.attributes }));
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (text) => void top().txt(text));
  parser.on('error', (err) => {
    throw err;
  });
  parser.write(markup).close();
}
