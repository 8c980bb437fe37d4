import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import {
  PORTFOLIO_FORMAT,
  PORTFOLIO_FORMAT_VERSION,
  type ArtefactDoc,
  type ArtefactEventDoc,
  type GoalAssessmentDoc,
  type GuardianCommentDoc,
  type MediaDoc,
  type PeerFeedbackDoc,
  type PersonRef,
  type PortfolioDocument,
  type ProjectDoc,
  type ScaleDoc,
} from '../../../../shared/portability/portfolio-format.ts';
import { DEFAULT_TIME_ZONE } from '../../../../shared/api/common.ts';
import type { ExportScope } from '../../../../shared/api/portability.ts';
import { MEDIA_VARIANTS } from '../../../../shared/portfolio.ts';
import type { Locale } from '../../../../shared/roles.ts';
import type { Db } from '../../../db/database.ts';
import type { ImportedPerson, VoiceRecording } from '../../../db/schema.ts';
import { phasesAndGoalsOf, projectFields } from '../../projects/projects.repo.ts';
import { receivedPeerFeedback } from '../../peer-feedback/peer-feedback.repo.ts';
import { DEFAULT_SCALE_KEY } from '../../../../shared/api/scales.ts';
import { archivePath, variantMime, type ArchiveFile } from './media-files.ts';
import { exportedGuardianComments, exportedGuardianReactionCounts } from '../../guardian-voice/guardian-voice.repo.ts';
import { asGuardiansExport } from '../../guardian-sharing/guardian-export.ts';
import { loadShowcaseDocs } from './showcase-docs.ts';
import { showcasesDb } from '../../showcases/showcase-tables.ts';
import { guardianVersionSql } from '../../guardian-sharing/guardian-sharing.sql.ts';

const GENERATOR_VERSION = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export class PupilNotFound extends Error {
  constructor(readonly pupilId: string) {
    super(`No pupil ${pupilId}`);
    this.name = 'PupilNotFound';
  }
}

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
const byCreated = <T extends { createdAt: Date; id: string }>(a: T, b: T) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Everything Polku knows about one pupil's portfolio as a `portfolio.json` document, and the media
 * files it names. A fixed number of queries, whatever the number of artefacts. `shared` keeps only
 * artefacts shared with guardians. Variants without a recorded digest are left out (the export runs
 * `backfillVariantDigests` first, so there are none then).
 */
export async function loadPortfolioDocument(
  db: Db,
  pupilId: string,
  scope: ExportScope,
  locale: Locale,
): Promise<{ document: PortfolioDocument; files: ArchiveFile[]; timeZone: string }> {
  const pupil = await db.selectFrom('users').select(['id', 'username', 'displayName', 'locale']).where('id', '=', pupilId).executeTakeFirst();
  if (!pupil) throw new PupilNotFound(pupilId);

  let artefactQuery = db.selectFrom('artefacts').selectAll().where('ownerId', '=', pupilId).where('deletedAt', 'is', null);
  // Issue 12 §1: what guardians see (shared, and approved where the school asks for it).
  if (scope === 'shared') artefactQuery = artefactQuery.where(sql<boolean>`${guardianVersionSql('artefacts')} is not null`);
  // The same set again as a subquery, so children are fetched without a list of thousands of ids.
  const inScope = artefactQuery.clearSelect().select('artefacts.id');
  // A guardian's export holds only what existed while an artefact was shared: the versions current
  // then (see historyScope in the policy), and no file an edit has removed since.
  const mediaQuery = db.selectFrom('mediaItems').selectAll().where('artefactId', 'in', inScope);
  const versionQuery = db.selectFrom('artefactVersions').selectAll().where('artefactId', 'in', inScope);
  let eventQuery = db.selectFrom('artefactEvents').selectAll().where('artefactId', 'in', inScope);
  // Goal assessments are the pupil's too: a guardian's export holds only those the pupil shared.
  let assessmentQuery = db
    .selectFrom('goalAssessments')
    .innerJoin('projectGoals', 'projectGoals.id', 'goalAssessments.goalId')
    .selectAll('goalAssessments')
    .select('projectGoals.projectId')
    .where('goalAssessments.pupilId', '=', pupilId);
  // The pupil's showcases, as a subquery: guardian voice on them goes into the pupil's own export (all its showcases).
  const ownShowcases = showcasesDb(db).selectFrom('showcases').select('showcases.id').where('showcases.ownerId', '=', pupilId);
  // Versions, files and feedback of a guardian's export are chosen below by the policy (asGuardiansExport).
  if (scope === 'shared') {
    eventQuery = eventQuery.where('shared', '=', true);
    assessmentQuery = assessmentQuery.where('goalAssessments.sharedWithGuardians', '=', true);
  }

  const [schools, allArtefacts, allMedia, allVersions, allFeedback, events, assessments, peerFeedback, guardianComments, guardianReactions] = await Promise.all(
    [
      db
        .selectFrom('schoolRoles')
        .innerJoin('schools', 'schools.id', 'schoolRoles.schoolId')
        .select(['schools.name', 'schools.timeZone'])
        .where('schoolRoles.userId', '=', pupilId)
        .where('schoolRoles.role', '=', 'pupil')
        .orderBy('schools.name')
        .orderBy('schools.id')
        .execute(),
      artefactQuery.orderBy('createdAt', 'desc').orderBy('id', 'desc').execute(),
      mediaQuery.orderBy('artefactId').orderBy('position').orderBy('id').execute(),
      versionQuery.orderBy('artefactId').orderBy('version').execute(),
      db.selectFrom('feedback').selectAll().where('artefactId', 'in', inScope).orderBy('createdAt').orderBy('id').execute(),
      eventQuery.orderBy('artefactId').orderBy('createdAt').orderBy('id').execute(),
      assessmentQuery.orderBy('goalAssessments.createdAt').orderBy('goalAssessments.id').execute(),
      // Issue 10 §5: peer feedback the pupil received and may see; never in a guardian's export (classmates' names).
      scope === 'full' ? receivedPeerFeedback(db, inScope) : Promise.resolve([]),
      // Issue 12 §2: guardian comments the pupil sees (shown) and reaction counts. Never in a guardian's
      // export: it would show one guardian what other guardians wrote and who they are.
      scope === 'full' ? exportedGuardianComments(db, { artefactIds: inScope, showcaseIds: ownShowcases }) : Promise.resolve([]),
      scope === 'full' ? exportedGuardianReactionCounts(db, { artefactIds: inScope, showcaseIds: ownShowcases }) : Promise.resolve(new Map<string, never>()),
    ],
  );

  const all = { artefacts: allArtefacts, media: allMedia, versions: allVersions, feedback: allFeedback };
  const { artefacts, media, versions, feedback } = scope === 'shared' ? await asGuardiansExport(db, all) : all;

  // Projects of the exported work, and those the pupil assessed goals of (work may not be linked yet).
  const projectIds = [...new Set([...artefacts.flatMap((a) => (a.projectId ? [a.projectId] : [])), ...assessments.map((x) => x.projectId)])].sort();
  const projectSet = new Set(projectIds);
  const [projects, phases, goals, projectTeachers] = projectIds.length
    ? await Promise.all([
        db.selectFrom('projects').selectAll().where('id', 'in', projectIds).execute(),
        db.selectFrom('projectPhases').selectAll().where('projectId', 'in', projectIds).orderBy('projectId').orderBy('position').execute(),
        db.selectFrom('projectGoals').selectAll().where('projectId', 'in', projectIds).orderBy('projectId').orderBy('position').execute(),
        db.selectFrom('projectTeachers').selectAll().where('projectId', 'in', projectIds).execute(),
      ])
    : [[], [], [], []];

  const people = await loadPeople(db, [
    ...versions.flatMap((v) => (v.authorId ? [v.authorId] : [])),
    ...feedback.flatMap((f) => (f.authorId ? [f.authorId] : [])),
    ...projectTeachers.map((t) => t.userId),
    ...assessments.flatMap((x) => (x.assessorId ? [x.assessorId] : [])),
    ...events.flatMap((e) => (e.actorId ? [e.actorId] : [])),
    ...peerFeedback.flatMap((p) => (p.authorId ? [p.authorId] : [])),
    ...guardianComments.flatMap((c) => (c.authorId ? [c.authorId] : [])),
  ]);
  const scaleOf = await loadScales(db, projects);
  const person = (authorId: string | null, imported: ImportedPerson | null): PersonRef | null => {
    if (authorId) return people.get(authorId) ?? null;
    return imported ? { id: imported.id, displayName: imported.displayName, role: imported.role, imported: imported.imported ?? true } : null;
  };

  const files = new Map<string, ArchiveFile>();
  const mediaDocs = groupBy(
    media,
    (m) => m.artefactId,
    (m): MediaDoc => {
      const docFiles: MediaDoc['files'] = {};
      for (const variant of MEDIA_VARIANTS) {
        const key = m.variants[variant];
        const digest = m.variantDigests[variant];
        if (!key || !digest) continue;
        // One file per content: a variant whose bytes are already in the archive points at that file.
        const file = files.get(digest.sha256) ?? {
          path: archivePath(digest.sha256, variantMime(variant, m.mime)),
          blobKey: key,
          sha256: digest.sha256,
          size: digest.size,
          mime: variantMime(variant, m.mime),
        };
        files.set(digest.sha256, file);
        docFiles[variant] = { path: file.path, sha256: file.sha256, size: file.size, mime: file.mime };
      }
      return {
        id: m.id,
        kind: m.kind,
        mime: m.mime,
        sha256: m.variantDigests.original?.sha256 ?? m.sha256,
        size: m.variantDigests.original?.size ?? Number(m.size),
        originalName: m.originalName,
        width: m.width,
        height: m.height,
        durationMs: m.durationMs,
        position: m.position,
        createdAt: iso(m.createdAt),
        removedAt: isoOrNull(m.removedAt),
        files: docFiles,
      };
    },
  );
  const exported = new Set(media.map((m) => m.id));
  // Voice recordings (format 3): one file each, named by content like every media file.
  const voiceDoc = (voice: VoiceRecording | null) => {
    if (!voice) return null;
    const sha256 = voice.variantDigests.original?.sha256 ?? voice.sha256;
    const size = voice.variantDigests.original?.size ?? Number(voice.size);
    const file = files.get(sha256) ?? { path: archivePath(sha256, voice.mime), blobKey: voice.variants.original, sha256, size, mime: voice.mime };
    files.set(sha256, file);
    return { file: { path: file.path, sha256: file.sha256, size: file.size, mime: file.mime }, durationMs: voice.durationMs };
  };
  const versionDocs = groupBy(
    versions,
    (v) => v.artefactId,
    (v) => ({
      version: v.version,
      author: person(v.authorId, v.importedAuthor),
      createdAt: iso(v.createdAt),
      title: v.snapshot.title,
      bodyHtml: v.snapshot.bodyHtml,
      status: v.snapshot.status,
      visibility: v.snapshot.visibility,
      mediaIds: v.snapshot.mediaIds.filter((id) => exported.has(id)),
    }),
  );
  const feedbackDocs = groupBy(
    [...feedback].sort(byCreated),
    (f) => f.artefactId,
    (f) => ({
      id: f.id,
      parentId: f.parentId,
      author: person(f.authorId, f.importedAuthor),
      body: f.body,
      createdAt: iso(f.createdAt),
      editedAt: isoOrNull(f.editedAt),
      goalIds: f.goalIds,
      revise: f.revise,
      answeredVersion: f.answeredVersion,
      answeredAt: isoOrNull(f.answeredAt),
      voice: voiceDoc(f.voice),
      // Only an anchor on a file this export holds.
      anchor: f.anchor && exported.has(f.anchor.mediaId) ? f.anchor : null,
    }),
  );
  const eventDocs = groupBy(
    events,
    (e) => e.artefactId,
    (e): ArtefactEventDoc => ({ kind: e.kind, details: e.details, shared: e.shared, actor: person(e.actorId, e.importedActor), createdAt: iso(e.createdAt) }),
  );

  const peerDocs = groupBy(
    peerFeedback,
    (p) => p.artefactId,
    (p): PeerFeedbackDoc => ({
      id: p.id,
      author: person(p.authorId, p.importedAuthor),
      star1: p.star1,
      star2: p.star2,
      wish: p.wish,
      state: p.state,
      createdAt: iso(p.createdAt),
    }),
  );

  const guardianCommentDocs = groupBy(
    guardianComments,
    // By item id: an artefact's, or a showcase's (issue 12 §3).
    (c) => c.artefactId ?? c.showcaseId ?? '',
    (c): GuardianCommentDoc => {
      const author = person(c.authorId, c.importedAuthor);
      // Whatever other roles the account holds, it wrote this as the pupil's guardian.
      return { id: c.id, author: author && { ...author, role: 'guardian' }, body: c.body, state: c.state, createdAt: iso(c.createdAt) };
    },
  );

  // A guardian's export places an item whose move waits where its approved version was (asGuardiansExport):
  // that version's project, phase or goals may have been removed since, so only those still there are named.
  const loadedProjects = new Set(projects.map((p) => p.id));
  const loadedPhases = new Set(phases.map((p) => p.id));
  const loadedGoals = new Set(goals.map((g) => g.id));
  const artefactDocs: ArtefactDoc[] = artefacts.map((a) => ({
    id: a.id,
    projectId: a.projectId && loadedProjects.has(a.projectId) ? a.projectId : null,
    phaseId: a.phaseId && loadedPhases.has(a.phaseId) ? a.phaseId : null,
    kind: a.kind,
    title: a.title,
    bodyHtml: a.bodyHtml,
    links: a.links.map((l) => (l.title ? { url: l.url, title: l.title } : { url: l.url })),
    subjectCodes: a.subjectCodes,
    competenceIds: a.competenceIds,
    goalIds: a.goalIds.filter((id) => loadedGoals.has(id)),
    tags: a.tags,
    status: a.status,
    visibility: a.visibility,
    version: a.version,
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
    readyAt: isoOrNull(a.readyAt),
    origin: a.origin,
    media: mediaDocs.get(a.id) ?? [],
    versions: versionDocs.get(a.id) ?? [],
    feedback: feedbackDocs.get(a.id) ?? [],
    events: eventDocs.get(a.id) ?? [],
    peerFeedback: peerDocs.get(a.id) ?? [],
    ...(scope === 'full' ? { guardianComments: guardianCommentDocs.get(a.id) ?? [], guardianReactions: guardianReactions.get(a.id) ?? {} } : {}),
  }));
  const exportedArtefacts = new Set(artefacts.map((a) => a.id));
  const showcases = await loadShowcaseDocs(db, pupilId, scope, exportedArtefacts);
  const assessmentDocs = assessments.map((x): GoalAssessmentDoc => ({
    id: x.id,
    goalId: x.goalId,
    kind: x.kind,
    level: x.level,
    reflection: x.reflection,
    // Only artefacts in this export: a shared export names no private work.
    artefactIds: x.artefactIds.filter((id) => exportedArtefacts.has(id)),
    sharedWithGuardians: x.sharedWithGuardians,
    assessor: person(x.assessorId, x.importedAssessor),
    createdAt: iso(x.createdAt),
    voice: voiceDoc(x.voice),
  }));

  const projectDocs: ProjectDoc[] = projects
    .map((p) => ({
      id: p.id,
      ...projectFields(p),
      ...phasesAndGoalsOf(p.id, phases, goals),
      teachers: [
        ...projectTeachers.filter((t) => t.projectId === p.id).flatMap((t) => people.get(t.userId) ?? []),
        ...p.importedTeachers.map((t): PersonRef => ({ id: t.id, displayName: t.displayName, role: t.role, imported: t.imported ?? true })),
      ].sort((x, y) => x.displayName.localeCompare(y.displayName, 'fi') || String(x.id).localeCompare(String(y.id))),
      scale: scaleOf(p),
      origin: p.origin,
    }))
    // Newest first, as the pages list them; the id keeps equal dates in a fixed order.
    .sort((x, y) => (y.startsOn ?? '').localeCompare(x.startsOn ?? '') || x.title.localeCompare(y.title, 'fi') || x.id.localeCompare(y.id));

  const subjectCodes = [...new Set([...artefactDocs, ...projectDocs].flatMap((x) => x.subjectCodes))];
  const competenceIds = [...new Set([...artefactDocs, ...projectDocs].flatMap((x) => x.competenceIds))];
  const [subjects, competences] = await Promise.all([
    subjectCodes.length
      ? db.selectFrom('subjects').select(['code', 'labels']).where('code', 'in', subjectCodes).orderBy('position').orderBy('code').execute()
      : [],
    competenceIds.length
      ? db.selectFrom('competences').select(['id', 'labels']).where('id', 'in', competenceIds).orderBy('framework').orderBy('position').orderBy('id').execute()
      : [],
  ]);

  const document: PortfolioDocument = {
    format: PORTFOLIO_FORMAT,
    version: PORTFOLIO_FORMAT_VERSION,
    exportedAt: new Date().toISOString(),
    generator: { name: 'Polku', version: GENERATOR_VERSION },
    scope,
    locale,
    pupil: { id: pupil.id, username: pupil.username, displayName: pupil.displayName, locale: pupil.locale },
    schools: schools.map((s) => ({ name: s.name })),
    projects: projectDocs,
    artefacts: artefactDocs,
    goalAssessments: assessmentDocs,
    // A showcase names a project only when the archive holds it.
    showcases: showcases.map((s) => ({
      ...s,
      projectId: s.projectId && projectSet.has(s.projectId) ? s.projectId : null,
      // Issue 12 §2 on showcases: as on artefacts, only in the pupil's own export.
      ...(scope === 'full' ? { guardianComments: guardianCommentDocs.get(s.id) ?? [], guardianReactions: guardianReactions.get(s.id) ?? {} } : {}),
    })),
    reference: {
      subjects: subjects.map((s) => ({ code: s.code, labels: s.labels })),
      competences: competences.map((c) => ({ id: c.id, labels: c.labels })),
    },
  };
  // The offline pages show times in the pupil's school's zone (the first school's, by name).
  return { document, files: [...files.values()], timeZone: schools[0]?.timeZone ?? DEFAULT_TIME_ZONE };
}

/** Each project's scale as the archive states it: a built-in one by key, any other by its levels. */
async function loadScales(
  db: Db,
  projects: ReadonlyArray<{ scaleId: string | null; importedScale: { name: ScaleDoc['name']; levels: ScaleDoc['levels'] } | null }>,
): Promise<(p: (typeof projects)[number]) => ScaleDoc> {
  const ids = [...new Set(projects.flatMap((p) => (p.scaleId ? [p.scaleId] : [])))];
  const rows = await db
    .selectFrom('assessmentScales')
    .select(['id', 'builtinKey', 'name', 'levels'])
    .where((eb) => eb.or([eb('builtinKey', '=', DEFAULT_SCALE_KEY), ...(ids.length ? [eb('id', 'in', ids)] : [])]))
    .execute();
  const doc = (r: (typeof rows)[number]): ScaleDoc => ({ key: r.builtinKey, name: r.name, levels: r.levels });
  const fallback = rows.find((r) => r.builtinKey === DEFAULT_SCALE_KEY);
  return (p) => {
    if (p.importedScale) return { key: null, name: p.importedScale.name, levels: p.importedScale.levels };
    const row = rows.find((r) => r.id === p.scaleId) ?? fallback;
    if (!row) throw new Error('The built-in default scale is missing');
    return doc(row);
  };
}

/** Name and role of each user, in one query. */
async function loadPeople(db: Db, ids: readonly string[]): Promise<Map<string, PersonRef>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .leftJoin('schoolRoles', 'schoolRoles.userId', 'users.id')
    .select(['users.id', 'users.displayName', 'schoolRoles.role'])
    .where('users.id', 'in', unique)
    .orderBy('users.id')
    // Which role a person shows as when they hold several (a teacher who is also an admin writes as a teacher): their first row.
    .orderBy(sql`case school_roles.role when 'teacher' then 0 when 'pupil' then 1 when 'admin' then 2 else 3 end`)
    .execute();
  const people = new Map<string, PersonRef>();
  for (const row of rows) {
    if (!people.has(row.id)) people.set(row.id, { id: row.id, displayName: row.displayName, role: row.role ?? null, imported: false });
  }
  return people;
}

function groupBy<T, U>(rows: readonly T[], keyOf: (row: T) => string, map: (row: T) => U): Map<string, U[]> {
  const groups = new Map<string, U[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(map(row));
    else groups.set(key, [map(row)]);
  }
  return groups;
}
