import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../../../db/database.ts';
import { sanitizeOffThread } from './parse-pool.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import { importTitle } from '../../../../shared/portability/import-titles.ts';
import type { ImportItem, ImportPlan, PlannedArtefact, PlannedMedia, PlannedProject, PlannedShowcase } from './import-plan.ts';
import { IMPORTED_SHOWCASE_MAX_ITEMS, firstVersions, importedDraft, parseDate } from './import-plan.ts';
import type { MediaFiles } from './import-media.ts';
import { type LeapEntry, type LeapFeed, referenceKeys } from './leap2a-feed.ts';
import { loadReference, matchAbility } from './leap2a-abilities.ts';
import { type Role, decodeHref, fileRefs, plainText, push, resolveFile, rewriteLinks, roleOf, subjectsOf, tagsOf, webAddress } from './leap2a-entries.ts';
import { checklistBody, embeddedRefs, isPlaceholderAuthor, rewriteEmbedded, stripExportPrefix, untitledFor } from './leap2a-mahara-plan.ts';
import { existingOrigins } from './leap2a-origins.ts';
import { showcasesDb } from '../../showcases/showcase-tables.ts';

/** LEAP2A types Polku has no own place for; kept as text so nothing is lost. */
const KNOWN_OTHER = new Set(['plan', 'achievement', 'activity', 'affiliation', 'meeting', 'organization', 'place', 'publication', 'event']);

interface Slot {
  entry: LeapEntry;
  role: Role;
  /** The artefact this entry becomes or already became (an earlier import), if any. */
  artefact: PlannedArtefact | null;
  existingId: string | null;
  item: ImportItem;
}

export interface LeapContext {
  db: Db;
  feed: LeapFeed;
  files: MediaFiles;
  pupilId: string | null;
  schoolId: string | null;
}

/**
 * Maps a LEAP2A feed onto Polku: entries → text artefacts, resources → media or link artefacts,
 * selections that group work → projects, abilities → competences (or subjects) of linked work,
 * comments → imported feedback, the person entry → the pupil's name. Every entry yields one item.
 */
export async function planLeap2a(ctx: LeapContext): Promise<ImportPlan> {
  const { feed } = ctx;
  const source = feed.mahara ? 'leap2a:mahara' : 'leap2a';
  const existing = await existingOrigins(ctx.db, ctx.pupilId, ctx.schoolId, source);
  const reference = await loadReference(ctx.db);
  // What an entry with no title is called once stored; the preview words it in the reader's language.
  const UNTITLED = await untitledFor(ctx.db, ctx.pupilId);
  const slots: Slot[] = feed.entries.map((entry) => ({
    entry,
    role: roleOf(entry, feed),
    artefact: null,
    existingId: null,
    item: { type: 'entry', sourceId: entry.id, ...(entry.title ? { title: entry.title } : importTitle('untitled')), action: 'unmapped' },
  }));
  for (const s of slots) if (s.role === 'polku-goal') Object.assign(s.item, importReason('polku-goal'));
  const byKey = new Map<string, Slot>();
  for (const s of slots) for (const k of s.entry.keys) if (!byKey.has(k)) byKey.set(k, s);
  const find = (keys: readonly string[]) => keys.map((k) => byKey.get(k)).find(Boolean);
  const origin = (e: LeapEntry) => ({ source, id: e.id });
  const linksTo = (s: Slot, rels: readonly string[]) => s.entry.links.filter((l) => rels.includes(l.rel)).flatMap((l) => l.hrefKeys);

  // A plan's tasks are lines of its checklist (Mahara: leap2:plan entries, the task is_part_of its plan).
  const tasksOf = new Map<Slot, Slot[]>();
  const planOf = new Map<Slot, Slot>();
  const isPlan = (s: Slot | undefined): s is Slot => !!s && s.role === 'text' && s.entry.type === 'plan';
  // Either direction: the task is_part_of its plan, or the plan has_part the task (Mahara writes both).
  for (const s of slots.filter(isPlan)) {
    const parent = find(linksTo(s, ['is_part_of']));
    if (isPlan(parent) && parent !== s) planOf.set(s, parent);
    for (const ref of linksTo(s, ['has_part'])) {
      const child = find([ref]);
      if (isPlan(child) && child !== s && !planOf.has(child)) planOf.set(child, s);
    }
  }
  // Two levels only: a plan that is itself someone's task keeps its own entry.
  for (const [task, plan] of [...planOf]) if (planOf.has(plan)) planOf.delete(task);
  for (const [task, plan] of planOf) {
    task.role = 'task';
    push(tasksOf, plan, task);
  }

  // Files attached to or embedded in a post are its media, not entries of their own: Mahara links a
  // post's attachments as `related` (htdocs/export/leap/lib.php add_links) and embeds images as
  // <img rel="leap2:has_part" href="portfolio:artefactN"> (LeapExportOutputFilter).
  const attachedTo = new Map<Slot, Slot>();
  for (const post of slots.filter((x) => x.role === 'text')) {
    const refs = [...linksTo(post, ['has_attachment', 'enclosure']), ...embeddedRefs(post.entry.html).flatMap((r) => referenceKeys(r, feed.ns))];
    const related = feed.mahara ? linksTo(post, ['related']) : [];
    for (const ref of refs) {
      const file = find([ref]);
      if (file?.role === 'resource' && fileRefs(file.entry).length > 0 && !attachedTo.has(file)) attachedTo.set(file, post);
    }
    for (const ref of related) {
      const file = find([ref]);
      if (file?.role === 'resource' && file.entry.mahara?.plugin === 'file' && fileRefs(file.entry).length > 0 && !attachedTo.has(file))
        attachedTo.set(file, post);
    }
  }
  const mediaUrl = new Map<Slot, { url: string; name: string }>();
  const items: ImportItem[] = [];
  const artefacts: PlannedArtefact[] = [];
  const projects: PlannedProject[] = [];
  let pupilName = feed.authorName ?? '';
  let profile: NonNullable<ImportPlan['profile']> = [];
  const slotMedia = new Map<Slot, Array<{ item: ImportItem; media: PlannedMedia | null }>>();
  const folds: Array<{ slot: Slot; owner: Slot; url: string }> = [];
  /** The work a file-less web resource is `related` to, if it is one piece of work's link. */
  const linkOwner = (s: Slot): Slot | undefined => {
    if (fileRefs(s.entry).length > 0 || !webAddress(s.entry)) return undefined;
    const owner = find(s.entry.links.filter((l) => l.rel === 'related').flatMap((l) => l.hrefKeys));
    if (!owner || owner === s || (owner.role !== 'text' && owner.role !== 'resource')) return undefined;
    return owner.role === 'resource' && fileRefs(owner.entry).length === 0 ? undefined : owner;
  };

  /** A slot's files, planned as media of `artefact` (after the media it has), each listed under the slot. */
  const planFiles = async (s: Slot, artefact: PlannedArtefact) => {
    const listed = slotMedia.get(s) ?? [];
    slotMedia.set(s, listed);
    for (const href of fileRefs(s.entry)) {
      const entryName = resolveFile(href, ctx.files);
      const check = await ctx.files.inspect(entryName);
      const base = path.posix.basename(decodeHref(href));
      const name = feed.mahara ? stripExportPrefix(base) : base;
      const mediaItem: ImportItem = {
        type: 'media',
        sourceId: href,
        title: feed.mahara ? name : path.posix.basename(href),
        action: check.ok ? 'create' : 'unmapped',
        ...(check.ok ? {} : check.reason),
      };
      const media: PlannedMedia | null = check.ok
        ? {
            id: randomUUID(),
            position: artefact.media.length,
            createdAt: parseDate(s.entry.published),
            removedAt: null,
            entry: entryName,
            originalName: name,
            dims: { width: null, height: null, durationMs: null },
            mode: 'process',
            variants: {},
            item: -1,
          }
        : null;
      if (media) {
        artefact.media.push(media);
        // Images have a display size; other files are opened as stored.
        const variant = check.ok && check.accepted.kind === 'image' ? 'display' : 'original';
        if (!mediaUrl.has(s)) mediaUrl.set(s, { url: `/api/media/${media.id}/${variant}`, name });
      }
      listed.push({ item: mediaItem, media });
    }
  };
  /** The work an entry a page shows stands for (a plan's task: its plan), when it is work. */
  const shownWork = (page: Slot, w: Slot | undefined): Slot | undefined => {
    const shown = w && (planOf.get(w) ?? w);
    return shown && shown !== page && (shown.role === 'text' || shown.role === 'resource') ? shown : undefined;
  };

  // 1. Work: text entries, resources, pages, unknown types; files attached to a post after the post.
  for (const s of [...slots.filter((x) => !attachedTo.has(x)), ...slots.filter((x) => attachedTo.has(x))]) {
    const e = s.entry;
    if (s.role === 'person') {
      const given = e.person.find((f) => f.field === 'legal_given_name')?.value;
      const family = e.person.find((f) => f.field === 'legal_family_name')?.value;
      pupilName = (given && family ? `${given} ${family}` : e.title) || pupilName;
      if (profile.length === 0) profile = e.person;
      Object.assign(s.item, {
        action: 'skip',
        ...(e.person.length ? importReason('learner-profile', { count: e.person.length }) : importReason('learner-details')),
      });
      continue;
    }
    // Pages become showcases (below), not work of their own.
    if (s.role !== 'text' && s.role !== 'resource') continue;
    s.item.type = 'artefact';
    const owner = s.role === 'resource' ? linkOwner(s) : undefined;
    if (owner) {
      folds.push({ slot: s, owner, url: webAddress(e) ?? '' });
      continue;
    }
    const post = attachedTo.get(s);
    const postArtefact = post?.artefact;
    if (post && (postArtefact || post.existingId)) {
      const title = post.entry.title || UNTITLED;
      if (!postArtefact) {
        Object.assign(s.item, { action: 'skip', ...importReason('imported-before') });
        continue;
      }
      const count = postArtefact.media.length;
      await planFiles(s, postArtefact);
      const added = postArtefact.media.slice(count);
      Object.assign(s.item, { action: added.length ? 'create' : 'unmapped', ...importReason('attachment-of-post', { title }) });
      continue;
    }
    const already = e.id ? existing.artefacts.get(e.id) : undefined;
    if (already) {
      s.existingId = already;
      Object.assign(s.item, { action: 'skip', ...importReason('imported-before') });
      continue;
    }
    const artefact: PlannedArtefact = { id: randomUUID(), row: null, versions: [], media: [], feedback: [] };
    const links: Array<{ url: string; title?: string }> = [];
    let kind: 'text' | 'link' | null = 'text';
    let bodyHtml = e.html;
    if (tasksOf.has(s)) {
      const tasks = tasksOf.get(s) ?? [];
      bodyHtml = checklistBody(
        e,
        tasks.map((t) => t.entry),
        UNTITLED,
      );
      Object.assign(s.item, importReason('plan-with-tasks', { count: tasks.length }));
    } else if (s.role === 'text' && fileRefs(e).length > 0) {
      // A post's own enclosures (files with no entry of their own) are its media.
      await planFiles(s, artefact);
    }
    if (s.role === 'resource') {
      const files = fileRefs(e);
      await planFiles(s, artefact);
      const web = webAddress(e);
      if (files.length > 0 && artefact.media.length === 0) {
        Object.assign(s.item, { action: 'unmapped', ...importReason('no-usable-file', { count: files.length }) });
        continue;
      }
      if (artefact.media.length > 0) kind = null;
      else if (web) {
        kind = 'link';
        links.push({ url: web, ...(e.title ? { title: e.title } : {}) });
      } else Object.assign(s.item, importReason('resource-as-text'));
    } else if (s.item.reasonCode) {
      // Said above (a plan with tasks).
    } else if (KNOWN_OTHER.has(e.type)) Object.assign(s.item, importReason('leap-type-as-text', { type: e.type }));
    else if (e.type !== 'entry') Object.assign(s.item, importReason('unknown-type-as-text', { type: e.type }));
    s.artefact = artefact;
    s.item.action = 'create';
    const created = parseDate(e.published) ?? parseDate(e.updated);
    artefact.row = {
      ...importedDraft(),
      kind,
      projectId: null,
      title: (e.title || UNTITLED).slice(0, 200),
      bodyHtml,
      links,
      // Plain Atom categories are tags; those that name a subject become its code, the rest free tags.
      subjectCodes: subjectsOf(e, reference),
      tags: tagsOf(e, reference),
      createdAt: created,
      updatedAt: parseDate(e.updated) ?? created,
      origin: origin(e),
    };
    artefacts.push(artefact);
  }

  // A web resource that belongs to a piece of work (Polku writes an artefact's links so) is one of its links.
  for (const { slot, owner, url } of folds) {
    const row = owner.artefact?.row;
    if (row) {
      row.links.push({ url, ...(slot.entry.title && slot.entry.title !== url ? { title: slot.entry.title } : {}) });
      Object.assign(slot.item, {
        action: 'create',
        ...(owner.entry.title ? importReason('web-link-added', { title: owner.entry.title }) : importReason('web-link-added', { context: 'untitled' })),
      });
    } else if (owner.existingId) Object.assign(slot.item, { action: 'skip', ...importReason('web-link-imported-before') });
    else Object.assign(slot.item, { action: 'unmapped', ...importReason('web-link-not-imported') });
  }

  // 2. Selections that group work become projects; other groupings are reported.
  const partOf = new Map<Slot, Array<{ slot: Slot; order: number }>>();
  for (const s of slots) {
    for (const l of s.entry.links) {
      const other = find(l.hrefKeys);
      if (!other) continue;
      const order = l.displayOrder ?? Number.MAX_SAFE_INTEGER;
      if (s.role === 'selection' && l.rel === 'has_part') push(partOf, s, { slot: other, order });
      if (other.role === 'selection' && l.rel === 'is_part_of') push(partOf, other, { slot: s, order });
    }
  }
  const assigned = new Set<Slot>();
  const collections: Array<{ slot: Slot; pages: Slot[] }> = [];
  for (const s of slots.filter((x) => x.role === 'selection')) {
    const members = [...new Map((partOf.get(s) ?? []).sort((a, b) => a.order - b.order).map((m) => [m.slot, m])).keys()];
    // A collection of pages (Mahara's, selection_type#Website) is a showcase (below), not a project.
    const pages = members.filter((m) => m.role === 'page');
    if (pages.length > 0) {
      collections.push({ slot: s, pages });
      continue;
    }
    const work = members.filter((m) => m.role === 'text' || m.role === 'resource');
    s.item.type = 'project';
    if (work.length === 0) {
      Object.assign(s.item, {
        action: 'unmapped',
        ...(members.length ? importReason('collection-not-work', { count: members.length }) : importReason('collection-empty')),
      });
      continue;
    }
    const already = s.entry.id ? existing.projects.get(s.entry.id) : undefined;
    const projectId = already ?? randomUUID();
    if (already) Object.assign(s.item, { action: 'skip', ...importReason('imported-before') });
    else {
      Object.assign(s.item, { action: 'create', ...importReason('project-created', { count: work.length }) });
      projects.push({
        id: projectId,
        title: (s.entry.title || UNTITLED).slice(0, 200),
        description: plainText(s.entry.html),
        schoolYear: null,
        startsOn: null,
        endsOn: null,
        subjectCodes: subjectsOf(s.entry, reference),
        competenceIds: [],
        phases: [],
        goals: [],
        importedTeachers: [],
        origin: origin(s.entry),
        createdAt: parseDate(s.entry.published),
      });
    }
    for (const m of work) {
      if (assigned.has(m) || !m.artefact?.row) continue;
      assigned.add(m);
      m.artefact.row.projectId = projectId;
    }
  }

  // 2b. Issue 12 §3: pages become showcases, a collection of pages one showcase holding them page by page.
  const showcases: PlannedShowcase[] = [];
  const showcaseOrigins = await existingShowcaseOrigins(ctx.db, ctx.pupilId, source);
  /** A page's items in reading order: each text block, the work each block shows, then its has_part work; each work once. */
  const pageItems = (page: Slot, seen: Set<string>): PlannedShowcase['items'] => {
    const out: PlannedShowcase['items'] = [];
    const addWork = (w: Slot | undefined) => {
      const shown = shownWork(page, w);
      const id = shown && (shown.artefact?.id ?? shown.existingId);
      if (!id || seen.has(id)) return;
      seen.add(id);
      out.push({ artefactId: id, heading: '', bodyHtml: '' });
    };
    if (page.entry.maharaView) {
      for (const b of page.entry.maharaView) {
        if (b.html.trim()) out.push({ artefactId: null, heading: b.title.slice(0, 200), bodyHtml: b.html });
        for (const r of b.refs) addWork(find(referenceKeys(r, feed.ns)));
      }
    } else if (page.entry.html.trim()) out.push({ artefactId: null, heading: '', bodyHtml: page.entry.html });
    const parts = page.entry.links.filter((l) => l.rel === 'has_part').sort((a, b) => (a.displayOrder ?? Infinity) - (b.displayOrder ?? Infinity));
    for (const l of parts) addWork(find(l.hrefKeys));
    return out;
  };
  const planShowcase = (s: Slot, items: PlannedShowcase['items'], intro: string) => {
    s.item.type = 'showcase';
    const already = s.entry.id ? showcaseOrigins.has(s.entry.id) : false;
    if (already) {
      Object.assign(s.item, { action: 'skip', ...importReason('imported-before') });
      return false;
    }
    const created = parseDate(s.entry.published) ?? parseDate(s.entry.updated);
    showcases.push({
      id: randomUUID(),
      title: (s.entry.title || UNTITLED).slice(0, 200),
      introHtml: intro,
      projectId: null,
      origin: origin(s.entry),
      createdAt: created,
      updatedAt: parseDate(s.entry.updated) ?? created,
      items: items.slice(0, IMPORTED_SHOWCASE_MAX_ITEMS),
    });
    return true;
  };
  const inCollection = new Set<Slot>();
  for (const { slot, pages } of collections) {
    const seen = new Set<string>();
    const items = pages.flatMap((page) => {
      const head =
        page.entry.title || page.entry.summaryHtml
          ? [{ artefactId: null, heading: (page.entry.title || UNTITLED).slice(0, 200), bodyHtml: page.entry.summaryHtml }]
          : [];
      return [...head, ...pageItems(page, seen)];
    });
    const created = planShowcase(slot, items, slot.entry.summaryHtml || slot.entry.html);
    if (created) Object.assign(slot.item, { action: 'create', ...importReason('collection-as-showcase', { count: pages.length }) });
    for (const page of pages) {
      inCollection.add(page);
      page.item.type = 'showcase';
      Object.assign(page.item, { action: slot.item.action, ...importReason('page-in-collection', { title: slot.entry.title || UNTITLED }) });
    }
  }
  for (const page of slots.filter((x) => x.role === 'page' && !inCollection.has(x))) {
    const items = pageItems(page, new Set());
    if (planShowcase(page, items, page.entry.summaryHtml))
      Object.assign(page.item, { action: 'create', ...importReason('page-as-showcase', { count: items.length }) });
  }

  // 3. Abilities: competences or subjects of the linked work, else kept as text.
  const linked = (s: Slot) => {
    const out = new Set<Slot>();
    for (const l of s.entry.links) {
      const o = find(l.hrefKeys);
      if (o && (o.role === 'text' || o.role === 'resource')) out.add(o);
    }
    for (const o of slots)
      if ((o.role === 'text' || o.role === 'resource') && o.entry.links.some((l) => s.entry.keys.some((k) => l.hrefKeys.includes(k)))) out.add(o);
    return [...out];
  };
  for (const s of slots.filter((x) => x.role === 'ability')) {
    const match = matchAbility(s.entry.title, s.entry.id, reference);
    const work = linked(s);
    const fresh = work.filter((w) => w.artefact?.row);
    if (match) {
      for (const w of fresh) {
        const row = w.artefact?.row;
        if (!row) continue;
        const list = match.kind === 'competence' ? row.competenceIds : row.subjectCodes;
        if (!list.includes(match.id)) list.push(match.id);
      }
      const label = match.label;
      const competence = match.kind === 'competence';
      if (fresh.length)
        Object.assign(s.item, { action: 'create', ...importReason(competence ? 'competence-assigned' : 'subject-assigned', { label, count: fresh.length }) });
      else if (work.length)
        Object.assign(s.item, { action: 'skip', ...importReason(competence ? 'competence-work-imported-before' : 'subject-work-imported-before', { label }) });
      else Object.assign(s.item, { action: 'unmapped', ...importReason(competence ? 'competence-no-work' : 'subject-no-work', { label }) });
      continue;
    }
    const already = s.entry.id ? existing.artefacts.get(s.entry.id) : undefined;
    s.item.type = 'artefact';
    if (already) {
      s.existingId = already;
      Object.assign(s.item, { action: 'skip', ...importReason('imported-before') });
      continue;
    }
    const artefact: PlannedArtefact = { id: randomUUID(), row: null, versions: [], media: [], feedback: [] };
    const created = parseDate(s.entry.published) ?? parseDate(s.entry.updated);
    artefact.row = {
      ...importedDraft(),
      kind: 'text',
      projectId: null,
      title: (s.entry.title || UNTITLED).slice(0, 200),
      bodyHtml: s.entry.html,
      links: [],
      tags: tagsOf(s.entry, reference),
      createdAt: created,
      updatedAt: created,
      origin: origin(s.entry),
    };
    s.artefact = artefact;
    artefacts.push(artefact);
    Object.assign(s.item, { action: 'create', ...importReason('ability-as-text') });
  }

  // 4. Comments become feedback on the work they answer (replies keep their thread).
  const feedbackIds = new Map<Slot, string>();
  const rootOf = (s: Slot, depth = 0): { root: Slot | null; parent: Slot | null } => {
    const target = find(s.entry.inReplyTo) ?? find(s.entry.links.filter((l) => l.rel === 'reflects_on').flatMap((l) => l.hrefKeys));
    if (!target || depth > 50) return { root: null, parent: null };
    if (target.role === 'comment') return { root: rootOf(target, depth + 1).root, parent: target };
    // A comment on a task is feedback on the plan whose checklist holds it.
    return { root: planOf.get(target) ?? target, parent: null };
  };
  for (const s of slots.filter((x) => x.role === 'comment')) {
    s.item.type = 'feedback';
    const { root, parent } = rootOf(s);
    const body = plainText(s.entry.html);
    if (!root || (!root.artefact && !root.existingId)) {
      Object.assign(s.item, { action: 'unmapped', ...importReason(root ? 'comment-on-unimported' : 'comment-target-missing') });
      continue;
    }
    if (!root.artefact) {
      Object.assign(s.item, { action: 'skip', ...importReason('comment-work-imported-before') });
      continue;
    }
    if (!body) {
      Object.assign(s.item, { action: 'unmapped', ...importReason('comment-empty') });
      continue;
    }
    const id = randomUUID();
    feedbackIds.set(s, id);
    const parentId = parent ? (feedbackIds.get(parent) ?? null) : null;
    // Mahara names every comment's author "Imported feedback": an unknown author, whom the reader's
    // client names in their language (an empty name), never the pupil.
    const author = isPlaceholderAuthor(s.entry.authorName) ? null : s.entry.authorName;
    root.artefact.feedback.push({
      id,
      parentId,
      byPupil: false,
      importedAuthor: { id: null, displayName: author ?? '', role: null, imported: true },
      body,
      createdAt: parseDate(s.entry.published) ?? parseDate(s.entry.updated),
      editedAt: null,
    });
    Object.assign(s.item, {
      action: 'create',
      ...(author ? importReason('feedback-imported', { author }) : importReason('feedback-imported-anonymous')),
    });
  }

  // Tasks are lines of their plan's checklist: created or skipped with it.
  for (const [task, plan] of planOf) {
    task.item.type = 'artefact';
    task.existingId = plan.existingId;
    const action = plan.artefact ? 'create' : plan.existingId ? 'skip' : 'unmapped';
    Object.assign(task.item, { action, ...importReason('task-in-plan', { title: plan.entry.title || UNTITLED }) });
  }

  // 5. Links between entries and to files point to the imported work; then sanitise.
  const urlFor = new Map<string, string>();
  for (const s of slots) {
    const id = s.artefact?.id ?? s.existingId;
    if (id) for (const k of s.entry.keys) urlFor.set(k, `/artefacts/${id}`);
    if (id && s.role === 'resource') for (const f of fileRefs(s.entry)) urlFor.set(f, `/artefacts/${id}`);
    // Files that became a post's media: links to them open the stored file.
    const media = attachedTo.has(s) ? mediaUrl.get(s) : undefined;
    if (media) for (const k of [...s.entry.keys, ...fileRefs(s.entry)]) urlFor.set(k, media.url);
    const plan = planOf.get(s);
    const planId = plan && (plan.artefact?.id ?? plan.existingId);
    if (planId) for (const k of s.entry.keys) urlFor.set(k, `/artefacts/${planId}`);
  }
  const mediaByKey = new Map<string, { url: string; name: string }>();
  for (const [s, media] of mediaUrl) for (const k of [...s.entry.keys, ...fileRefs(s.entry)]) mediaByKey.set(k, media);
  const mediaFor = (ref: string) =>
    referenceKeys(ref, feed.ns)
      .map((k) => mediaByKey.get(k))
      .find(Boolean);
  for (const p of projects)
    for (const s of slots) if (s.role === 'selection' && s.entry.id === p.origin?.id) for (const k of s.entry.keys) urlFor.set(k, `/projects/${p.id}`);
  // Every stored text (work, and a showcase's introduction and items), its links pointed at the import, then sanitised.
  const texts: Array<{ html: string; set(html: string): void }> = [
    ...artefacts.flatMap((a) => (a.row ? [a.row] : [])).map((row) => ({ html: row.bodyHtml, set: (html: string) => void (row.bodyHtml = html) })),
    ...showcases.flatMap((x) => [
      { html: x.introHtml, set: (html: string) => void (x.introHtml = html) },
      ...x.items.map((item) => ({ html: item.bodyHtml, set: (html: string) => void (item.bodyHtml = html) })),
    ]),
  ];
  const clean = await sanitizeOffThread(texts.map((t) => rewriteLinks(rewriteEmbedded(t.html, mediaFor), urlFor, feed.ns)));
  texts.forEach((t, i) => t.set(clean[i] ?? ''));
  firstVersions(artefacts);

  // Items in feed order, each resource followed by its files.
  for (const s of slots) {
    items.push(s.item);
    for (const m of slotMedia.get(s) ?? []) {
      if (m.media) m.media.item = items.length;
      items.push(m.item);
    }
  }
  const named = pupilName ? { pupilName } : { pupilName: importTitle('unknown-learner').title, pupilNameCode: 'unknown-learner' as const };
  return {
    format: 'leap2a',
    sourceVersion: feed.version,
    ...named,
    items,
    pupil: { id: null, username: null, displayName: named.pupilName, locale: null },
    projects,
    artefacts,
    showcases,
    ...(profile.length ? { profile } : {}),
  };
}

/** Origin ids of the target pupil's showcases from this source: a page imported before is not made again. */
async function existingShowcaseOrigins(db: Db, pupilId: string | null, source: string): Promise<Set<string>> {
  if (!pupilId) return new Set();
  const rows = await showcasesDb(db).selectFrom('showcases').select('origin').where('ownerId', '=', pupilId).where('origin', 'is not', null).execute();
  return new Set(rows.flatMap((r) => (r.origin?.source === source ? [r.origin.id] : [])));
}
