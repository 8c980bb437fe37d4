import { guardianViewOf } from '../guardian-sharing/guardian-sharing.sql.ts';
import { MAX_ASSESSMENTS_PER_GOAL, type CreateGoalAssessmentRequest, type GoalAssessment, type GoalPage } from '../../../shared/api/goal-assessments.ts';
import { createGoalAssessmentRequestSchema } from '../../../shared/api/goal-assessments.ts';
import { randomUUID } from 'node:crypto';
import type { VoiceRecording } from '../../db/schema.ts';
import type { BlobStore } from '../../storage/blob-store.ts';
import type { MediaOptions } from '../../media/pipeline.ts';
import { claimVoice, discardVoice, storeVoice } from '../../media/voice.ts';
import { guardianStillHears } from '../../auth/policy.ts';
import { isGuardianOf } from '../artefacts/artefacts.repo.ts';
import { issuesFromZod, ValidationFailed } from '../../http/errors.ts';
import type { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can, goalAssessmentAudience, goalAssessmentScope } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { BadRequest, NotFound } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { audienceFacts } from '../artefacts/artefacts.repo.ts';
import { defaultScale, findScale, importedProjectScale } from './scales.repo.ts';
import {
  assessmentRows,
  findAssessment,
  pupilArtefacts,
  pupilGoalFacts,
  type AssessmentRow,
  type PupilArtefactRow,
  type PupilGoalFacts,
} from './goal-assessments.repo.ts';

type CreateInput = z.output<typeof createGoalAssessmentRequestSchema> & CreateGoalAssessmentRequest;

/**
 * Self-assessments and teachers' levels on a pupil's goal (issue 10, section 2). Rows are only added:
 * the goal page shows growth over time. Who sees what is the policy's (goal.read, goalAssessmentScope).
 */
/** A guardian's signed URL of a spoken reflection names this, and is checked again when used. */
const RECHECK_VOICE = 'voice-assessment:';
const VOICE_URL_SECONDS = 300;

export function goalAssessmentsService({ db, notifier, blobs, media }: { db: Db; notifier: Notifier; blobs: BlobStore; media: MediaOptions }) {
  async function facts(goalId: string, pupilId: string): Promise<PupilGoalFacts> {
    const found = await pupilGoalFacts(db, goalId, pupilId);
    if (!found) throw new NotFound('The goal');
    return found;
  }

  /** The artefact as `artefact.read` sees it: the pupil's, in its own project. */
  const artefactResource = (f: PupilGoalFacts, a: PupilArtefactRow) => ({
    type: 'artefact' as const,
    ownerId: f.resource.pupilId,
    ownerGroupIds: f.resource.pupilGroupIds,
    projectTeacherIds: a.projectTeachers.map((t) => t.userId),
    visibility: a.visibility,
    guardianView: guardianViewOf(a.guardianView),
  });

  async function scaleOf(row: PupilGoalFacts['row']) {
    // An imported project may carry a scale of its own (see migration 0025).
    if (row.importedScale) return importedProjectScale({ id: row.projectId, updatedAt: row.projectUpdatedAt }, row.importedScale);
    return (row.scaleId ? await findScale(db, row.scaleId) : null) ?? defaultScale(db);
  }

  function present(r: AssessmentRow, visibleArtefacts: ReadonlySet<string>): GoalAssessment {
    return {
      id: r.id,
      goalId: r.goalId,
      pupilId: r.pupilId,
      kind: r.kind,
      assessor: r.assessorId && r.assessorName ? { id: r.assessorId, displayName: r.assessorName } : null,
      // The name and role only: the id an archive gave the teacher names no account here.
      importedAssessor: !r.assessorId && r.importedAssessor ? { displayName: r.importedAssessor.displayName, role: r.importedAssessor.role } : null,
      level: r.level,
      reflection: r.reflection,
      artefactIds: r.artefactIds.filter((id) => visibleArtefacts.has(id)),
      sharedWithGuardians: r.sharedWithGuardians,
      createdAt: r.createdAt.toISOString(),
      voice: r.voice ? { mime: r.voice.mime, durationMs: r.voice.durationMs, url: `/api/goal-assessments/${r.id}/voice` } : null,
    };
  }

  /** After commit: the pupil and their teachers hear of it, guardians too once it is shared (and when it stops being). */
  async function announce(
    f: PupilGoalFacts,
    event: 'goalAssessment.created' | 'goalAssessment.shared',
    assessmentId: string,
    shared: boolean,
    toGuardiansAnyway = false,
  ) {
    const audience = await audienceFacts(db, f.resource.pupilId);
    const hearing = new Set(goalAssessmentAudience({ type: 'goalAssessment', goal: f.resource, sharedWithGuardians: shared }, audience));
    if (toGuardiansAnyway) for (const g of audience.guardianIds) hearing.add(g);
    const payload = { assessmentId, goalId: f.row.goalId, pupilId: f.resource.pupilId };
    for (const userId of hearing) notifier.toUser(userId, event, payload);
  }

  /** Everything about a new assessment that can be checked before anything is written (or a recording processed). */
  async function check(actor: Actor, goalId: string, pupilId: string, input: CreateInput) {
    const f = await facts(goalId, pupilId);
    const kind: 'self' | 'teacher' = actor.id === pupilId ? 'self' : 'teacher';
    authorize(actor, kind === 'self' ? 'goalAssessment.createSelf' : 'goalAssessment.createTeacher', f.resource, 'The goal');
    if (kind === 'teacher' && input.sharedWithGuardians)
      throw new BadRequest('Only the pupil shares assessments with guardians.', [{ path: 'body.sharedWithGuardians', message: 'must be false for a teacher' }]);
    const scale = await scaleOf(f.row);
    if (input.level >= scale.levels.length)
      throw new BadRequest('The level is not on this project’s scale.', [
        { path: 'body.level', message: `must be a level from 0 to ${scale.levels.length - 1}` },
      ]);
    const ids = [...new Set(input.artefactIds)];
    if (ids.length) {
      const found = await pupilArtefacts(db, pupilId, { ids });
      const readable = found.filter((a) => can(actor, 'artefact.read', artefactResource(f, a)));
      if (readable.length !== ids.length)
        throw new BadRequest('Some of the chosen work is not the pupil’s own or cannot be seen.', [
          { path: 'body.artefactIds', message: 'must be artefacts of the pupil that you may see' },
        ]);
    }
    return { f, kind, ids };
  }

  async function insert(
    actor: Actor,
    checked: Awaited<ReturnType<typeof check>>,
    input: CreateInput,
    voice: VoiceRecording | null,
    ip?: string,
  ): Promise<GoalAssessment> {
    const { f, kind, ids } = checked;
    const goalId = f.row.goalId;
    const pupilId = f.resource.pupilId;
    const reflection = input.reflection ? input.reflection : null;
    const id = await db.transaction().execute(async (trx) => {
      // Rows are only added: a bound keeps the goal page and the heatmap from reading without end.
      const { n } = await trx
        .selectFrom('goalAssessments')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('goalId', '=', goalId)
        .where('pupilId', '=', pupilId)
        .where('kind', '=', kind)
        .executeTakeFirstOrThrow();
      if (Number(n) >= MAX_ASSESSMENTS_PER_GOAL)
        throw new BadRequest(`This goal already has ${MAX_ASSESSMENTS_PER_GOAL} assessments of this kind; no more can be added.`, [
          { path: 'body', message: `at most ${MAX_ASSESSMENTS_PER_GOAL} ${kind === 'self' ? 'self-assessments' : 'teacher assessments'} per goal` },
        ]);
      const row = await trx
        .insertInto('goalAssessments')
        .values({
          goalId,
          pupilId,
          kind,
          assessorId: actor.id,
          level: input.level,
          reflection,
          artefactIds: ids,
          sharedWithGuardians: input.sharedWithGuardians,
          voice: voice ? JSON.stringify(voice) : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await claimVoice(trx, voice);
      await recordAudit(trx, {
        actorId: actor.id,
        action: 'goalAssessment.create',
        subjectType: 'goalAssessment',
        subjectId: row.id,
        subjectUserId: pupilId,
        details: { goalId, kind },
        ip,
      });
      return row.id;
    });
    await announce(f, 'goalAssessment.created', id, input.sharedWithGuardians);
    const [created] = (await assessmentRows(db, goalId, pupilId, false)).filter((r) => r.id === id);
    if (!created) throw new NotFound('The assessment');
    return present(created, new Set(ids));
  }

  return {
    async page(actor: Actor, goalId: string, pupilId: string): Promise<GoalPage> {
      const f = await facts(goalId, pupilId);
      authorize(actor, 'goal.read', f.resource, 'The goal');
      const scope = goalAssessmentScope(actor, f.resource);
      const [scale, artefacts, rows] = await Promise.all([
        scaleOf(f.row),
        pupilArtefacts(db, pupilId, { goalId }),
        assessmentRows(db, goalId, pupilId, scope !== 'all'),
      ]);
      // Issue 12 §1: a viewer who sees only what guardians see gets the title and the goals of that version.
      const asGuardian = (a: PupilArtefactRow) => !can(actor, 'guardianSharing.read', artefactResource(f, a));
      const titleFor = (a: PupilArtefactRow) => (asGuardian(a) ? (a.guardianTitle ?? '') : a.title);
      const readable = artefacts.filter((a) => can(actor, 'artefact.read', artefactResource(f, a)));
      const evidence = readable.filter((a) => (asGuardian(a) ? a.guardianGoalIds : a.goalIds).includes(goalId));
      // Artefacts an assessment points at may no longer be linked to the goal: check those too.
      const linked = new Set(artefacts.map((a) => a.id));
      const others = [...new Set(rows.flatMap((r) => r.artefactIds))].filter((id) => !linked.has(id));
      const pointed = others.length ? await pupilArtefacts(db, pupilId, { ids: others }) : [];
      const visible = new Set([...readable, ...pointed.filter((a) => can(actor, 'artefact.read', artefactResource(f, a)))].map((a) => a.id));
      return {
        goal: { id: f.row.goalId, text: f.row.text, successCriteria: f.row.successCriteria },
        project: { id: f.row.projectId, title: f.row.projectTitle, subjectCodes: f.row.subjectCodes, competenceIds: f.row.competenceIds },
        pupil: { id: pupilId, displayName: f.row.pupilName },
        scale,
        evidence: evidence.map((a) => ({ id: a.id, title: titleFor(a), kind: a.kind, visibility: a.visibility, createdAt: a.createdAt.toISOString() })),
        assessments: rows.map((r) => present(r, visible)),
        canAssess: can(actor, 'goalAssessment.createSelf', f.resource) ? 'self' : can(actor, 'goalAssessment.createTeacher', f.resource) ? 'teacher' : null,
        canShare: can(actor, 'goalAssessment.share', { type: 'goalAssessment', goal: f.resource, sharedWithGuardians: false }),
      };
    },

    async create(actor: Actor, goalId: string, pupilId: string, input: CreateInput, ip?: string): Promise<GoalAssessment> {
      const checked = await check(actor, goalId, pupilId, input);
      return insert(actor, checked, input, null, ip);
    },

    /**
     * An assessment with a spoken reflection (issue 10 §2, multipart `data` + `audio`): the fields are
     * checked first, then the recording goes through the media pipeline and is stored, then the row is
     * written; if the row is not written, the recording is deleted again.
     */
    async createVoice(
      actor: Actor,
      goalId: string,
      pupilId: string,
      data: unknown,
      file: { path: string; originalname: string; size: number } | null,
      ip?: string,
    ): Promise<GoalAssessment> {
      let raw: unknown = {};
      try {
        raw = typeof data === 'string' ? JSON.parse(data) : {};
      } catch {
        throw new ValidationFailed([{ path: 'body.data', message: 'must be JSON' }]);
      }
      const parsed = createGoalAssessmentRequestSchema.safeParse(raw);
      if (!parsed.success) throw new ValidationFailed(issuesFromZod(parsed.error, 'body'));
      if (!file) throw new BadRequest('Send the recording in the "audio" form field.', [{ path: 'body.audio', message: 'required' }]);
      const checked = await check(actor, goalId, pupilId, parsed.data);
      const voice = await storeVoice({ db, blobs, media }, file, randomUUID());
      try {
        return await insert(actor, checked, parsed.data, voice, ip);
      } catch (err) {
        await discardVoice({ db, blobs }, voice);
        throw err;
      }
    },

    /** Who may record here (the upload step asks before the body is read). */
    async mayRecord(actor: Actor, goalId: string, pupilId: string): Promise<void> {
      const f = await facts(goalId, pupilId);
      authorize(actor, actor.id === pupilId ? 'goalAssessment.createSelf' : 'goalAssessment.createTeacher', f.resource, 'The goal');
    },

    /** The spoken reflection of an assessment: wherever the assessment is seen, a short-lived signed URL. */
    async voiceUrl(actor: Actor, assessmentId: string): Promise<string> {
      const found = await findAssessment(db, assessmentId);
      if (!found) throw new NotFound('The recording');
      const f = await facts(found.goalId, found.pupilId);
      const resource = { type: 'goalAssessment' as const, goal: f.resource, sharedWithGuardians: found.sharedWithGuardians };
      authorize(actor, 'goalAssessment.voice.read', resource, 'The recording');
      if (!found.voice) throw new NotFound('The recording');
      return blobs.signedUrl(found.voice.variants.original, {
        expiresInSeconds: VOICE_URL_SECONDS,
        ...(goalAssessmentScope(actor, f.resource) === 'shared' ? { recheck: `${RECHECK_VOICE}${actor.id}:${assessmentId}` } : {}),
      });
    },

    /** The blob route's second look at a guardian's signed URL of a spoken reflection; null: not such a URL. */
    async recheckVoiceUrl(reference: string): Promise<boolean | null> {
      if (!reference.startsWith(RECHECK_VOICE)) return null;
      const [guardianId, assessmentId] = reference.slice(RECHECK_VOICE.length).split(':');
      if (!guardianId || !assessmentId) return false;
      const found = await findAssessment(db, assessmentId);
      const f = found ? await pupilGoalFacts(db, found.goalId, found.pupilId) : null;
      if (!found || !f) return false;
      const resource = { type: 'goalAssessment' as const, goal: f.resource, sharedWithGuardians: found.sharedWithGuardians };
      return guardianStillHears(resource, await isGuardianOf(db, guardianId, found.pupilId));
    },

    /** The pupil shares (or stops sharing) one assessment with their guardians: their own or a teacher's level. */
    async share(actor: Actor, assessmentId: string, shared: boolean, ip?: string): Promise<GoalAssessment> {
      const found = await findAssessment(db, assessmentId);
      if (!found) throw new NotFound('The assessment');
      const f = await facts(found.goalId, found.pupilId);
      authorize(actor, 'goalAssessment.share', { type: 'goalAssessment', goal: f.resource, sharedWithGuardians: found.sharedWithGuardians }, 'The assessment');
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('goalAssessments').set({ sharedWithGuardians: shared }).where('id', '=', assessmentId).execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'goalAssessment.share',
          subjectType: 'goalAssessment',
          subjectId: assessmentId,
          subjectUserId: found.pupilId,
          details: { shared },
          ip,
        });
      });
      // Guardians hear of it either way: sharing shows it, unsharing makes their page drop it.
      await announce(f, 'goalAssessment.shared', assessmentId, shared, true);
      const rows = await assessmentRows(db, found.goalId, found.pupilId, false);
      const row = rows.find((r) => r.id === assessmentId);
      if (!row) throw new NotFound('The assessment');
      return present(row, new Set(row.artefactIds));
    },
  };
}
export type GoalAssessmentsService = ReturnType<typeof goalAssessmentsService>;
