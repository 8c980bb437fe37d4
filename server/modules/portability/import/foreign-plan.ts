import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Db } from '../../../db/database.ts';
import type { ImportedPerson } from '../../../db/schema.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import { IMPORT_TITLES_EN, importTitle } from '../../../../shared/portability/import-titles.ts';
import type { ImportItem, ImportPlan, PlannedArtefact, PlannedMedia } from './import-plan.ts';
import { firstVersions, importedDraft } from './import-plan.ts';
import type { MediaFiles } from './import-media.ts';
import { sanitizeOffThread } from './parse-pool.ts';

/**
 * What Google Takeout (takeout-plan.ts) and Seesaw (seesaw-plan.ts) have in common: neither names a
 * pupil we could trust nor carries ids of this Polku, so every piece of work becomes a new artefact
 * with an origin (the source and a path or post id), matched only against the target pupil's own
 * artefacts on a second import; comments come from name-only imported people.
 */
export type ForeignFormat = 'takeout' | 'seesaw';
export type ImportFormat = ImportPlan['format'] | ForeignFormat;

/** One piece of work found in the download, before it is checked against what is already there. */
export interface ForeignWork {
  /** Stable within the source: a path inside the archive or the platform's own post id. */
  originId: string;
  title: string | null;
  /** Plain text (captions, descriptions): escaped into paragraphs here, never taken as HTML. */
  text: string;
  links: Array<{ url: string; title?: string }>;
  date: DateReading;
  /** Entry names of the files inside the ZIP, in order. */
  files: string[];
  comments: Array<{ author: string | null; text: string; date: DateReading }>;
}

export type DateReading = { date: Date | null; problem: null | { value: string } | 'missing' };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EARLIEST = Date.UTC(1990, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

/**
 * A date of the download, read strictly: ISO 8601 (a day, or a day and time with an optional zone),
 * or Unix seconds as Takeout writes them. No guessing of day/month orders, no rolling over of
 * 31 February, nothing before 1990 or after 2100; anything else is a problem the report names.
 */
export function readDate(value: string | number | null | undefined): DateReading {
  if (value === null || value === undefined || value === '') return { date: null, problem: 'missing' };
  const text = String(value).trim().slice(0, 64);
  const bad = (): DateReading => ({ date: null, problem: { value: text } });
  let ms: number;
  if (/^\d{9,11}$/.test(text)) ms = Number(text) * 1000;
  else {
    const m = ISO.exec(text);
    if (!m) return bad();
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
    const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return bad();
    if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return bad();
    // Without a zone, UTC: the server's own zone must not change what a download says.
    const zone = m[7] ? m[7].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
    ms = Date.parse(m[4] ? `${text.slice(0, text.length - (m[7]?.length ?? 0)).replace(' ', 'T')}${zone}` : `${text}T00:00:00Z`);
  }
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > LATEST) return bad();
  return { date: new Date(ms), problem: null };
}

/** The reason fields for a date problem, if any. */
export function dateReason(reading: DateReading) {
  if (reading.problem === null) return {};
  return reading.problem === 'missing' ? importReason('date-missing') : importReason('date-unreadable', { value: reading.problem.value });
}

/** The artefacts of this pupil imported before from `source`, by origin id. */
export async function importedBefore(db: Db, pupilId: string | null, source: ForeignFormat): Promise<Set<string>> {
  if (!pupilId) return new Set();
  const rows = await db
    .selectFrom('artefacts')
    .select(['origin'])
    .where('ownerId', '=', pupilId)
    .where('origin', 'is not', null)
    .where('deletedAt', 'is', null)
    .execute();
  return new Set(rows.flatMap((r) => (r.origin?.source === source ? [r.origin.id] : [])));
}

const MAX_TITLE = 200;
const MAX_NAME = 200;

/** A name from the download as an imported person: a name only, never an account. */
function person(name: string | null): ImportedPerson | null {
  const clean = name?.replace(/\s+/g, ' ').trim().slice(0, MAX_NAME);
  return clean ? { id: null, displayName: clean, role: null, imported: true } : null;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Plain text as paragraphs; sanitised afterwards all the same (one rule for every body we store). */
export function textToHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function firstLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 77)}…` : line;
}

/**
 * Builds the plan from the works found (and the lines already written for parts that are not work):
 * each work is one artefact item followed by its files and its comments.
 */
export async function planForeign(o: {
  db: Db;
  files: MediaFiles;
  pupilId: string | null;
  format: ForeignFormat;
  sourceVersion: string;
  pupilName: string | null;
  works: ForeignWork[];
  /** Lines for the parts that are not work (unknown folders, unreadable details …), reported after the work. */
  notes: ImportItem[];
}): Promise<ImportPlan> {
  const before = await importedBefore(o.db, o.pupilId, o.format);
  const items: ImportItem[] = [];
  const artefacts: PlannedArtefact[] = [];
  for (const work of o.works) {
    const title = (work.title?.trim() || firstLine(work.text) || (work.files[0] ? path.posix.basename(work.files[0]) : '')).slice(0, MAX_TITLE);
    const item: ImportItem = { type: 'artefact', sourceId: work.originId, ...(title ? { title } : importTitle('untitled')), action: 'create' };
    items.push(item);
    if (before.has(work.originId)) {
      Object.assign(item, { action: 'skip', ...importReason('imported-before') });
      for (const c of work.comments)
        items.push({ type: 'feedback', sourceId: work.originId, title: firstLine(c.text), action: 'skip', ...importReason('comment-work-imported-before') });
      continue;
    }
    Object.assign(item, dateReason(work.date));
    const artefact: PlannedArtefact = { id: randomUUID(), row: null, versions: [], media: [], feedback: [] };
    for (const entry of work.files) {
      const check = await o.files.inspect(entry);
      const name = path.posix.basename(entry);
      items.push({ type: 'media', sourceId: entry, title: name, action: check.ok ? 'create' : 'unmapped', ...(check.ok ? {} : check.reason) });
      if (!check.ok) continue;
      const media: PlannedMedia = {
        id: randomUUID(),
        position: artefact.media.length,
        createdAt: work.date.date,
        removedAt: null,
        entry,
        originalName: name,
        dims: { width: null, height: null, durationMs: null },
        mode: 'process',
        variants: {},
        item: items.length - 1,
      };
      artefact.media.push(media);
    }
    // A work that is only a file whose file cannot be imported is nothing: said so, not an empty artefact.
    if (work.files.length > 0 && artefact.media.length === 0 && !work.text.trim()) {
      Object.assign(item, { action: 'unmapped', ...importReason('no-usable-file', { count: work.files.length }) });
      for (const c of work.comments)
        items.push({ type: 'feedback', sourceId: work.originId, title: firstLine(c.text), action: 'unmapped', ...importReason('comment-on-unimported') });
      continue;
    }
    for (const c of work.comments) {
      const author = person(c.author);
      const body = c.text.trim().slice(0, 10_000);
      if (!body) {
        items.push({ type: 'feedback', sourceId: work.originId, title: '', action: 'unmapped', ...importReason('comment-empty') });
        continue;
      }
      artefact.feedback.push({ id: randomUUID(), parentId: null, byPupil: false, importedAuthor: author, body, createdAt: c.date.date, editedAt: null });
      items.push({
        type: 'feedback',
        sourceId: work.originId,
        title: firstLine(body),
        action: 'create',
        ...(author ? importReason('feedback-imported', { author: author.displayName }) : importReason('feedback-imported-anonymous')),
      });
    }
    const created = work.date.date;
    artefact.row = {
      ...importedDraft(),
      kind: artefact.media.length > 0 ? null : 'text',
      projectId: null,
      title: title || IMPORT_TITLES_EN.untitled,
      bodyHtml: textToHtml(work.text),
      links: work.links.filter((l) => /^https?:\/\//i.test(l.url)),
      createdAt: created,
      updatedAt: created,
      origin: { source: o.format, id: work.originId },
    };
    artefacts.push(artefact);
  }
  const rows = artefacts.flatMap((a) => (a.row ? [a.row] : []));
  const clean = await sanitizeOffThread(rows.map((r) => r.bodyHtml));
  rows.forEach((r, i) => (r.bodyHtml = clean[i] ?? ''));
  firstVersions(artefacts);
  items.push(...o.notes);
  const named = o.pupilName ? { pupilName: o.pupilName } : { pupilName: importTitle('unknown-learner').title, pupilNameCode: 'unknown-learner' as const };
  return {
    format: o.format,
    sourceVersion: o.sourceVersion,
    ...named,
    items,
    pupil: { id: null, username: null, displayName: named.pupilName, locale: null },
    projects: [],
    artefacts,
  };
}
