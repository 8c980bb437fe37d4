import { insertImportedPeerFeedback } from '../../peer-feedback/peer-feedback.repo.ts';
import { insertImportedGuardianComments } from '../../guardian-voice/guardian-voice.repo.ts';
import { insertImportedShowcases } from './import-showcases.ts';
import type { Db } from '../../../db/database.ts';
import { inBatches } from '../../../db/batches.ts';
import { discardStored } from '../../artefacts/artefact-media.ts';
import { attachMedia, insertArtefacts } from '../../artefacts/artefact-writes.ts';
import { recordAudit } from '../../audit/audit.service.ts';
import { insertProjects, projectFields } from '../../projects/projects.repo.ts';
import { importReason } from '../../../../shared/portability/import-reasons.ts';
import type { ImportPlan, PlannedArtefact, PlannedFeedback, PlannedMedia } from './import-plan.ts';
import type { VoiceRecording } from '../../../db/schema.ts';
import { type MediaFiles, MediaRefused, type MediaStoreDeps, type StoredImportMedia, storeImportMedia } from './import-media.ts';
import { ImportRejected } from './import-rejected.ts';
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
    // Format 3: voice recordings of feedback and reflections, through the same pipeline; only sound is kept.
    const voices = new Map<PlannedMedia, VoiceRecording>();
    const plannedVoices = [
      ...plan.artefacts.flatMap((a) => a.feedback.flatMap((f) => (f.voice ? [f.voice] : []))),
      ...(plan.assessments ?? []).flatMap((x) => (x.voice ? [x.voice] : [])),
    ];
    for (const planned of plannedVoices) {
      signal?.throwIfAborted();
      try {
        const one = await storeImportMedia(deps, files, planned);
        const original = one.variants.original;
        // A picture or video named as a recording is not kept.
        if (one.kind !== 'audio' || !original) {
          await discardStored(deps, [one]);
          continue;
        }
        stored.push(one);
        if (original)
          voices.set(planned, {
            mime: one.mime,
            sha256: one.sha256,
            size: one.size,
            durationMs: one.durationMs,
            variants: { original },
            variantDigests: one.variantDigests.original ? { original: one.variantDigests.original } : {},
          });
      } catch (err) {
        if (!(err instanceof MediaRefused)) throw err;
      }
    }
    signal?.throwIfAborted();
    o.onProgress?.({ phase: 'rows', done: 0, total: 1 });
    const result = await deps.db.transaction().execute(async (trx) => {
      const pupilId = await ensurePupil(trx, target, plan);
      // Claims the stored media's blobs too (attachMedia): they have rows now.
      const created = await insertRows(trx, plan, pupilId, target.schoolId, stored, voices);
      // The voice recordings have rows now too (the media's blobs were claimed by attachMedia).
      const voiceKeys = [...voices.values()].map((v) => v.variants.original);
      if (voiceKeys.length > 0) await trx.deleteFrom('pendingBlobs').where('key', 'in', voiceKeys).execute();
      await recordAudit(trx, {
        actorId: o.actorId,
        action: 'portfolio.import',
        subjectType: 'user',
        subjectId: pupilId,
        subjectUserId: pupilId,
        details: {
          format: plan.format,
          sourceVersion: plan.sourceVersion,
          newAccount: target.kind === 'new',
          ...(target.kind === 'new' && target.groupId ? { groupId: target.groupId } : {}),
          created,
        },
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
  if (target.groupId) {
    // Checked by the service (policy.ts) before the upload and the apply; checked here again, in the
    // transaction, for every caller (the CLI too): only a group of the school the account is made in.
    const group = await trx.selectFrom('groups').select('id').where('id', '=', target.groupId).where('schoolId', '=', target.schoolId).executeTakeFirst();
    if (!group) throw new ImportRejected('target-invalid', { context: 'group' });
    await trx.insertInto('memberships').values({ groupId: group.id, userId: user.id, role: 'pupil' }).execute();
  }
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

/**
 * The plan's rows, through the app's own write functions (projects.repo insertProjects, artefact-writes
 * insertArtefacts and attachMedia), so that what they guarantee holds for imported work too. What only
 * an import has is passed along: the archive's ids and times, origins, name-only imported people.
 */
async function insertRows(
  trx: Db,
  plan: ImportPlan,
  pupilId: string,
  schoolId: string,
  stored: readonly StoredImportMedia[],
  voices: ReadonlyMap<PlannedMedia, VoiceRecording>,
): Promise<WriteResult['created']> {
  const voiceOf = (v: PlannedMedia | null | undefined) => (v ? (voices.get(v) ?? null) : null);
  const voiceIds = new Set([...voices.keys()].map((v) => v.id));
  const byPlanned = new Map(stored.filter((s) => !voiceIds.has(s.planned.id)).map((s) => [s.planned, s]));
  const refused = new Set(plan.artefacts.flatMap((a) => a.media.filter((m) => !byPlanned.has(m)).map((m) => m.id)));
  const mediaOf = (a: PlannedArtefact) => a.media.flatMap((m) => byPlanned.get(m) ?? []);
  const placed = (m: StoredImportMedia) => ({ media: m, position: m.planned.position, createdAt: m.planned.createdAt, removedAt: m.planned.removedAt });

  // The target pupil's own projects: no teachers or groups from an archive (see PlannedProject), and the pupil as owner.
  await insertProjects(
    trx,
    plan.projects.map((p) => ({
      id: p.id,
      schoolId,
      ...projectFields(p),
      createdBy: null,
      ownerId: pupilId,
      createdAt: p.createdAt,
      origin: p.origin,
      importedTeachers: p.importedTeachers,
      scaleId: p.scaleId ?? null,
      importedScale: p.importedScale ?? null,
      phases: p.phases,
      goals: p.goals,
    })),
  );

  const newArtefacts = plan.artefacts.flatMap((a) => (a.row ? [{ a, row: a.row }] : []));
  await insertArtefacts(
    trx,
    newArtefacts.map(({ a, row }) => {
      const media = mediaOf(a);
      return {
        id: a.id,
        ownerId: pupilId,
        projectId: row.projectId,
        phaseId: row.phaseId,
        kind: row.kind ?? media[0]?.kind ?? 'text',
        title: row.title,
        bodyHtml: row.bodyHtml,
        links: row.links,
        subjectCodes: row.subjectCodes,
        competenceIds: row.competenceIds,
        goalIds: row.goalIds,
        tags: row.tags,
        status: row.status,
        readyAt: row.readyAt,
        visibility: row.visibility,
        version: row.version,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
        origin: row.origin,
        media: media.map(placed),
        history: a.versions.map((v) => ({
          version: v.version,
          authorId: v.byPupil ? pupilId : null,
          importedAuthor: v.importedAuthor,
          createdAt: v.createdAt ?? row.createdAt,
          title: v.title,
          bodyHtml: v.bodyHtml,
          status: v.status,
          visibility: v.visibility,
          // Only media this import stored (or the artefact already had): a refused file is in no version.
          mediaIds: v.mediaIds?.filter((id) => !refused.has(id)) ?? media.filter((m) => !m.planned.removedAt).map((m) => m.id),
        })),
        // An archive that lists no version for the current state: nobody known wrote it.
        author: { authorId: null, importedAuthor: null },
      };
    }),
  );
  // New media for artefacts that are already here.
  const addedMedia = plan.artefacts.flatMap((a) => (a.row ? [] : mediaOf(a).map((m) => ({ ...placed(m), artefactId: a.id, ownerId: pupilId }))));
  await attachMedia(trx, addedMedia);

  const feedback = plan.artefacts.flatMap((a) => threadOrder(a.feedback).map((f) => ({ a, f })));
  await inBatches(feedback, (rows) =>
    trx
      .insertInto('feedback')
      .values(
        rows.map(({ a, f }) => ({
          id: f.id,
          artefactId: a.id,
          authorId: f.byPupil ? pupilId : null,
          parentId: f.parentId,
          // A voice message whose recording could not be kept still says something.
          body: f.body.trim() || voiceOf(f.voice) ? f.body : '…',
          ...(f.createdAt ? { createdAt: f.createdAt } : {}),
          editedAt: f.editedAt,
          importedAuthor: f.importedAuthor ? JSON.stringify(f.importedAuthor) : null,
          goalIds: f.goalIds ?? [],
          revise: f.revise ?? false,
          answeredVersion: f.answeredVersion ?? null,
          answeredAt: f.answeredAt ?? null,
          voice: voiceOf(f.voice) ? JSON.stringify(voiceOf(f.voice)) : null,
          anchor: f.anchor ? JSON.stringify(f.anchor) : null,
        })),
      )
      .execute(),
  );
  // Events of the artefacts this import creates: the pupil's, or a name-only person's.
  const events = plan.artefacts.flatMap((a) => (a.row ? (a.events ?? []).map((e) => ({ a, e })) : []));
  await inBatches(events, (rows) =>
    trx
      .insertInto('artefactEvents')
      .values(
        rows.map(({ a, e }) => ({
          artefactId: a.id,
          actorId: e.byPupil ? pupilId : null,
          importedActor: e.importedAuthor ? JSON.stringify(e.importedAuthor) : null,
          kind: e.kind,
          details: JSON.stringify(e.details),
          shared: e.shared,
          ...(e.createdAt ? { createdAt: e.createdAt } : {}),
        })),
      )
      .execute(),
  );
  // Issue 10 §5: peer feedback received, on the artefacts this import creates; classmates by name only.
  await inBatches(
    plan.artefacts.flatMap((a) => (a.row ? (a.peerFeedback ?? []).map((p) => ({ ...p, artefactId: a.id })) : [])),
    (rows) => insertImportedPeerFeedback(trx, rows),
  );
  // Issue 12 §2: guardian comments, on the artefacts this import creates, for the target pupil; guardians by name only.
  await inBatches(
    plan.artefacts.flatMap((a) => (a.row ? (a.guardianComments ?? []).map((c) => ({ ...c, artefactId: a.id, pupilId })) : [])),
    (rows) => insertImportedGuardianComments(trx, rows),
  );
  // Goal assessments, for the target pupil only: a teacher level's assessor is never an account here.
  await inBatches(plan.assessments ?? [], (rows) =>
    trx
      .insertInto('goalAssessments')
      .values(
        rows.map((x) => ({
          id: x.id,
          goalId: x.goalId,
          pupilId,
          kind: x.kind,
          assessorId: x.kind === 'self' && x.byPupil ? pupilId : null,
          importedAssessor: x.importedAuthor ? JSON.stringify(x.importedAuthor) : null,
          level: x.level,
          reflection: x.reflection,
          artefactIds: x.artefactIds,
          sharedWithGuardians: x.sharedWithGuardians,
          voice: voiceOf(x.voice) ? JSON.stringify(voiceOf(x.voice)) : null,
          ...(x.createdAt ? { createdAt: x.createdAt } : {}),
        })),
      )
      .execute(),
  );
  // Issue 12 §3: showcases last, so that their items can name the artefacts written above.
  await insertImportedShowcases(trx, plan.showcases ?? [], pupilId);
  return { projects: plan.projects.length, artefacts: newArtefacts.length, media: stored.length - voices.size, feedback: feedback.length };
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
