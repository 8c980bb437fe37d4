import { guardianVersionSql } from '../guardian-sharing/guardian-sharing.sql.ts';
import { sql } from 'kysely';
import { z } from 'zod';
import {
  importPreviewSchema,
  importReportSchema,
  importTargetSchema,
  jobErrorSchema,
  jobProgressSchema,
  type ExportJob,
  type ImportJob,
} from '../../../shared/api/portability.ts';
import type { Db } from '../../db/database.ts';
import type { JobRow } from './jobs.ts';

/** A job row with the names the presenters show, and the schools its policy resource needs. */
export interface JobView {
  row: JobRow;
  requester: { id: string; displayName: string };
  pupil: { id: string; displayName: string } | null;
  schoolIds: string[];
}

/** The row and the facts around it in a fixed number of queries; null when it does not exist. */
export async function loadJob(db: Db, jobId: string, kind: JobRow['kind']): Promise<JobView | null> {
  const row = await db.selectFrom('portabilityJobs').selectAll().where('id', '=', jobId).where('kind', '=', kind).executeTakeFirst();
  if (!row) return null;
  return (await viewsOf(db, [row]))[0] ?? null;
}

/** Names and schools for many rows at once (list endpoints). */
export async function viewsOf(db: Db, rows: readonly JobRow[]): Promise<JobView[]> {
  if (rows.length === 0) return [];
  const userIds = [...new Set(rows.flatMap((r) => [r.requestedBy, ...(r.pupilId ? [r.pupilId] : [])]))];
  const [users, schools] = await Promise.all([
    db.selectFrom('users').select(['id', 'displayName']).where('id', 'in', userIds).execute(),
    db.selectFrom('schoolRoles').select(['userId', 'schoolId']).where('userId', 'in', userIds).where('role', '=', 'pupil').execute(),
  ]);
  const names = new Map(users.map((u) => [u.id, u.displayName]));
  return rows.map((row) => {
    const pupilSchools = row.pupilId ? schools.filter((s) => s.userId === row.pupilId).map((s) => s.schoolId) : [];
    return {
      row,
      requester: { id: row.requestedBy, displayName: names.get(row.requestedBy) ?? '' },
      pupil: row.pupilId ? { id: row.pupilId, displayName: names.get(row.pupilId) ?? '' } : null,
      schoolIds: [...new Set([...pupilSchools, ...(row.schoolId ? [row.schoolId] : [])])],
    };
  });
}

export const jobResource = (view: JobView) => ({ type: 'portabilityJob' as const, requestedBy: view.row.requestedBy, schoolIds: view.schoolIds });

const importResultSchema = z.object({ preview: importPreviewSchema.nullable().optional(), report: importReportSchema.nullable().optional() });

/** JSON columns are ours, but they outlive code versions: read them leniently, never crash a list on one. */
function parsed<T>(schema: z.ZodType<T>, value: unknown): T | null {
  const result = schema.safeParse(value);
  return result.success ? result.data : null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const includedSchema = z.object({ included: z.object({ artefactIds: z.array(z.string()), mediaIds: z.array(z.string()) }) });

/**
 * Whether a guardian's (shared-scope) archive holds something the pupil no longer shares with
 * guardians: an artefact unshared or deleted, or a media item removed, since it was made. Such an
 * archive is not handed out any more (the guardian makes a new one). An archive that does not say
 * what it holds (made before this check) counts as outdated. Full exports are never outdated.
 */
export async function outdatedSharedExport(db: Db, view: JobView): Promise<boolean> {
  const { row } = view;
  if ((row.scope ?? 'full') !== 'shared' || row.status !== 'done' || !row.pupilId) return false;
  const contents = parsed(includedSchema, row.result)?.included;
  if (!contents) return true;
  const { artefactIds, mediaIds } = contents;
  const counts = await sql<{ artefacts: number; media: number }>`
    select
      (select count(*)::int from artefacts
        where id = any(${artefactIds}::uuid[]) and owner_id = ${row.pupilId} and ${guardianVersionSql('artefacts')} is not null and deleted_at is null) as artefacts,
      (select count(*)::int from media_items m join artefacts a on a.id = m.artefact_id
        where m.id = any(${mediaIds}::uuid[]) and a.owner_id = ${row.pupilId} and m.removed_at is null) as media`.execute(db);
  const [found] = counts.rows;
  return !found || found.artefacts < artefactIds.length || found.media < mediaIds.length;
}

export function presentExport(view: JobView, outdated = false): ExportJob {
  const { row } = view;
  return {
    id: row.id,
    kind: 'export',
    status: row.status,
    pupil: view.pupil ?? { id: row.pupilId ?? '', displayName: '' },
    requestedBy: view.requester,
    scope: row.scope ?? 'full',
    locale: row.locale,
    fileName: row.fileName,
    progress: parsed(jobProgressSchema, row.progress),
    size: row.status === 'done' ? row.size : null,
    downloadUrl: row.status === 'done' && !outdated ? `/api/exports/${row.id}/download` : null,
    outdated,
    error: parsed(jobErrorSchema, row.error),
    createdAt: row.createdAt.toISOString(),
    finishedAt: iso(row.finishedAt),
    expiresAt: row.expiresAt.toISOString(),
  };
}

export function presentImport(view: JobView): ImportJob {
  const { row } = view;
  const result = parsed(importResultSchema, row.result);
  const target = parsed(importTargetSchema, row.target) ?? { kind: 'existing' as const, pupilId: row.pupilId ?? '' };
  return {
    id: row.id,
    kind: 'import',
    status: row.status,
    fileName: row.fileName,
    target,
    pupil: view.pupil,
    requestedBy: view.requester,
    progress: parsed(jobProgressSchema, row.progress),
    preview: result?.preview ?? null,
    report: result?.report ?? null,
    error: parsed(jobErrorSchema, row.error),
    createdAt: row.createdAt.toISOString(),
    finishedAt: iso(row.finishedAt),
    expiresAt: row.expiresAt.toISOString(),
  };
}
