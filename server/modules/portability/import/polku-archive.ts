import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/database.ts';
import { sanitizeRichText } from '../../artefacts/sanitize.ts';
import { projectFields } from '../../projects/projects.repo.ts';
import {
  ARCHIVE_PATHS,
  type PersonRef,
  type PortfolioDocument,
  PORTFOLIO_FORMAT_VERSION,
  portfolioDocumentSchema,
} from '../../../../shared/portability/portfolio-format.ts';
import type { ImportedPerson } from '../../../db/schema.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import { importTitle } from '../../../../shared/portability/import-titles.ts';
import { ImportRejected } from './import-rejected.ts';
import type { ImportItem, ImportPlan, PlannedArtefact, PlannedMedia, PlannedProject } from './import-plan.ts';
import { parseDate } from './import-plan.ts';
import type { MediaFiles } from './import-media.ts';
import { PUPIL } from './import-writer.ts';
import type { SafeZip } from './safe-zip.ts';

/** portfolio.json parsed and checked against the schema; a failure names the field. */
export async function readDocument(zip: SafeZip, maxBytes: number): Promise<PortfolioDocument> {
  const bytes = await zip.readBuffer(
    ARCHIVE_PATHS.document,
    maxBytes,
    () => new ImportRejected('too-large', { context: 'file', file: ARCHIVE_PATHS.document, max: maxBytes }),
  );
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    if (err instanceof TypeError) throw new ImportRejected('invalid-utf8', { file: ARCHIVE_PATHS.document });
    throw new ImportRejected('invalid-document', {}, err instanceof Error ? err.message : undefined);
  }
  if (typeof json === 'object' && json !== null && 'version' in json && json.version !== PORTFOLIO_FORMAT_VERSION) {
    throw new ImportRejected('invalid-document', { context: 'version', version: String(json.version), expected: PORTFOLIO_FORMAT_VERSION });
  }
  const parsed = portfolioDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : '';
    throw new ImportRejected('invalid-document', { context: 'schema', field: where || '(root)' }, issue?.message);
  }
  return parsed.data;
}

const MANIFEST_MAX_BYTES = 16 * 1024 * 1024;

/** Every line of SHA256SUMS checked against its file (media are hashed as they are extracted). */
export async function verifyManifest(zip: SafeZip, doc: PortfolioDocument): Promise<void> {
  if (!zip.has(ARCHIVE_PATHS.manifest)) throw new ImportRejected('missing-file', { context: 'manifest' });
  const text = new TextDecoder('utf-8').decode(
    await zip.readBuffer(
      ARCHIVE_PATHS.manifest,
      MANIFEST_MAX_BYTES,
      () => new ImportRejected('too-large', { context: 'file', file: ARCHIVE_PATHS.manifest, max: MANIFEST_MAX_BYTES }),
    ),
  );
  const listed = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trimEnd());
    if (m?.[1] && m[2]) listed.set(m[2], m[1]);
  }
  const media = new Map<string, string>();
  for (const a of doc.artefacts) for (const m of a.media) for (const f of Object.values(m.files)) if (f) media.set(f.path, f.sha256);
  for (const [file, sha] of media) {
    if (listed.get(file) !== sha) throw new ImportRejected('checksum-mismatch', { file }, 'SHA256SUMS and portfolio.json disagree');
  }
  for (const [file, sha] of listed) {
    if (media.has(file)) continue; // hashed when extracted, see planPolku
    if (!zip.has(file)) throw new ImportRejected('missing-file', { context: 'listed', file });
    if ((await zip.digest(file)).sha256 !== sha) throw new ImportRejected('checksum-mismatch', { file });
  }
}

interface Known {
  artefacts: Map<string, string>;
  media: Map<string, string>;
  mediaHashes: Map<string, Set<string>>;
  feedback: Set<string>;
  projects: Set<string>;
  phases: Set<string>;
  goals: Set<string>;
  users: Set<string>;
}

async function lookUp(db: Db, doc: PortfolioDocument): Promise<Known> {
  const ids = <T>(list: T[]) => (list.length ? list : ['00000000-0000-0000-0000-000000000000']);
  const artefactIds = doc.artefacts.map((a) => a.id);
  const mediaIds = doc.artefacts.flatMap((a) => a.media.map((m) => m.id));
  const feedbackIds = doc.artefacts.flatMap((a) => a.feedback.map((f) => f.id));
  const people = [
    ...doc.projects.flatMap((p) => p.teachers),
    ...doc.artefacts.flatMap((a) => [...a.feedback.map((f) => f.author), ...a.versions.map((v) => v.author)]),
  ];
  const userIds = [...new Set(people.flatMap((p) => (p?.id ? [p.id] : [])))];
  const [artefacts, media, feedback, projects, phases, goals, users] = await Promise.all([
    db.selectFrom('artefacts').select(['id', 'ownerId']).where('id', 'in', ids(artefactIds)).execute(),
    db
      .selectFrom('mediaItems')
      .select(['id', 'artefactId', 'sha256'])
      .where((eb) => eb.or([eb('id', 'in', ids(mediaIds)), eb('artefactId', 'in', ids(artefactIds))]))
      .execute(),
    db.selectFrom('feedback').select('id').where('id', 'in', ids(feedbackIds)).execute(),
    db
      .selectFrom('projects')
      .select('id')
      .where('id', 'in', ids(doc.projects.map((p) => p.id)))
      .execute(),
    db
      .selectFrom('projectPhases')
      .select('id')
      .where('id', 'in', ids(doc.projects.flatMap((p) => p.phases.map((x) => x.id))))
      .execute(),
    db
      .selectFrom('projectGoals')
      .select('id')
      .where('id', 'in', ids(doc.projects.flatMap((p) => p.goals.map((x) => x.id))))
      .execute(),
    db.selectFrom('users').select('id').where('id', 'in', ids(userIds)).execute(),
  ]);
  const mediaHashes = new Map<string, Set<string>>();
  for (const m of media) {
    const set = mediaHashes.get(m.artefactId) ?? new Set<string>();
    set.add(m.sha256);
    mediaHashes.set(m.artefactId, set);
  }
  return {
    artefacts: new Map(artefacts.map((a) => [a.id, a.ownerId])),
    media: new Map(media.map((m) => [m.id, m.artefactId])),
    mediaHashes,
    feedback: new Set(feedback.map((f) => f.id)),
    projects: new Set(projects.map((p) => p.id)),
    phases: new Set(phases.map((p) => p.id)),
    goals: new Set(goals.map((g) => g.id)),
    users: new Set(users.map((u) => u.id)),
  };
}

/**
 * Plans a Polku archive. Merge rule: what is already here by stable id (media also by content hash
 * within the artefact) is skipped; an id that belongs to someone else gets a fresh id and the item is
 * created, with the reason said. Authors and teachers who have an account here are linked by id,
 * others are kept by name.
 */
export async function planPolku(db: Db, doc: PortfolioDocument, files: MediaFiles, pupilId: string | null): Promise<ImportPlan> {
  const known = await lookUp(db, doc);
  const items: ImportItem[] = [];
  const projects: PlannedProject[] = [];
  const projectIds = new Map<string, string>();
  const phaseIds = new Map<string, string>();
  const goalIds = new Map<string, string>();
  const fresh = (id: string, taken: boolean, map: Map<string, string>) => {
    const next = taken ? randomUUID() : id;
    map.set(id, next);
    return next;
  };
  const person = (ref: PersonRef | null): { authorId: string | null; importedAuthor: ImportedPerson | null } => {
    if (!ref) return { authorId: null, importedAuthor: null };
    if (ref.id && ref.id === doc.pupil.id && !ref.imported) return { authorId: PUPIL, importedAuthor: null };
    if (ref.id && !ref.imported && known.users.has(ref.id)) return { authorId: ref.id, importedAuthor: null };
    return { authorId: null, importedAuthor: { id: ref.id, displayName: ref.displayName, role: ref.role, imported: ref.imported } };
  };

  for (const p of doc.projects) {
    if (known.projects.has(p.id)) {
      projectIds.set(p.id, p.id);
      for (const x of p.phases) phaseIds.set(x.id, x.id);
      for (const x of p.goals) goalIds.set(x.id, x.id);
      items.push({ type: 'project', sourceId: p.id, title: p.title, action: 'skip', ...importReason('project-exists') });
      continue;
    }
    projectIds.set(p.id, p.id);
    const teachers = p.teachers.map(person);
    projects.push({
      id: p.id,
      ...projectFields(p),
      phases: p.phases.map((x) => ({ id: fresh(x.id, known.phases.has(x.id), phaseIds), title: x.title })),
      goals: p.goals.map((x) => ({ id: fresh(x.id, known.goals.has(x.id), goalIds), text: x.text })),
      teacherIds: teachers.flatMap((t) => (t.authorId && t.authorId !== PUPIL ? [t.authorId] : [])),
      importedTeachers: teachers.flatMap((t) => (t.importedAuthor ? [t.importedAuthor] : [])),
      origin: p.origin,
      createdAt: null,
    });
    items.push({ type: 'project', sourceId: p.id, title: p.title, action: 'create' });
  }

  const artefacts: PlannedArtefact[] = [];
  for (const a of doc.artefacts) {
    const owner = known.artefacts.get(a.id);
    const mine = owner !== undefined && owner === pupilId;
    const foreign = owner !== undefined && !mine;
    const id = foreign ? randomUUID() : a.id;
    items.push({
      type: 'artefact',
      sourceId: a.id,
      title: a.title,
      action: mine ? 'skip' : 'create',
      ...(mine ? importReason('artefact-exists') : foreign ? importReason('artefact-new-id') : {}),
    });
    const planned: PlannedArtefact = { id, row: null, versions: [], media: [], feedback: [] };
    const mediaIds = new Map<string, string>();
    const hashes = mine ? new Set(known.mediaHashes.get(a.id)) : new Set<string>();
    for (const m of a.media) {
      const mediaItem: ImportItem = { type: 'media', sourceId: m.id, title: m.originalName ?? m.files.original?.path ?? m.id, action: 'create' };
      items.push(mediaItem);
      // Content identity only counts against what is already stored: a new artefact keeps every item it had.
      if (mine && (known.media.get(m.id) === a.id || hashes.has(m.sha256))) {
        Object.assign(mediaItem, { action: 'skip', ...importReason('media-exists') });
        continue;
      }
      const original = m.files.original;
      if (!original) {
        Object.assign(mediaItem, { action: 'unmapped', ...importReason('media-no-original') });
        continue;
      }
      const check = await files.inspect(original.path, original.sha256);
      if (!check.ok) {
        Object.assign(mediaItem, { action: 'unmapped', ...check.reason });
        continue;
      }
      const variants: PlannedMedia['variants'] = {};
      for (const v of ['display', 'thumb', 'poster'] as const) {
        const f = m.files[v];
        if (f && (await files.inspect(f.path, f.sha256)).ok) variants[v] = { entry: f.path, mime: f.mime };
      }
      if (mine) hashes.add(m.sha256);
      const mediaId = fresh(m.id, known.media.has(m.id) || foreign, mediaIds);
      planned.media.push({
        id: mediaId,
        position: m.position,
        createdAt: parseDate(m.createdAt),
        removedAt: parseDate(m.removedAt),
        entry: original.path,
        originalName: m.originalName,
        dims: { width: m.width, height: m.height, durationMs: m.durationMs },
        mode: 'keep',
        variants,
        item: items.length - 1,
      });
    }
    const feedbackIds = new Map<string, string>();
    for (const f of a.feedback) {
      const taken = known.feedback.has(f.id);
      if (taken && mine) {
        items.push({ type: 'feedback', sourceId: f.id, title: excerpt(f.body), action: 'skip', ...importReason('feedback-exists') });
        feedbackIds.set(f.id, f.id);
        continue;
      }
      const fid = fresh(f.id, taken || foreign, feedbackIds);
      const parentId = f.parentId ? (feedbackIds.get(f.parentId) ?? null) : null;
      planned.feedback.push({ id: fid, parentId, ...person(f.author), body: f.body, createdAt: parseDate(f.createdAt), editedAt: parseDate(f.editedAt) });
      items.push({ type: 'feedback', sourceId: f.id, title: excerpt(f.body), action: 'create' });
    }
    if (!mine) {
      const projectId = a.projectId ? (projectIds.get(a.projectId) ?? null) : null;
      planned.row = {
        kind: a.kind,
        projectId,
        phaseId: projectId && a.phaseId ? (phaseIds.get(a.phaseId) ?? null) : null,
        title: a.title,
        bodyHtml: sanitizeRichText(a.bodyHtml),
        links: a.links.filter((l) => /^https?:\/\//i.test(l.url)),
        subjectCodes: a.subjectCodes,
        competenceIds: a.competenceIds,
        goalIds: projectId ? a.goalIds.flatMap((g) => goalIds.get(g) ?? []) : [],
        status: a.status,
        readyAt: parseDate(a.readyAt),
        visibility: a.visibility,
        version: a.version,
        createdAt: parseDate(a.createdAt),
        updatedAt: parseDate(a.updatedAt),
        origin: a.origin,
      };
      for (const v of a.versions) {
        planned.versions.push({
          version: v.version,
          ...person(v.author),
          createdAt: parseDate(v.createdAt),
          title: v.title,
          bodyHtml: sanitizeRichText(v.bodyHtml),
          status: v.status,
          visibility: v.visibility,
          mediaIds: v.mediaIds.flatMap((m) => mediaIds.get(m) ?? []),
        });
        items.push({ type: 'version', sourceId: `${a.id}#${v.version}`, ...importTitle('version', { title: v.title, version: v.version }), action: 'create' });
      }
    } else {
      for (const v of a.versions)
        items.push({
          type: 'version',
          sourceId: `${a.id}#${v.version}`,
          ...importTitle('version', { title: v.title, version: v.version }),
          action: 'skip',
          ...importReason('version-exists'),
        });
    }
    if (planned.row || planned.media.length || planned.feedback.length) artefacts.push(planned);
  }
  return {
    format: 'polku',
    sourceVersion: String(doc.version),
    pupilName: doc.pupil.displayName,
    items,
    pupil: { id: doc.pupil.id, username: doc.pupil.username, displayName: doc.pupil.displayName, locale: doc.pupil.locale },
    projects,
    artefacts,
  };
}

function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
