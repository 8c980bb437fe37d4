import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { CreateExportRequest, ExportJob, ExportJobList, ImportJob, ImportTargetRequest } from '../../../shared/api/portability.ts';
import { DEFAULT_LOCALE } from '../../../shared/roles.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, can, exportScope, schoolsWhere, type Resource } from '../../auth/policy.ts';
import { BadRequest, Conflict, HttpError, NotFound } from '../../http/errors.ts';
import { blobKey } from '../../storage/blob-store.ts';
import { noteBlobKeys } from '../../storage/noted-blob-store.ts';
import { recordAudit } from '../audit/audit.service.ts';
import { pupilFacts } from '../artefacts/artefacts.repo.ts';
import { ImportRejected, previewImport } from './engine.ts';
import { deleteNoted } from './job-lifecycle.ts';
import type { JobRunner } from './jobs.ts';
import type { PortabilityDeps } from './portability.deps.ts';
import { jobResource, loadJob, outdatedSharedExport, presentExport, presentImport, viewsOf, type JobView } from './portability.repo.ts';

const RECENT_EXPORTS = 20;
const SWEEP_BATCH = 100;

/** An archive refused as a whole: 422 with the importer's sentence and its stable reason. */
export class ImportRejectedError extends HttpError {
  constructor(rejected: ImportRejected) {
    super(422, 'import_rejected', rejected.message, [{ path: 'file', message: rejected.message }]);
    this.reason = rejected.code;
    this.reasonParams = rejected.params;
  }
}

export interface UploadedArchive {
  path: string;
  originalname: string;
  size: number;
}

export function portabilityService(deps: PortabilityDeps, runner: Pick<JobRunner, 'kick'>) {
  const { db, blobs, notifier } = deps;

  async function pupilOrNotFound(pupilId: string) {
    const facts = await pupilFacts(db, pupilId);
    if (!facts) throw new NotFound('The pupil');
    return facts.resource;
  }

  /** A job the actor may see; expired ones are gone for everyone, even before the sweep runs. */
  async function visibleJob(
    actor: Actor,
    jobId: string,
    kind: 'export' | 'import',
    action: 'portabilityJob.read' | 'portabilityJob.manage' = 'portabilityJob.read',
  ): Promise<JobView> {
    const what = kind === 'export' ? 'The export' : 'The import';
    const view = await loadJob(db, jobId, kind);
    if (!view || view.row.expiresAt.getTime() <= Date.now()) throw new NotFound(what);
    authorize(actor, action, jobResource(view), what);
    return view;
  }

  const archiveOf = (view: JobView, pupil: Extract<Resource, { type: 'pupil' }>) =>
    ({ type: 'exportArchive', requestedBy: view.row.requestedBy, scope: view.row.scope ?? 'full', pupil }) as const;

  /**
   * An export the actor may see *now*: besides the job's own rule, the export it holds must still be
   * one the actor may take, judged on the pupil's current facts (guardian links, groups, schools).
   * Checked on every look and every download, so access lost after the export was made is lost for it too.
   */
  async function visibleExport(actor: Actor, jobId: string): Promise<JobView> {
    const view = await visibleJob(actor, jobId, 'export');
    const facts = view.row.pupilId ? await pupilFacts(db, view.row.pupilId) : null;
    if (!facts) throw new NotFound('The export');
    authorize(actor, 'exportArchive.read', archiveOf(view, facts.resource), 'The export');
    return view;
  }

  async function startExport(actor: Actor, pupilId: string, body: CreateExportRequest, ip?: string): Promise<ExportJob> {
    const pupil = await pupilOrNotFound(pupilId);
    authorize(actor, 'portfolio.export', pupil, 'The pupil');
    const scope = exportScope(actor, pupil) ?? 'shared';
    const user = await db.selectFrom('users').select(['username', 'locale']).where('id', '=', pupilId).executeTakeFirstOrThrow();
    const now = new Date();
    const id = randomUUID();
    const row = await db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('portabilityJobs')
        .values({
          id,
          kind: 'export',
          status: 'queued',
          store: deps.store,
          requestedBy: actor.id,
          pupilId,
          scope,
          locale: body.locale ?? user.locale ?? actor.locale ?? DEFAULT_LOCALE,
          fileName: `polku-${user.username.replace(/[^a-z0-9._-]/g, '_')}-${now.toISOString().slice(0, 10)}.zip`,
          // Replaced by finish time + retention when done; a job that never finishes goes too.
          expiresAt: new Date(now.getTime() + deps.retentionMs),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordAudit(trx, {
        actorId: actor.id,
        action: 'portfolio.export',
        subjectType: 'user',
        subjectId: pupilId,
        subjectUserId: pupilId,
        details: { jobId: id, scope },
        ip: ip ?? null,
      });
      return inserted;
    });
    // The answer shows the job as it was queued, whatever a runner has done with it since.
    const [view] = await viewsOf(db, [row]);
    if (!view) throw new NotFound('The export');
    const job = presentExport(view);
    notifier.toUser(actor.id, 'export.progress', job);
    runner.kick();
    return job;
  }

  async function listExports(actor: Actor, pupilId: string): Promise<ExportJobList> {
    const pupil = await pupilOrNotFound(pupilId);
    authorize(actor, 'portfolio.export', pupil, 'The pupil');
    // An admin of the pupil's school sees every export of the pupil; anyone else their own.
    const adminHere = pupil.schoolIds.some((s) => schoolsWhere(actor, 'admin').includes(s));
    let query = db
      .selectFrom('portabilityJobs')
      .selectAll()
      .where('kind', '=', 'export')
      .where('pupilId', '=', pupilId)
      .where('expiresAt', '>', new Date())
      .orderBy('createdAt', 'desc')
      .limit(RECENT_EXPORTS);
    if (!adminHere) query = query.where('requestedBy', '=', actor.id);
    const views = (await viewsOf(db, await query.execute())).filter((v) => can(actor, 'exportArchive.read', archiveOf(v, pupil)));
    return { exports: await Promise.all(views.map(async (v) => presentExport(v, await outdatedSharedExport(db, v)))) };
  }

  async function getExport(actor: Actor, jobId: string): Promise<ExportJob> {
    const view = await visibleExport(actor, jobId);
    return presentExport(view, await outdatedSharedExport(db, view));
  }

  /**
   * Where the finished archive can be fetched: a signed URL for exactly this object, named for the download.
   * Issued only after the policy has been asked again (see visibleExport), and short-lived: a URL is a
   * bearer credential that nothing can revoke, so it must not outlive the click that asked for it by much.
   */
  async function downloadUrl(actor: Actor, jobId: string, expiresInSeconds: number): Promise<string> {
    const view = await visibleExport(actor, jobId);
    if (view.row.status !== 'done' || !view.row.blobKey) throw new Conflict('The export is not ready yet.');
    if (await outdatedSharedExport(db, view)) {
      const outdated = new Conflict('Since this export was made, the pupil has stopped sharing some of the work in it. Make a new export.');
      outdated.reason = 'export_outdated';
      throw outdated;
    }
    return blobs.signedUrl(view.row.blobKey, { expiresInSeconds, downloadName: view.row.fileName, contentType: 'application/zip' });
  }

  /** Who may import where, by the policy; returns the row's pupil and school columns. */
  async function authorizeTarget(actor: Actor, target: ImportTargetRequest): Promise<{ pupilId: string | null; schoolId: string | null }> {
    if (target.kind === 'existing') {
      authorize(actor, 'portfolio.import', await pupilOrNotFound(target.pupilId), 'The pupil');
      return { pupilId: target.pupilId, schoolId: null };
    }
    const school = await db.selectFrom('schools').select('id').where('id', '=', target.schoolId).executeTakeFirst();
    if (!school) throw new NotFound('The school');
    authorize(actor, 'portfolio.importNew', { type: 'school', schoolId: school.id }, 'The school');
    if (target.groupId) {
      // Only a group of the school the account is made in; one elsewhere (or none) reads the same, so ids cannot be probed.
      const group = await db
        .selectFrom('groups')
        .select(['id', 'schoolId'])
        .where('id', '=', target.groupId)
        .where('schoolId', '=', school.id)
        .executeTakeFirst();
      if (!group) {
        throw new BadRequest('The group is not a group of the school where the new account is created.', [
          { path: 'body.data.target.groupId', message: 'must be a group of this school' },
        ]);
      }
      authorize(actor, 'group.members.manage', { type: 'group', schoolId: group.schoolId, groupId: group.id }, 'The group');
    }
    return { pupilId: null, schoolId: school.id };
  }

  /**
   * The upload is checked and previewed at once (reading the archive's directory and documents, not
   * its media), then kept in the blob store until it is applied or discarded: the apply job may run
   * in another process, which reaches the blob store but not this one's disk.
   */
  async function createImport(actor: Actor, target: ImportTargetRequest, file: UploadedArchive): Promise<ImportJob> {
    const columns = await authorizeTarget(actor, target);
    let preview;
    try {
      preview = await previewImport({ db, filePath: file.path, fileName: file.originalname, target, limits: deps.limits });
    } catch (err) {
      if (err instanceof ImportRejected) throw new ImportRejectedError(err);
      throw err;
    }
    const id = randomUUID();
    const key = blobKey('tmp', id);
    await noteBlobKeys(db, [key]);
    try {
      await blobs.putStream(key, createReadStream(file.path), { contentType: 'application/octet-stream', size: file.size });
      const now = new Date();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('portabilityJobs')
          .values({
            id,
            kind: 'import',
            status: 'ready',
            store: deps.store,
            requestedBy: actor.id,
            ...columns,
            target: JSON.stringify(target),
            fileName: file.originalname.slice(0, 255) || 'import.zip',
            blobKey: key,
            size: file.size,
            result: JSON.stringify({ preview }),
            expiresAt: new Date(now.getTime() + deps.retentionMs),
          })
          .execute();
        await trx.deleteFrom('pendingBlobs').where('key', '=', key).execute();
      });
    } catch (err) {
      await deleteNoted(db, blobs, key).catch(() => undefined);
      throw err;
    }
    const view = await loadJob(db, id, 'import');
    if (!view) throw new NotFound('The import');
    return presentImport(view);
  }

  async function getImport(actor: Actor, jobId: string): Promise<ImportJob> {
    return presentImport(await visibleJob(actor, jobId, 'import'));
  }

  async function applyImport(actor: Actor, jobId: string): Promise<ImportJob> {
    const view = await visibleJob(actor, jobId, 'import', 'portabilityJob.manage');
    const target = presentImport(view).target;
    // Rights are checked again: they may have changed since the upload.
    await authorizeTarget(actor, target);
    // The audit event is written by the importer, in the transaction of the rows it adds.
    const queued = await db
      .updateTable('portabilityJobs')
      .set({ status: 'queued', updatedAt: new Date() })
      .where('id', '=', jobId)
      .where('status', '=', 'ready')
      .returningAll()
      .executeTakeFirst();
    if (!queued) throw new Conflict(view.row.status === 'done' ? 'This import has already been applied.' : 'This import is already being applied.');
    const job = presentImport({ ...view, row: queued });
    notifier.toUser(view.row.requestedBy, 'import.progress', job);
    runner.kick();
    return job;
  }

  /** Forgets an upload (and its record). An import being applied cannot be discarded: it is all or nothing. */
  async function discardImport(actor: Actor, jobId: string): Promise<void> {
    const view = await visibleJob(actor, jobId, 'import', 'portabilityJob.manage');
    const key = await db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('portabilityJobs')
        .where('id', '=', jobId)
        .where('status', 'not in', ['queued', 'running'])
        .returning('blobKey')
        .executeTakeFirst();
      if (!deleted) return undefined;
      if (deleted.blobKey) await noteBlobKeys(trx, [deleted.blobKey]);
      return deleted.blobKey;
    });
    if (key === undefined) throw new Conflict('This import is being applied and can no longer be discarded.');
    if (key)
      await deleteNoted(db, blobs, key).catch((err: unknown) => deps.logger.warn({ err, key, jobId: view.row.id }, 'could not delete a discarded upload'));
  }

  /**
   * Deletes jobs past their expiry with their archives or uploads: rows in one transaction (their keys
   * noted first), then the blobs. Jobs still queued or running are left alone. Safe in several processes.
   */
  async function sweepExpired(now = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const swept = await sweepBatch(now);
      total += swept;
      if (swept < SWEEP_BATCH) return total;
    }
  }

  async function sweepBatch(now: Date): Promise<number> {
    const keys = await db.transaction().execute(async (trx) => {
      const doomed = await trx
        .selectFrom('portabilityJobs')
        .select(['id', 'blobKey'])
        // Only jobs of this blob store: their keys mean nothing to another store.
        .where('store', '=', deps.store)
        .where('expiresAt', '<=', now)
        .where('status', 'not in', ['queued', 'running'])
        .limit(SWEEP_BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      if (doomed.length === 0) return null;
      const noted = doomed.flatMap((d) => (d.blobKey ? [d.blobKey] : []));
      await noteBlobKeys(trx, noted);
      await trx
        .deleteFrom('portabilityJobs')
        .where(
          'id',
          'in',
          doomed.map((d) => d.id),
        )
        .execute();
      return { rows: doomed.length, noted };
    });
    if (!keys) return 0;
    for (const key of keys.noted) {
      await deleteNoted(db, blobs, key).catch((err: unknown) => deps.logger.warn({ err, key }, 'could not delete an expired archive; the orphan sweeper will'));
    }
    return keys.rows;
  }

  return { startExport, listExports, getExport, downloadUrl, authorizeTarget, createImport, getImport, applyImport, discardImport, sweepExpired };
}

export type PortabilityService = ReturnType<typeof portabilityService>;
