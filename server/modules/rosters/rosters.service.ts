import { randomUUID } from 'node:crypto';
import type { ColumnType } from 'kysely';
import type { Logger } from 'pino';
import { rosterPreviewSchema, type RosterImport, type RosterPreview, type RosterProgress } from '../../../shared/api/rosters.ts';
import type { SessionEndReason } from '../../../shared/realtime.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { Conflict, HttpError, NotFound } from '../../http/errors.ts';
import type { Notifier } from '../../realtime/notifier.ts';
import { applyRoster } from './roster-apply.ts';
import { RosterRejected, RosterZip, type RosterLimits } from './roster-csv.ts';
import { readRoster } from './roster-formats.ts';
import { loadState, makePlan, previewOf, refuseStrangers } from './roster-plan.ts';
import { forSchool, type SchoolRoster } from './roster-school.ts';
import { rosterDb, type RosterTables } from './rosters.repo.ts';

/** A running apply whose heartbeat is older than this was left by a process that stopped; its transaction was rolled back. */
const STALE_MS = 2 * 60_000;
const WRITE_EVERY_MS = 1_000;
const EMIT_EVERY_MS = 200;

/** A roster refused as a whole: 422 import_rejected with the sentence; `reason` is a RosterMessageCode (with params) for the client to word it. */
export class RosterRejectedError extends HttpError {
  constructor(rejected: RosterRejected) {
    super(422, 'import_rejected', rejected.message, [{ path: 'file', message: rejected.message }]);
    this.reason = rejected.code;
    this.reasonParams = rejected.params;
  }
}

/** Reads a roster file for one school and works out its diff (HTTP and CLI alike). Writes nothing. */
export async function previewRoster(db: Db, filePath: string, school: { id: string; code: string | null }, limits: RosterLimits) {
  const zip = await RosterZip.open(filePath, limits);
  let roster: SchoolRoster;
  try {
    roster = forSchool(await readRoster(zip), school.code);
  } finally {
    zip.close();
  }
  const state = await loadState(rosterDb(db), school.id, roster);
  const plan = makePlan(roster, state, school.id);
  refuseStrangers(plan, state, roster);
  const preview = previewOf(plan, roster, state);
  return { roster, preview };
}

export interface RostersDeps {
  db: Db;
  notifier: Notifier;
  logger: Logger;
  limits: RosterLimits;
  retentionMs: number;
  endUserSessions(userId: string, reason: SessionEndReason): Promise<void>;
  /** Guardian links the roster ended take effect as every ended link does (cached sessions, open pages); the CLI has none to tell. */
  guardianLinksEnded?(links: ReadonlyArray<{ guardianId: string; pupilId: string }>): Promise<void>;
}

type Row = {
  [K in keyof RosterTables['rosterImports']]: RosterTables['rosterImports'][K] extends ColumnType<infer S, unknown, unknown>
    ? S
    : RosterTables['rosterImports'][K];
};

function present(row: Row): RosterImport {
  return {
    id: row.id,
    schoolId: row.schoolId,
    status: row.status,
    format: row.format,
    fileName: row.fileName,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
    preview: rosterPreviewSchema.parse(row.preview),
    progress: (row.progress as RosterProgress | null) ?? null,
    report: (row.report as RosterImport['report']) ?? null,
    error: (row.error as RosterImport['error']) ?? null,
  };
}

export function rostersService(deps: RostersDeps) {
  const db = rosterDb(deps.db);
  const running = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();

  async function schoolOrNotFound(schoolId: string) {
    const school = await db.selectFrom('schools').select(['id', 'code', 'name']).where('id', '=', schoolId).executeTakeFirst();
    if (!school) throw new NotFound('The school');
    return school;
  }

  /** Only a school's admins import its roster; checked before the upload's body is read, and again on every step. */
  async function authorizeSchool(actor: Actor, schoolId: string) {
    const school = await schoolOrNotFound(schoolId);
    authorize(actor, 'roster.import', { type: 'school', schoolId: school.id }, 'The school');
    return school;
  }

  async function visible(actor: Actor, id: string): Promise<Row> {
    let row = (await db.selectFrom('rosterImports').selectAll().where('id', '=', id).executeTakeFirst()) as Row | undefined;
    if (!row || row.expiresAt.getTime() <= Date.now()) throw new NotFound('The roster import');
    authorize(actor, 'roster.import', { type: 'school', schoolId: row.schoolId }, 'The roster import');
    if (row.status === 'running' && (row.heartbeatAt?.getTime() ?? 0) < Date.now() - STALE_MS) {
      // Its process stopped mid-way: the transaction was rolled back, nothing was written. It can be applied again.
      row = ((await db
        .updateTable('rosterImports')
        .set({ status: 'ready', progress: null, heartbeatAt: null, updatedAt: new Date() })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .returningAll()
        .executeTakeFirst()) ?? row) as Row;
    }
    return row;
  }

  async function create(actor: Actor, schoolId: string, file: { path: string; originalname: string }): Promise<RosterImport> {
    const school = await authorizeSchool(actor, schoolId);
    let result: { roster: SchoolRoster; preview: RosterPreview };
    try {
      result = await previewRoster(deps.db, file.path, school, deps.limits);
    } catch (err) {
      if (err instanceof RosterRejected) throw new RosterRejectedError(err);
      throw err;
    }
    const now = new Date();
    const row = await db
      .insertInto('rosterImports')
      .values({
        id: randomUUID(),
        schoolId: school.id,
        requestedBy: actor.id,
        status: 'ready',
        format: result.roster.format,
        fileName: file.originalname.slice(0, 255) || 'roster.zip',
        roster: JSON.stringify(result.roster),
        preview: JSON.stringify(result.preview),
        expiresAt: new Date(now.getTime() + deps.retentionMs),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return present(row as Row);
  }

  async function get(actor: Actor, id: string): Promise<RosterImport> {
    return present(await visible(actor, id));
  }

  async function apply(actor: Actor, id: string): Promise<RosterImport> {
    const row = await visible(actor, id);
    await authorizeSchool(actor, row.schoolId);
    if (row.status !== 'ready') throw new Conflict(row.status === 'done' ? 'This roster has already been applied.' : 'This roster is already being applied.');
    let claimed: Row | undefined;
    try {
      claimed = (await db
        .updateTable('rosterImports')
        .set({ status: 'running', heartbeatAt: new Date(), progress: JSON.stringify({ phase: 'queued', done: 0, total: 1 }), updatedAt: new Date() })
        .where('id', '=', id)
        .where('status', '=', 'ready')
        .returningAll()
        .executeTakeFirst()) as Row | undefined;
    } catch (err) {
      // The partial unique index: another roster of this school is being applied.
      if ((err as { code?: unknown }).code === '23505') throw new Conflict('Another roster of this school is being applied. Wait until it has finished.');
      throw err;
    }
    if (!claimed) throw new Conflict('This roster is already being applied.');
    const job = present(claimed);
    deps.notifier.toUser(actor.id, 'roster.progress', job);
    const done = run(claimed, actor.id).finally(() => running.delete(done));
    running.add(done);
    return job;
  }

  /** The apply itself, in the background: one transaction, progress to the requester, the report at the end. */
  async function run(row: Row, actorId: string): Promise<void> {
    const controller = new AbortController();
    controllers.add(controller);
    let view = present(row);
    let lastWrite = 0;
    let lastEmit = 0;
    let writing: Promise<unknown> = Promise.resolve();
    try {
      const roster = row.roster as SchoolRoster;
      const result = await applyRoster({
        db: deps.db,
        schoolId: row.schoolId,
        roster,
        actorId,
        importId: row.id,
        signal: controller.signal,
        onProgress: (p) => {
          view = { ...view, progress: p };
          const now = Date.now();
          if (now - lastEmit >= EMIT_EVERY_MS || p.phase === 'done') {
            lastEmit = now;
            deps.notifier.toUser(actorId, 'roster.progress', view);
          }
          if (now - lastWrite >= WRITE_EVERY_MS) {
            lastWrite = now;
            writing = writing
              .then(() =>
                db
                  .updateTable('rosterImports')
                  .set({ progress: JSON.stringify(p), heartbeatAt: new Date() })
                  .where('id', '=', row.id)
                  .execute(),
              )
              .catch((err: unknown) => deps.logger.warn({ err }, 'could not record roster progress'));
          }
        },
      });
      await writing;
      const finished = await db
        .updateTable('rosterImports')
        .set({
          status: 'done',
          roster: null,
          report: JSON.stringify(result.counts),
          progress: JSON.stringify({ phase: 'done', done: 1, total: 1 }),
          finishedAt: new Date(),
          heartbeatAt: null,
          updatedAt: new Date(),
        })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      for (const userId of result.deactivated) {
        await deps
          .endUserSessions(userId, 'deactivated')
          .catch((err: unknown) => deps.logger.warn({ err, userId }, 'could not end the sessions of a deactivated user'));
      }
      await deps.guardianLinksEnded?.(result.endedLinks).catch((err: unknown) => deps.logger.warn({ err }, 'could not tell guardians of their ended links'));
      deps.notifier.toUser(actorId, 'roster.finished', present(finished as Row));
    } catch (err) {
      await writing;
      const aborted = controller.signal.aborted;
      if (!aborted && !(err instanceof RosterRejected)) deps.logger.error({ err, rosterImportId: row.id }, 'roster import failed');
      const error = aborted
        ? { code: 'interrupted', message: 'The server stopped while the roster was applied; nothing was changed. Apply it again.' }
        : err instanceof RosterRejected
          ? // The school changed since the preview so that the roster is refused now (see refuseStrangers).
            { code: err.code, message: err.message, params: err.params }
          : { code: 'roster_failed', message: 'The roster could not be applied; nothing was changed. Please try again.' };
      const failed = await db
        .updateTable('rosterImports')
        .set(
          aborted
            ? { status: 'ready', progress: null, heartbeatAt: null, updatedAt: new Date() }
            : { status: 'failed', error: JSON.stringify(error), finishedAt: new Date(), heartbeatAt: null, updatedAt: new Date() },
        )
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirst()
        .catch(() => undefined);
      if (failed) deps.notifier.toUser(actorId, 'roster.failed', { ...present(failed as Row), error });
    } finally {
      controllers.delete(controller);
    }
  }

  async function discard(actor: Actor, id: string): Promise<void> {
    await visible(actor, id);
    const deleted = await db.deleteFrom('rosterImports').where('id', '=', id).where('status', '!=', 'running').executeTakeFirst();
    if (Number(deleted.numDeletedRows) === 0) throw new Conflict('This roster is being applied and can no longer be discarded.');
  }

  return {
    authorizeSchool,
    create,
    get,
    apply,
    discard,
    /** Resolves when every apply this process started has ended (tests, shutdown). */
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
    /** Shutdown: running applies roll back and wait to be applied again. */
    async stop() {
      for (const c of controllers) c.abort(new Error('The server is shutting down.'));
      while (running.size > 0) await Promise.all([...running]);
    },
  };
}

export type RostersService = ReturnType<typeof rostersService>;
