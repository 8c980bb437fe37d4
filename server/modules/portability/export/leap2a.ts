import path from 'node:path';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type {
  ArtefactDoc,
  FeedbackDoc,
  GuardianCommentDoc,
  MediaDoc,
  PortfolioDocument,
  ProjectDoc,
  ShowcaseDoc,
} from '../../../../shared/portability/portfolio-format.ts';
import { LEAP2A_VERSION, NS, atomEntry, category, leapId, maharaPlugin, tag, textContent, xhtmlContent } from './leap2a-xml.ts';

export { LEAP2A_VERSION, NS, leapId } from './leap2a-xml.ts';

type InFeed = (kind: 'artefact' | 'project', id: string) => boolean;

/**
 * leap2a.xml: a LEAP2A 2010-07 Atom feed laid out as Mahara's importer (22.10+ and older) reads it,
 * and readable by any LEAP2A reader. The learner is a `person` entry (person_type#Self) that the
 * feed author points at, with the name as Mahara builds a profile from it; projects are selections
 * (selection_type#Grouping, Mahara: a journal) with has_part / is_part_of; an artefact with one file
 * is a resource whose title is a file name (Mahara: a file), with several files a resource with an
 * enclosure each (Mahara: a journal post with attachments), with none an entry (a post); its web
 * links are resource_type#Web resources; feedback are Mahara comments (`mahara:artefactplugin`
 * type comment, `leap2:reflects_on` the artefact) that also reply (RFC 4685) to what they answer;
 * competences are abilities that Mahara's résumé plugin claims, and tags on their evidence, as are
 * subjects. What LEAP2A has no words for goes into `polku:data`, which others ignore.
 * test/helpers/mahara-leap-rules.ts holds Mahara's rules that this layout is checked against.
 */
export function buildLeap2a(doc: PortfolioDocument): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.atom, 'feed', {
    'xmlns:rdf': NS.rdf,
    'xmlns:leap2': NS.leap2,
    'xmlns:categories': NS.categories,
    'xmlns:thr': NS.thr,
    'xmlns:mahara': NS.mahara,
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
  const artefactIds = new Set(doc.artefacts.map((a) => a.id));
  const projectIds = new Set(doc.projects.map((p) => p.id));
  const inFeed: InFeed = (kind, id) => (kind === 'artefact' ? artefactIds : projectIds).has(id);

  for (const project of doc.projects) projectEntry(root, project, projectOrder.get(project.id) ?? [], subjects);
  for (const artefact of doc.artefacts) {
    const position = artefact.projectId ? (projectOrder.get(artefact.projectId) ?? []).indexOf(artefact) + 1 : 0;
    artefactEntry(root, doc, artefact, { position, subjects, competences, inFeed });
    artefact.links.forEach((link, i) => linkEntry(root, artefact, link, i));
    for (const f of artefact.feedback) feedbackEntry(root, artefact, f);
    for (const c of artefact.guardianComments ?? []) guardianCommentEntry(root, artefact, c);
  }
  for (const project of doc.projects) goalEntries(root, doc, project);
  for (const showcase of doc.showcases ?? []) showcaseEntry(root, doc, showcase, inFeed);
  for (const [id, label] of competences) {
    const evidence = doc.artefacts.filter((a) => a.competenceIds.includes(id));
    const entry = atomEntry(root, { id: leapId.competence(id), title: label, updated: doc.exportedAt, type: 'ability' });
    textContent(entry, label);
    // Mahara's résumé has one free-text "academic skills" field, no list to put a competence in.
    // Claimed by the résumé plugin (its rule: an ability with mahara:plugin="resume", score 100),
    // the entry is not turned into a journal post by the blog plugin's catch-all; Mahara has the
    // competence as a tag on each piece of evidence instead.
    maharaPlugin(entry, 'resume', 'polku:competence');
    for (const a of evidence) entry.ele(NS.atom, 'link', { rel: 'leap2:has_evidence', href: leapId.uuid(a.id) });
    entry.ele(NS.polku, 'polku:data', { competenceId: id });
  }
  return `${root.end({ prettyPrint: false })}\n`;
}

/**
 * The learner. No content: Mahara would make it the profile's introduction. The name as
 * `legal_given_name` / `legal_family_name`, from which Mahara sets first and last name
 * (LeapImportInternal::get_namefields(); `full_name` alone leaves the profile without a name),
 * each `leap2:field` in both LEAP2A namespace URIs (see NS.leap2Archived).
 */
function personEntry(feed: XMLBuilder, doc: PortfolioDocument): void {
  const entry = atomEntry(feed, { id: leapId.uuid(doc.pupil.id), title: doc.pupil.displayName, updated: doc.exportedAt, type: 'person' });
  entry.ele(NS.atom, 'content', { type: 'text' });
  category(entry, 'person_type', 'Self');
  const name = doc.pupil.displayName.trim().split(/\s+/);
  const family = name.length > 1 ? name.pop() : undefined;
  const fields: Array<[string, string]> = [
    ['full_name', doc.pupil.displayName],
    ['legal_given_name', name.join(' ')],
    ...(family ? [['legal_family_name', family] as [string, string]] : []),
  ];
  for (const [field, value] of fields) {
    entry.ele(NS.leap2, 'leap2:persondata').att(NS.leap2, 'leap2:field', field).att(NS.leap2Archived, 'leap2a:field', field).txt(value);
  }
  entry.ele(NS.polku, 'polku:data', { locale: doc.pupil.locale ?? doc.locale });
}

/** An artefact Mahara imports as a file: exactly one enclosure (LeapImportFile::is_file()). */
function singleFile(a: ArtefactDoc): MediaDoc | null {
  const originals = a.media.filter((m) => !m.removedAt && m.files.original);
  return originals.length === 1 ? (originals[0] ?? null) : null;
}

function projectEntry(feed: XMLBuilder, project: ProjectDoc, artefacts: readonly ArtefactDoc[], subjects: Map<string, string>): void {
  const updated = artefacts[0]?.updatedAt ?? `${project.startsOn ?? '1970-01-01'}T00:00:00Z`;
  const entry = atomEntry(feed, { id: leapId.uuid(project.id), title: project.title, updated, type: 'selection' });
  textContent(entry, project.description);
  category(entry, 'selection_type', 'Grouping');
  for (const code of project.subjectCodes) tag(entry, subjects.get(code) ?? code);
  // Files are members through their own is_part_of only: Mahara's blog plugin requires every
  // has_part of a journal, and skips the whole journal (and with it every post) when one of them
  // was imported first, as files are (score 110 against the journal's 20).
  artefacts.forEach((a, i) => {
    if (!singleFile(a)) entry.ele(NS.atom, 'link', { rel: 'leap2:has_part', href: leapId.uuid(a.id) }).att(NS.leap2, 'leap2:display_order', String(i + 1));
  });
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

/**
 * A file's title as Mahara names the file: a name with its extension (the extension of the
 * uploaded file, else the one the archive gives its type). The pupil's title is kept as the name
 * when there is one, so the work stays recognisable among the pupil's files.
 */
export function fileTitle(title: string, media: MediaDoc): string {
  const stored = media.files.original?.path ?? '';
  const ext = (path.posix.extname(media.originalName ?? '') || path.posix.extname(stored)).toLowerCase();
  const base = title.trim().replaceAll('/', '-') || path.posix.basename(media.originalName ?? '', path.posix.extname(media.originalName ?? '')) || media.id;
  if (!ext || base.toLowerCase().endsWith(ext)) return base;
  return `${base}${ext}`;
}

interface ArtefactContext {
  position: number;
  subjects: Map<string, string>;
  competences: Map<string, string>;
  inFeed: InFeed;
}

function artefactEntry(feed: XMLBuilder, doc: PortfolioDocument, a: ArtefactDoc, ctx: ArtefactContext): void {
  const originals = a.media.filter((m) => !m.removedAt && m.files.original);
  const single = singleFile(a);
  const entry = atomEntry(feed, {
    id: leapId.uuid(a.id),
    title: single ? fileTitle(a.title, single) : a.title,
    updated: a.updatedAt,
    published: a.createdAt,
    type: originals.length > 0 ? 'resource' : 'entry',
  });
  xhtmlContent(entry, a.bodyHtml, ctx.inFeed);
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
    entry.ele(NS.atom, 'link', { rel: 'leap2:is_part_of', href: leapId.uuid(a.projectId) }).att(NS.leap2, 'leap2:display_order', String(ctx.position));
  }
  for (const id of a.competenceIds) entry.ele(NS.atom, 'link', { rel: 'leap2:is_evidence_of', href: leapId.competence(id) });
  for (const code of a.subjectCodes) tag(entry, ctx.subjects.get(code) ?? code);
  for (const id of a.competenceIds) tag(entry, ctx.competences.get(id) ?? id);
  // Free tags as Mahara writes an artefact's tags (export/leap/theme/raw/categories.tpl): a term without a scheme.
  for (const free of a.tags ?? []) tag(entry, free);
  const data = entry.ele(NS.polku, 'polku:data', {
    id: a.id,
    kind: a.kind,
    status: a.status,
    visibility: a.visibility,
    version: String(a.version),
    versions: String(a.versions.length),
    ...(a.phaseId ? { phaseId: a.phaseId } : {}),
    ...(a.readyAt ? { readyAt: a.readyAt } : {}),
    ...(single ? { title: a.title } : {}),
  });
  for (const id of a.goalIds) data.ele(NS.polku, 'polku:goal', { id });
  for (const code of a.subjectCodes) data.ele(NS.polku, 'polku:subject', { code });
  for (const m of a.media) data.ele(NS.polku, 'polku:media', { id: m.id, kind: m.kind, sha256: m.sha256, ...(m.removedAt ? { removedAt: m.removedAt } : {}) });
}

/**
 * One web link of an artefact, `related` to it (Polku's importer folds it back into the artefact's
 * links). The artefact does not link back: Mahara would attach this entry to it as a file.
 */
function linkEntry(feed: XMLBuilder, a: ArtefactDoc, link: { url: string; title?: string | undefined }, index: number): void {
  const entry = atomEntry(feed, { id: leapId.link(a.id, index), title: link.title ?? link.url, updated: a.updatedAt, type: 'resource' });
  textContent(entry, link.url);
  category(entry, 'resource_type', 'Web');
  entry.ele(NS.atom, 'link', { rel: 'alternate', href: link.url });
  entry.ele(NS.atom, 'link', { rel: 'related', href: leapId.uuid(a.id) });
}

/**
 * Issue 10 §8: each learning goal as a `plan` (Mahara's plans plugin claims it: a plan, not a journal
 * post), its success criteria as the text, `leap2:supported_by` the work linked to it; each of the
 * pupil's self-assessments as an `entry` that `leap2:reflects_on` the goal (in Mahara a post of the
 * pupil's own, not a comment: comments there are others' words), its evidence `leap2:supported_by`.
 * Teacher levels have no LEAP2A counterpart and stay in `portfolio.json` (and in `polku:data`).
 */
function goalEntries(feed: XMLBuilder, doc: PortfolioDocument, project: ProjectDoc): void {
  const levelName = (level: number) => {
    const l = project.scale?.levels[level];
    return l ? `${l.icon} ${l.labels[doc.locale]}` : String(level + 1);
  };
  const artefacts = new Set(doc.artefacts.map((a) => a.id));
  for (const goal of project.goals) {
    const assessments = (doc.goalAssessments ?? []).filter((x) => x.goalId === goal.id);
    const updated = assessments.at(-1)?.createdAt ?? `${project.startsOn ?? '1970-01-01'}T00:00:00Z`;
    const entry = atomEntry(feed, { id: leapId.goal(goal.id), title: goal.text, updated, type: 'plan' });
    textContent(entry, (goal.successCriteria ?? []).join('\n'));
    for (const a of doc.artefacts.filter((x) => x.goalIds.includes(goal.id)))
      entry.ele(NS.atom, 'link', { rel: 'leap2:supported_by', href: leapId.uuid(a.id) });
    const data = entry.ele(NS.polku, 'polku:data', { goalId: goal.id, projectId: project.id });
    for (const c of goal.successCriteria ?? []) data.ele(NS.polku, 'polku:criterion').txt(c);
    for (const x of assessments.filter((y) => y.kind === 'teacher'))
      data.ele(NS.polku, 'polku:teacherLevel', { level: String(x.level), createdAt: x.createdAt, ...(x.assessor ? { assessor: x.assessor.displayName } : {}) });
    for (const x of assessments.filter((y) => y.kind === 'self')) {
      const self = atomEntry(feed, {
        id: leapId.assessment(x.id),
        title: `${goal.text}: ${levelName(x.level)}`,
        updated: x.createdAt,
        published: x.createdAt,
        type: 'entry',
      });
      textContent(self, x.reflection ?? levelName(x.level));
      self.ele(NS.atom, 'link', { rel: 'leap2:reflects_on', href: leapId.goal(goal.id) });
      for (const id of x.artefactIds.filter((y) => artefacts.has(y))) self.ele(NS.atom, 'link', { rel: 'leap2:supported_by', href: leapId.uuid(id) });
      self.ele(NS.polku, 'polku:data', { assessmentId: x.id, goalId: goal.id, level: String(x.level), shared: String(x.sharedWithGuardians) });
    }
  }
}

/**
 * A feedback message as Mahara reads a comment (LeapImportComment: an `entry` with
 * `mahara:artefactplugin mahara:type="comment"` and exactly one `leap2:reflects_on`, here always the
 * artefact, as Mahara's comments are not threaded), and as an Atom reply (`thr:in-reply-to` the
 * feedback it answers, else the artefact) for readers that thread.
 */
function feedbackEntry(feed: XMLBuilder, a: ArtefactDoc, f: FeedbackDoc): void {
  const title = f.body.split('\n')[0]?.slice(0, 80) ?? '';
  const entry = atomEntry(feed, { id: leapId.uuid(f.id), title, updated: f.editedAt ?? f.createdAt, published: f.createdAt, type: 'entry' });
  if (f.author) {
    const author = entry.ele(NS.atom, 'author');
    author.ele(NS.atom, 'name').txt(f.author.displayName);
    if (f.author.id && !f.author.imported) author.ele(NS.atom, 'uri').txt(leapId.uuid(f.author.id));
  }
  textContent(entry, f.body);
  maharaPlugin(entry, 'comment', 'comment');
  entry.ele(NS.atom, 'link', { rel: 'leap2:reflects_on', href: leapId.uuid(a.id) });
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
 * Issue 12 §2: a guardian's comment as a comment on the artefact, like feedback (Mahara and other readers
 * take it as one); `polku:data` says it is a guardian's (`kind`, `authorRole`). Reaction counts have no
 * LEAP2A form: they are in portfolio.json only.
 */
function guardianCommentEntry(feed: XMLBuilder, a: ArtefactDoc, c: GuardianCommentDoc): void {
  const title = c.body.split('\n')[0]?.slice(0, 80) ?? '';
  const entry = atomEntry(feed, { id: leapId.uuid(c.id), title, updated: c.createdAt, published: c.createdAt, type: 'entry' });
  if (c.author) {
    const author = entry.ele(NS.atom, 'author');
    author.ele(NS.atom, 'name').txt(c.author.displayName);
    if (c.author.id && !c.author.imported) author.ele(NS.atom, 'uri').txt(leapId.uuid(c.author.id));
  }
  textContent(entry, c.body);
  maharaPlugin(entry, 'comment', 'comment');
  entry.ele(NS.atom, 'link', { rel: 'leap2:reflects_on', href: leapId.uuid(a.id) });
  entry.ele(NS.thr, 'thr:in-reply-to', { ref: leapId.uuid(a.id) });
  entry.ele(NS.polku, 'polku:data', {
    id: c.id,
    artefactId: a.id,
    kind: 'guardianComment',
    authorRole: 'guardian',
    ...(c.author ? { authorImported: String(c.author.imported) } : {}),
  });
}

/**
 * Issue 12 §3: a showcase as a page. Mahara's core importer claims a `selection` of
 * selection_type#Webpage as a page (PluginImportLeap::get_import_strategies_for_entry, score 100 over
 * the blog plugin's 20) and, with no `mahara:view` layout, makes one text box of the entry's content
 * (add_import_entry_request_using_strategy): so the content is the whole page in order (introduction,
 * then each item's heading, a link to the work and the reflection). `leap2:has_part` names the work in
 * the order chosen, for any LEAP2A reader; `polku:data` keeps what LEAP2A has no words for.
 */
function showcaseEntry(feed: XMLBuilder, doc: PortfolioDocument, s: ShowcaseDoc, inFeed: InFeed): void {
  const titles = new Map(doc.artefacts.map((a) => [a.id, a.title]));
  const parts = [s.introHtml];
  for (const item of s.items) {
    const title = item.artefactId ? titles.get(item.artefactId) : undefined;
    const heading = item.heading || title;
    if (heading) parts.push(`<h3>${escapeHtml(heading)}</h3>`);
    if (item.artefactId && title !== undefined) parts.push(`<p><a href="/artefacts/${item.artefactId}">${escapeHtml(title)}</a></p>`);
    if (item.bodyHtml) parts.push(item.bodyHtml);
  }
  const entry = atomEntry(feed, { id: leapId.uuid(s.id), title: s.title, updated: s.updatedAt, published: s.createdAt, type: 'selection' });
  xhtmlContent(entry, parts.filter(Boolean).join('\n'), inFeed);
  category(entry, 'selection_type', 'Webpage');
  let order = 0;
  for (const item of s.items) {
    if (item.artefactId && inFeed('artefact', item.artefactId))
      entry.ele(NS.atom, 'link', { rel: 'leap2:has_part', href: leapId.uuid(item.artefactId) }).att(NS.leap2, 'leap2:display_order', String(++order));
  }
  entry.ele(NS.polku, 'polku:data', {
    showcaseId: s.id,
    visibility: s.visibility,
    items: String(s.items.length),
    ...(s.projectId ? { projectId: s.projectId } : {}),
  });
}

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}
