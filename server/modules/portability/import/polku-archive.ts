import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/database.ts';
import { projectFields } from '../../projects/projects.repo.ts';
import { ARCHIVE_PATHS, type PersonRef, type PortfolioDocument } from '../../../../shared/portability/portfolio-format.ts';
import type { ImportedPerson } from '../../../db/schema.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import { importTitle } from '../../../../shared/portability/import-titles.ts';
import { cleanImportedTags } from '../../../../shared/api/tags.ts';
import { cleanImportedCriteria } from '../../../../shared/api/projects.ts';
import { ImportRejected } from './import-rejected.ts';
import { parseOffThread, sanitizeOffThread } from './parse-pool.ts';
import type { ImportItem, ImportPlan, PlannedArtefact, PlannedAuthor, PlannedMedia, PlannedProject } from './import-plan.ts';
import { parseDate } from './import-plan.ts';
import type { MediaFiles } from './import-media.ts';
import type { SafeZip } from './safe-zip.ts';

/** portfolio.json parsed and checked against the schema (off the event loop); a failure names the field. */
export async function readDocument(zip: SafeZip, maxBytes: number): Promise<PortfolioDocument> {
  const bytes = await zip.readBuffer(
    ARCHIVE_PATHS.document,
    maxBytes,
    () => new ImportRejected('too-large', { context: 'file', file: ARCHIVE_PATHS.document, max: maxBytes }),
  );
  return parseOffThread({ kind: 'polku-document', bytes });
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
  /** Feedback ids already taken, with the artefact each belongs to. */
  feedback: Map<string, string>;
  projects: Set<string>;
  /** Existing projects of the archive that are the target pupil's own: see `ownProjects`. */
  ownProjects: Set<string>;
  /** Phase and goal ids already taken, with the project each belongs to. */
  phases: Map<string, string>;
  goals: Map<string, string>;
}

async function lookUp(db: Db, doc: PortfolioDocument, pupilId: string | null): Promise<Known> {
  const ids = <T>(list: T[]) => (list.length ? list : ['00000000-0000-0000-0000-000000000000']);
  const artefactIds = doc.artefacts.map((a) => a.id);
  const mediaIds = doc.artefacts.flatMap((a) => a.media.map((m) => m.id));
  const feedbackIds = doc.artefacts.flatMap((a) => a.feedback.map((f) => f.id));
  const projectIds = doc.projects.map((p) => p.id);
  const [artefacts, media, feedback, projects, phases, goals, own] = await Promise.all([
    db.selectFrom('artefacts').select(['id', 'ownerId']).where('id', 'in', ids(artefactIds)).execute(),
    db
      .selectFrom('mediaItems')
      .select(['id', 'artefactId', 'sha256'])
      .where((eb) => eb.or([eb('id', 'in', ids(mediaIds)), eb('artefactId', 'in', ids(artefactIds))]))
      .execute(),
    db.selectFrom('feedback').select(['id', 'artefactId']).where('id', 'in', ids(feedbackIds)).execute(),
    db.selectFrom('projects').select('id').where('id', 'in', ids(projectIds)).execute(),
    db
      .selectFrom('projectPhases')
      .select(['id', 'projectId'])
      .where('id', 'in', ids(doc.projects.flatMap((p) => p.phases.map((x) => x.id))))
      .execute(),
    db
      .selectFrom('projectGoals')
      .select(['id', 'projectId'])
      .where('id', 'in', ids(doc.projects.flatMap((p) => p.goals.map((x) => x.id))))
      .execute(),
    pupilId ? ownProjects(db, pupilId, ids(projectIds)) : Promise.resolve([]),
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
    feedback: new Map(feedback.map((f) => [f.id, f.artefactId])),
    projects: new Set(projects.map((p) => p.id)),
    ownProjects: new Set(own),
    phases: new Map(phases.map((p) => [p.id, p.projectId])),
    goals: new Map(goals.map((g) => [g.id, g.projectId])),
  };
}

/**
 * Of `projectIds`, the existing projects an import may put the pupil's work into: those the pupil
 * already has work in, and those of the pupil's own groups (where the app lets them add work too).
 * Any other project with the same id is someone else's, whatever the archive says.
 */
async function ownProjects(db: Db, pupilId: string, projectIds: string[]): Promise<string[]> {
  const rows = await db
    .selectFrom('projects')
    .select('projects.id')
    .where('projects.id', 'in', projectIds)
    .where((eb) =>
      eb.or([
        eb('projects.id', 'in', eb.selectFrom('artefacts').select('artefacts.projectId').where('artefacts.ownerId', '=', pupilId)),
        eb(
          'projects.id',
          'in',
          eb
            .selectFrom('projectGroups')
            .innerJoin('memberships', 'memberships.groupId', 'projectGroups.groupId')
            .select('projectGroups.projectId')
            .where('memberships.userId', '=', pupilId)
            .where('memberships.role', '=', 'pupil'),
        ),
      ]),
    )
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Plans a Polku archive. Merge rule: what is already here by stable id (media also by content hash
 * within the artefact) is skipped; an id that belongs to someone else gets a fresh id and the item is
 * created, with the reason said.
 *
 * People: an archive is the uploader's word, so it links no one but the target pupil to an account.
 * Everyone else it names (teachers, feedback and version authors), whatever id, role or `imported`
 * flag it gives them, becomes a name-only imported person (`imported: true`). Projects become the
 * pupil's own: they never gain teachers or groups here, and work joins an existing project only if
 * it is already the pupil's (see ownProjects).
 */
export async function planPolku(db: Db, doc: PortfolioDocument, files: MediaFiles, pupilId: string | null): Promise<ImportPlan> {
  const known = await lookUp(db, doc, pupilId);
  // Every body the plan keeps, sanitised at once off the event loop (a version often repeats its artefact's text).
  const bodies = [...new Set(doc.artefacts.flatMap((a) => [a.bodyHtml, ...a.versions.map((v) => v.bodyHtml)]))];
  const sanitized = await sanitizeOffThread(bodies);
  const cleanBodies = new Map(bodies.map((b, i) => [b, sanitized[i] ?? '']));
  const clean = (html: string) => cleanBodies.get(html) ?? '';
  const items: ImportItem[] = [];
  const projects: PlannedProject[] = [];
  const projectIds = new Map<string, string>();
  const phaseIds = new Map<string, string>();
  const goalIds = new Map<string, string>();
  /** Planned phase and goal ids → the planned project they belong to. */
  const partOf = new Map<string, string>();
  const fresh = (id: string, taken: boolean, map: Map<string, string>) => {
    const next = taken ? randomUUID() : id;
    map.set(id, next);
    return next;
  };
  const person = (ref: PersonRef | null): PlannedAuthor => {
    if (!ref) return { byPupil: false, importedAuthor: null };
    // The pupil the archive is about is the one person it may name: that is the target pupil here.
    if (ref.id && ref.id === doc.pupil.id && !ref.imported) return { byPupil: true, importedAuthor: null };
    return { byPupil: false, importedAuthor: importedPerson(ref) };
  };

  for (const p of doc.projects) {
    if (known.ownProjects.has(p.id)) {
      projectIds.set(p.id, p.id);
      // Only the project's own phases and goals: an archive cannot point work at another project's.
      for (const x of [...p.phases, ...p.goals]) if (known.phases.get(x.id) === p.id || known.goals.get(x.id) === p.id) partOf.set(x.id, p.id);
      for (const x of p.phases) if (partOf.has(x.id)) phaseIds.set(x.id, x.id);
      for (const x of p.goals) if (partOf.has(x.id)) goalIds.set(x.id, x.id);
      items.push({ type: 'project', sourceId: p.id, title: p.title, action: 'skip', ...importReason('project-exists') });
      continue;
    }
    // Someone else's project by this id: the pupil gets their own copy under a new id.
    const foreign = known.projects.has(p.id);
    const id = fresh(p.id, foreign, projectIds);
    const phases = p.phases.map((x) => ({
      id: fresh(x.id, foreign || known.phases.has(x.id), phaseIds),
      title: x.title,
      reflectionPrompts: cleanImportedCriteria(x.reflectionPrompts ?? []),
    }));
    const goals = p.goals.map((x) => ({
      id: fresh(x.id, foreign || known.goals.has(x.id), goalIds),
      text: x.text,
      successCriteria: cleanImportedCriteria(x.successCriteria ?? []),
    }));
    for (const x of [...phases, ...goals]) partOf.set(x.id, id);
    projects.push({
      id,
      ...projectFields(p),
      phases,
      goals,
      importedTeachers: p.teachers.map(importedPerson),
      origin: p.origin,
      createdAt: null,
    });
    items.push({ type: 'project', sourceId: p.id, title: p.title, action: 'create', ...(foreign ? importReason('project-new-id') : {}) });
  }

  /** A planned phase or goal id, if it belongs to the artefact's planned project. */
  const ownedBy = (projectId: string | null, id: string | undefined): string | null => (projectId && id && partOf.get(id) === projectId ? id : null);

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
      if (mine && known.feedback.get(f.id) === a.id) {
        items.push({ type: 'feedback', sourceId: f.id, title: excerpt(f.body), action: 'skip', ...importReason('feedback-exists') });
        feedbackIds.set(f.id, f.id);
        continue;
      }
      const fid = fresh(f.id, taken || foreign, feedbackIds);
      const parentId = f.parentId ? (feedbackIds.get(f.parentId) ?? null) : null;
      const author = person(f.author);
      planned.feedback.push({ id: fid, parentId, ...author, body: f.body, createdAt: parseDate(f.createdAt), editedAt: parseDate(f.editedAt) });
      items.push({
        type: 'feedback',
        sourceId: f.id,
        title: excerpt(f.body),
        action: 'create',
        ...(author.importedAuthor ? importReason('feedback-imported', { author: author.importedAuthor.displayName }) : {}),
      });
    }
    if (!mine) {
      const projectId = a.projectId ? (projectIds.get(a.projectId) ?? null) : null;
      planned.row = {
        kind: a.kind,
        projectId,
        phaseId: ownedBy(projectId, a.phaseId ? phaseIds.get(a.phaseId) : undefined),
        title: a.title,
        bodyHtml: clean(a.bodyHtml),
        links: a.links.filter((l) => /^https?:\/\//i.test(l.url)),
        subjectCodes: a.subjectCodes,
        competenceIds: a.competenceIds,
        goalIds: a.goalIds.flatMap((g) => ownedBy(projectId, goalIds.get(g)) ?? []),
        tags: cleanImportedTags(a.tags ?? []),
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
          bodyHtml: clean(v.bodyHtml),
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

/** A person named by an archive, known here only by name: never linked to an account, always shown as imported. */
function importedPerson(ref: PersonRef): ImportedPerson {
  return { id: ref.id, displayName: ref.displayName, role: ref.role, imported: true };
}

function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
