import type { Db } from '../../../db/database.ts';
import type { ArtefactSnapshot } from '../../../db/schema.ts';
import { claimStored, discardStored, mediaItemRow } from '../../artefacts/artefact-media.ts';
import { recordAudit } from '../../audit/audit.service.ts';
import { projectFields } from '../../projects/projects.repo.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import type { ImportPlan, PlannedArtefact, PlannedFeedback } from './import-plan.ts';
import { type MediaFiles, MediaRefused, type MediaStoreDeps, type StoredImportMedia, storeImportMedia } from './import-media.ts';
import type { ResolvedTarget } from './import-target.ts';

export interface ImportProgress {
  phase: 'reading' | 'media' | 'rows';
  done: number;
  total: number;
}

export interface WriteResult {
  pupilId: string;
  created: { projects: number; artefacts: number; media: number; feedback: number };
}

/** Rows per INSERT: well under PostgreSQL's 65,535 parameters for the widest table (≈20 columns). */
const BATCH = 1000;

/**
 * Writes a plan: media first (each stored and noted in pending_blobs), then every row in one
 * transaction. If anything fails or the signal aborts before the commit, the stored media are
 * deleted again; if the process dies, the pending_blobs sweeper finds them.
 */
export async function writePlan(o: {
  deps: MediaStoreDeps;
  plan: ImportPlan;
  files: MediaFiles;
  target: ResolvedTarget;
  actorId: string | null;
  onProgress?: ((p: ImportProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
}): Promise<WriteResult> {
  const { deps, plan, files, target, signal } = o;
  const planned = plan.artefacts.flatMap((a) => a.media);
  const stored: StoredImportMedia[] = [];
  try {
    o.onProgress?.({ phase: 'media', done: 0, total: planned.length });
    let done = 0;
    for (const media of planned) {
      signal?.throwIfAborted();
      const item = plan.items[media.item];
      try {
        const one = await storeImportMedia(deps, files, media);
        stored.push(one);
        if (one.cleaned && item) Object.assign(item, importReason('media-cleaned'));
      } catch (err) {
        // One file the pipeline refuses is not importable; the rest of the archive still is.
        if (!(err instanceof MediaRefused)) throw err;
        if (item) Object.assign(item, { action: 'unmapped', ...importReason('media-refused', { file: err.file }) });
      }
      done += 1;
      o.onProgress?.({ phase: 'media', done, total: planned.length });
    }
    signal?.throwIfAborted();
    o.onProgress?.({ phase: 'rows', done: 0, total: 1 });
    const result = await deps.db.transaction().execute(async (trx) => {
      const pupilId = await ensurePupil(trx, target, plan);
      const created = await insertRows(trx, plan, pupilId, target.schoolId, stored);
      await claimStored(trx, stored);
      await recordAudit(trx, {
        actorId: o.actorId,
        action: 'portfolio.import',
        subjectType: 'user',
        subjectId: pupilId,
        subjectUserId: pupilId,
        details: { format: plan.format, sourceVersion: plan.sourceVersion, newAccount: target.kind === 'new', created },
      });
      // Last chance to stop: an abort now rolls the whole transaction back.
      signal?.throwIfAborted();
      return { pupilId, created };
    });
    o.onProgress?.({ phase: 'rows', done: 1, total: 1 });
    return result;
  } catch (err) {
    await discardStored(deps, stored);
    throw err;
  }
}

/** The new account (in the same transaction as its portfolio), or the existing pupil. */
async function ensurePupil(trx: Db, target: ResolvedTarget, plan: ImportPlan): Promise<string> {
  if (target.kind === 'existing') return target.pupilId;
  // Keeping the archive's user id when it is free makes the pupil's own versions and replies point at them again.
  const wantedId = plan.pupil.id;
  const idTaken = wantedId ? await trx.selectFrom('users').select('id').where('id', '=', wantedId).executeTakeFirst() : undefined;
  const user = await trx
    .insertInto('users')
    .values({
      ...(wantedId && !idTaken ? { id: wantedId } : {}),
      username: await freeUsername(trx, target.username),
      displayName: target.displayName,
      locale: plan.pupil.locale,
      passwordHash: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx.insertInto('schoolRoles').values({ schoolId: target.schoolId, userId: user.id, role: 'pupil' }).execute();
  return user.id;
}

async function freeUsername(trx: Db, wanted: string): Promise<string> {
  const base = wanted.slice(0, 90);
  const taken = new Set(
    (
      await trx
        .selectFrom('users')
        .select('username')
        .where((eb) => eb.or([eb('username', '=', base), eb('username', 'like', `${base.replace(/[\\%_]/g, (c) => `\\${c}`)}-%`)]))
        .execute()
    ).map((r) => r.username),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

async function insertRows(trx: Db, plan: ImportPlan, pupilId: string, schoolId: string, stored: readonly StoredImportMedia[]): Promise<WriteResult['created']> {
  const now = new Date();
  const mediaByArtefact = new Map<PlannedArtefact, StoredImportMedia[]>();
  const byPlanned = new Map(stored.map((s) => [s.planned, s]));
  const refused = new Set(plan.artefacts.flatMap((a) => a.media.filter((m) => !byPlanned.has(m)).map((m) => m.id)));
  for (const a of plan.artefacts)
    mediaByArtefact.set(
      a,
      a.media.flatMap((m) => byPlanned.get(m) ?? []),
    );

  const projects = plan.projects;
  await batches(projects, (rows) =>
    trx
      .insertInto('projects')
      .values(
        rows.map((p) => ({
          id: p.id,
          schoolId,
          ...projectFields(p),
          createdBy: null,
          createdAt: p.createdAt ?? now,
          origin: p.origin ? JSON.stringify(p.origin) : null,
          importedTeachers: JSON.stringify(p.importedTeachers),
        })),
      )
      .execute(),
  );
  await batches(
    projects.flatMap((p) => p.phases.map((ph, position) => ({ id: ph.id, projectId: p.id, position, title: ph.title }))),
    (rows) => trx.insertInto('projectPhases').values(rows).execute(),
  );
  await batches(
    projects.flatMap((p) => p.goals.map((g, position) => ({ id: g.id, projectId: p.id, position, text: g.text }))),
    (rows) => trx.insertInto('projectGoals').values(rows).execute(),
  );
  // No project_teachers or project_groups rows: an imported project is the pupil's own (see PlannedProject).

  const newArtefacts = plan.artefacts.flatMap((a) => (a.row ? [{ a, row: a.row }] : []));
  await batches(newArtefacts, (rows) =>
    trx
      .insertInto('artefacts')
      .values(
        rows.map(({ a, row }) => ({
          id: a.id,
          ownerId: pupilId,
          projectId: row.projectId,
          phaseId: row.phaseId,
          kind: row.kind ?? mediaByArtefact.get(a)?.[0]?.kind ?? 'text',
          title: row.title,
          bodyHtml: row.bodyHtml,
          links: JSON.stringify(row.links),
          subjectCodes: row.subjectCodes,
          competenceIds: row.competenceIds,
          goalIds: row.goalIds,
          tags: row.tags,
          status: row.status,
          readyAt: row.readyAt,
          visibility: row.visibility,
          version: row.version,
          createdAt: row.createdAt ?? now,
          updatedAt: row.updatedAt ?? row.createdAt ?? now,
          origin: row.origin ? JSON.stringify(row.origin) : null,
        })),
      )
      .execute(),
  );

  const versions = newArtefacts.flatMap(({ a, row }) =>
    a.versions.map((v) => {
      const snapshot: ArtefactSnapshot = {
        title: v.title,
        bodyHtml: v.bodyHtml,
        links: row.links,
        status: v.status,
        visibility: v.visibility,
        projectId: row.projectId,
        phaseId: row.phaseId,
        subjectCodes: row.subjectCodes,
        competenceIds: row.competenceIds,
        goalIds: row.goalIds,
        tags: row.tags,
        // Only media this import stored (or the artefact already had): a refused file is in no version.
        mediaIds: v.mediaIds?.filter((id) => !refused.has(id)) ?? (mediaByArtefact.get(a) ?? []).filter((m) => !m.planned.removedAt).map((m) => m.id),
      };
      return {
        artefactId: a.id,
        version: v.version,
        authorId: v.byPupil ? pupilId : null,
        importedAuthor: v.importedAuthor ? JSON.stringify(v.importedAuthor) : null,
        createdAt: v.createdAt ?? row.createdAt ?? now,
        snapshot: JSON.stringify(snapshot),
      };
    }),
  );
  await batches(versions, (rows) => trx.insertInto('artefactVersions').values(rows).execute());

  const mediaRows = plan.artefacts.flatMap((a) => (mediaByArtefact.get(a) ?? []).map((m) => ({ a, m })));
  await batches(mediaRows, (rows) =>
    trx
      .insertInto('mediaItems')
      .values(
        rows.map(({ a, m }) => ({
          ...mediaItemRow(m, { artefactId: a.id, ownerId: pupilId, position: m.planned.position }),
          createdAt: m.planned.createdAt ?? now,
          removedAt: m.planned.removedAt,
        })),
      )
      .execute(),
  );

  const feedback = plan.artefacts.flatMap((a) => threadOrder(a.feedback).map((f) => ({ a, f })));
  await batches(feedback, (rows) =>
    trx
      .insertInto('feedback')
      .values(
        rows.map(({ a, f }) => ({
          id: f.id,
          artefactId: a.id,
          authorId: f.byPupil ? pupilId : null,
          parentId: f.parentId,
          body: f.body,
          createdAt: f.createdAt ?? now,
          editedAt: f.editedAt,
          importedAuthor: f.importedAuthor ? JSON.stringify(f.importedAuthor) : null,
        })),
      )
      .execute(),
  );
  return { projects: projects.length, artefacts: newArtefacts.length, media: mediaRows.length, feedback: feedback.length };
}

/** Parents before replies, so that batches never insert a reply ahead of what it answers. */
function threadOrder(list: readonly PlannedFeedback[]): PlannedFeedback[] {
  const ids = new Set(list.map((f) => f.id));
  const out: PlannedFeedback[] = [];
  const done = new Set<string>();
  const visit = (f: PlannedFeedback, byId: Map<string, PlannedFeedback>, seen: Set<string>) => {
    if (done.has(f.id) || seen.has(f.id)) return;
    seen.add(f.id);
    const parent = f.parentId && ids.has(f.parentId) ? byId.get(f.parentId) : undefined;
    if (parent) visit(parent, byId, seen);
    done.add(f.id);
    out.push(f);
  };
  const byId = new Map(list.map((f) => [f.id, f]));
  for (const f of list) visit(f, byId, new Set());
  return out;
}

async function batches<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) await insert(rows.slice(i, i + BATCH));
}
