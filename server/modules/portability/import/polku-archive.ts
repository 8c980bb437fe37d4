import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/database.ts';
import { projectFields } from '../../projects/projects.repo.ts';
import { ARCHIVE_PATHS, type PersonRef, type PortfolioDocument } from '../../../../shared/portability/portfolio-format.ts';
import type { ImportedPerson, ImportedScale } from '../../../db/schema.ts';
import { withoutHiddenCharacters } from '../../../../shared/api/common.ts';
import { DEFAULT_SCALE_KEY, SCALE_ICON_MAX, SCALE_LABEL_MAX, SCALE_NAME_MAX } from '../../../../shared/api/scales.ts';
import type { GuardianCommentDoc, PeerFeedbackDoc, ScaleDoc, VoiceDoc } from '../../../../shared/portability/portfolio-format.ts';
import { guardianCommentBodySchema } from '../../../../shared/api/guardian-voice.ts';
import { feedbackAnchorSchema } from '../../../../shared/api/feedback.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import { importTitle } from '../../../../shared/portability/import-titles.ts';
import { cleanImportedTags } from '../../../../shared/api/tags.ts';
import { cleanImportedCriteria } from '../../../../shared/api/projects.ts';
import { ImportRejected } from './import-rejected.ts';
import { parseOffThread, sanitizeOffThread } from './parse-pool.ts';
import type {
  PlannedGuardianComment,
  ImportItem,
  ImportPlan,
  PlannedArtefact,
  PlannedAssessment,
  PlannedAuthor,
  PlannedMedia,
  PlannedPeerFeedback,
  PlannedProject,
  PlannedShowcase,
} from './import-plan.ts';
import { IMPORTED_SHOWCASE_MAX_ITEMS, parseDate } from './import-plan.ts';
import { showcasesDb } from '../../showcases/showcase-tables.ts';
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
  /** Goal assessment ids already taken, with the pupil each belongs to. */
  assessments: Map<string, string>;
  /** Showcase ids already taken, with the pupil each belongs to. */
  showcases: Map<string, string>;
  /** Built-in scales by key. */
  builtinScales: Map<string, { id: string; levels: number }>;
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
  const [assessments, scales, showcases] = await Promise.all([
    db
      .selectFrom('goalAssessments')
      .select(['id', 'pupilId'])
      .where('id', 'in', ids((doc.goalAssessments ?? []).map((x) => x.id)))
      .execute(),
    db.selectFrom('assessmentScales').select(['id', 'builtinKey', 'levels']).where('builtinKey', 'is not', null).execute(),
    showcasesDb(db)
      .selectFrom('showcases')
      .select(['id', 'ownerId'])
      .where('id', 'in', ids((doc.showcases ?? []).map((x) => x.id)))
      .execute(),
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
    assessments: new Map(assessments.map((x) => [x.id, x.pupilId])),
    showcases: new Map(showcases.map((x) => [x.id, x.ownerId])),
    builtinScales: new Map(scales.flatMap((x) => (x.builtinKey ? [[x.builtinKey, { id: x.id, levels: x.levels.length }] as const] : []))),
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
  const bodies = [
    ...new Set([
      ...doc.artefacts.flatMap((a) => [a.bodyHtml, ...a.versions.map((v) => v.bodyHtml)]),
      ...(doc.showcases ?? []).flatMap((x) => [x.introHtml, ...x.items.map((i) => i.bodyHtml)]),
    ]),
  ];
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
  /** Levels on the scale of each project the import creates (an own project keeps its scale). */
  const scaleLevels = new Map<string, number>();
  /** Artefact ids of the archive → ids here, for assessments' evidence. */
  const artefactIds = new Map<string, string>();
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
    const scale = plannedScale(p.scale, known.builtinScales);
    if (scale.levels !== undefined) scaleLevels.set(id, scale.levels);
    projects.push({
      id,
      ...projectFields(p),
      phases,
      goals,
      importedTeachers: p.teachers.map(importedPerson),
      origin: p.origin,
      createdAt: null,
      scaleId: scale.scaleId,
      importedScale: scale.importedScale,
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
    artefactIds.set(a.id, id);
    const projectId = a.projectId ? (projectIds.get(a.projectId) ?? null) : null;
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
    // Format 3: an anchor follows its media item to its id here (or is dropped with it).
    const anchorHere = (anchor: NonNullable<(typeof a.feedback)[number]['anchor']> | null | undefined) => {
      if (!anchor) return null;
      const here = mediaIds.get(anchor.mediaId) ?? (known.media.get(anchor.mediaId) === id ? anchor.mediaId : undefined);
      const parsed = here ? feedbackAnchorSchema.safeParse({ ...anchor, mediaId: here }) : null;
      return parsed?.success ? parsed.data : null;
    };
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
      planned.feedback.push({
        id: fid,
        parentId,
        ...author,
        body: f.body,
        createdAt: parseDate(f.createdAt),
        editedAt: parseDate(f.editedAt),
        goalIds: (f.goalIds ?? []).flatMap((g) => ownedBy(projectId, goalIds.get(g)) ?? []),
        revise: f.revise ?? false,
        // Only a version this import writes with the artefact: in an existing one the numbers are not the archive's.
        answeredVersion: !mine && f.answeredVersion && a.versions.some((v) => v.version === f.answeredVersion) ? f.answeredVersion : null,
        answeredAt: !mine && f.answeredVersion ? parseDate(f.answeredAt) : null,
        voice: await planVoice(files, f.voice, items.length),
        anchor: anchorHere(f.anchor),
      });
      items.push({
        type: 'feedback',
        sourceId: f.id,
        title: excerpt(f.body),
        action: 'create',
        ...(author.importedAuthor ? importReason('feedback-imported', { author: author.importedAuthor.displayName }) : {}),
      });
    }
    if (!mine) {
      planned.peerFeedback = plannedPeerFeedback(a.peerFeedback ?? []);
      for (const p of planned.peerFeedback)
        items.push({
          type: 'feedback',
          sourceId: `${a.id}#peer-${items.length}`,
          title: excerpt(p.wish),
          action: 'create',
          ...(p.importedAuthor ? importReason('feedback-imported', { author: p.importedAuthor.displayName }) : {}),
        });
      // Issue 12 §2: guardian comments, as peer feedback: names only. Reaction counts are not brought back
      // (a reaction is a guardian account's, and an import links no one but the pupil).
      planned.guardianComments = plannedGuardianComments(a.guardianComments ?? []);
      for (const c of planned.guardianComments)
        items.push({
          type: 'feedback',
          sourceId: c.id,
          title: excerpt(c.body),
          action: 'create',
          ...(c.importedAuthor ? importReason('feedback-imported', { author: c.importedAuthor.displayName }) : importReason('feedback-imported-anonymous')),
        });
      planned.events = (a.events ?? []).map((e) => ({
        kind: e.kind,
        details: e.details,
        shared: e.shared,
        createdAt: parseDate(e.createdAt),
        ...person(e.actor),
      }));
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

  // Assessments: for the target pupil, on goals this import creates or the pupil's own project has.
  const assessments: PlannedAssessment[] = [];
  for (const x of doc.goalAssessments ?? []) {
    const item: ImportItem = { type: 'assessment', sourceId: x.id, title: excerpt(x.reflection ?? `${x.kind} ${x.level}`), action: 'create' };
    items.push(item);
    const owner = known.assessments.get(x.id);
    if (owner !== undefined && owner === pupilId) {
      Object.assign(item, { action: 'skip', ...importReason('assessment-exists') });
      continue;
    }
    const goalId = goalIds.get(x.goalId);
    const projectId = goalId ? partOf.get(goalId) : undefined;
    if (!goalId || !projectId) {
      Object.assign(item, { action: 'unmapped', ...importReason('assessment-no-goal') });
      continue;
    }
    const levels = scaleLevels.get(projectId);
    if (levels !== undefined && x.level >= levels) {
      Object.assign(item, { action: 'unmapped', ...importReason('assessment-off-scale') });
      continue;
    }
    const assessor = person(x.assessor);
    assessments.push({
      id: owner === undefined ? x.id : randomUUID(),
      goalId,
      kind: x.kind,
      level: x.level,
      reflection: x.reflection === null ? null : withoutHiddenCharacters(x.reflection).slice(0, 500),
      artefactIds: x.artefactIds.flatMap((id) => artefactIds.get(id) ?? []),
      // Only the pupil shares; a teacher level is never shared (as in the app).
      sharedWithGuardians: x.kind === 'self' && x.sharedWithGuardians,
      createdAt: parseDate(x.createdAt),
      voice: await planVoice(files, x.voice, items.length - 1),
      // A self-assessment is the pupil's; a teacher level is always a name-only person's, whoever the archive says.
      ...(x.kind === 'teacher' && assessor.byPupil ? { byPupil: false, importedAuthor: x.assessor ? importedPerson(x.assessor) : null } : assessor),
    });
  }
  // Showcases (format 4): their items on work this import brings or the pupil already has, always private.
  const showcases: PlannedShowcase[] = [];
  for (const x of doc.showcases ?? []) {
    const owner = known.showcases.get(x.id);
    const mine = owner !== undefined && owner === pupilId;
    const foreign = owner !== undefined && !mine;
    items.push({
      type: 'showcase',
      sourceId: x.id,
      title: x.title,
      action: mine ? 'skip' : 'create',
      ...(mine ? importReason('showcase-exists') : foreign ? importReason('showcase-new-id') : {}),
    });
    if (mine) continue;
    // Issue 12 §2 on showcases: guardian comments by name only, as on artefacts (reaction counts are not brought back).
    const guardianComments = plannedGuardianComments(x.guardianComments ?? []);
    for (const c of guardianComments)
      items.push({
        type: 'feedback',
        sourceId: c.id,
        title: excerpt(c.body),
        action: 'create',
        ...(c.importedAuthor ? importReason('feedback-imported', { author: c.importedAuthor.displayName }) : importReason('feedback-imported-anonymous')),
      });
    showcases.push({
      guardianComments,
      id: foreign ? randomUUID() : x.id,
      title: withoutHiddenCharacters(x.title).slice(0, 200),
      introHtml: clean(x.introHtml),
      projectId: x.projectId ? (projectIds.get(x.projectId) ?? null) : null,
      origin: x.origin,
      createdAt: parseDate(x.createdAt),
      updatedAt: parseDate(x.updatedAt),
      items: x.items.slice(0, IMPORTED_SHOWCASE_MAX_ITEMS).flatMap((i): PlannedShowcase['items'] => {
        const item = { heading: withoutHiddenCharacters(i.heading).slice(0, 200), bodyHtml: clean(i.bodyHtml) };
        if (i.artefactId === null) return [{ artefactId: null, ...item }];
        const here = artefactIds.get(i.artefactId);
        return here ? [{ artefactId: here, ...item }] : [];
      }),
    });
  }

  return {
    format: 'polku',
    sourceVersion: String(doc.version),
    pupilName: doc.pupil.displayName,
    items,
    pupil: { id: doc.pupil.id, username: doc.pupil.username, displayName: doc.pupil.displayName, locale: doc.pupil.locale },
    projects,
    artefacts,
    assessments,
    showcases,
  };
}

/**
 * A project's scale from the archive: a built-in one by its key; any other (a school's, or a key
 * unknown here) kept as the project's own data, cleaned and bounded, so its levels read as they did.
 * No school scale is created: the project is the pupil's, not a school's. No scale (version 1): the default.
 */
function plannedScale(
  scale: ScaleDoc | undefined,
  builtin: ReadonlyMap<string, { id: string; levels: number }>,
): { scaleId: string | null; importedScale: ImportedScale | null; levels: number | undefined } {
  if (!scale) return { scaleId: null, importedScale: null, levels: builtin.get(DEFAULT_SCALE_KEY)?.levels };
  const known = scale.key ? builtin.get(scale.key) : undefined;
  if (known) return { scaleId: known.id, importedScale: null, levels: known.levels };
  const line = (text: string | undefined, max: number) =>
    withoutHiddenCharacters(text ?? '')
      .replace(/\s+/gu, ' ')
      .trim()
      .slice(0, max);
  const labels = (l: ScaleDoc['name'], max: number) => ({ fi: line(l.fi, max), sv: line(l.sv ?? l.fi, max), en: line(l.en ?? l.fi, max) });
  const importedScale: ImportedScale = {
    name: labels(scale.name, SCALE_NAME_MAX),
    levels: scale.levels.map((l) => ({ labels: labels(l.labels, SCALE_LABEL_MAX), icon: line(l.icon, SCALE_ICON_MAX) })),
  };
  return { scaleId: null, importedScale, levels: importedScale.levels.length };
}

/** A person named by an archive, known here only by name: never linked to an account, always shown as imported. */
function importedPerson(ref: PersonRef): ImportedPerson {
  return { id: ref.id, displayName: ref.displayName, role: ref.role, imported: true };
}

/**
 * Peer feedback from an archive: only shown messages (held, reported or hidden ones were never the pupil's to
 * read), each text cleaned and cut to what the table allows; the classmate becomes a name-only person, never
 * the pupil or an account here, whatever the archive says.
 */
function plannedPeerFeedback(docs: readonly PeerFeedbackDoc[]): PlannedPeerFeedback[] {
  const text = (s: string) => withoutHiddenCharacters(s).trim().slice(0, 500);
  return docs.flatMap((p) => {
    const [star1, star2, wish] = [text(p.star1), text(p.star2), text(p.wish)];
    if (p.state !== 'shown' || !star1 || !star2 || !wish) return [];
    const importedAuthor = p.author ? { ...importedPerson(p.author), role: 'pupil' as const } : null;
    return [{ importedAuthor, star1, star2, wish, createdAt: parseDate(p.createdAt) }];
  });
}

/**
 * Guardian comments from an archive: only shown ones (the pupil never saw the others), each text cleaned and
 * checked as the app checks a new one; the author becomes a name-only guardian, never the pupil or an account
 * here, whatever id the archive gives.
 */
function plannedGuardianComments(docs: readonly GuardianCommentDoc[]): PlannedGuardianComment[] {
  return docs.flatMap((c) => {
    if (c.state !== 'shown') return [];
    const body = guardianCommentBodySchema.safeParse(withoutHiddenCharacters(c.body));
    if (!body.success) return [];
    const importedAuthor = c.author ? { ...importedPerson(c.author), role: 'guardian' as const } : null;
    return [{ id: c.id, importedAuthor, body: body.data, createdAt: parseDate(c.createdAt) }];
  });
}

function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

/**
 * A voice recording of format 3 (feedback or a reflection), planned as a media file to keep byte for byte
 * when it carries no metadata (else cleaned); a file that is missing or not readable is left out.
 */
async function planVoice(files: MediaFiles, voice: VoiceDoc | null | undefined, item: number): Promise<PlannedMedia | null> {
  if (!voice) return null;
  const check = await files.inspect(voice.file.path, voice.file.sha256);
  if (!check.ok) return null;
  return {
    id: randomUUID(),
    position: 0,
    createdAt: null,
    removedAt: null,
    entry: voice.file.path,
    originalName: null,
    dims: { width: null, height: null, durationMs: voice.durationMs },
    mode: 'keep',
    variants: {},
    item,
  };
}
