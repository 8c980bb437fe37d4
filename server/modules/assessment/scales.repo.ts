import { DEFAULT_SCALE_KEY, type Scale } from '../../../shared/api/scales.ts';
import type { SelectQueryBuilder } from 'kysely';
import type { Database, ImportedScale } from '../../db/schema.ts';
import type { Db } from '../../db/database.ts';

const columns = ['id', 'schoolId', 'builtinKey', 'name', 'levels', 'updatedAt'] as const;
type Row = { id: string; schoolId: string | null; builtinKey: string | null; name: Scale['name']; levels: Scale['levels']; updatedAt: Date };

function toScale(row: Row): Scale {
  return { ...row, updatedAt: row.updatedAt.toISOString() };
}

/** The built-in scales (first, in their fixed order) and the school's own (oldest first). */
export async function listScales(db: Db, schoolId: string): Promise<Scale[]> {
  const rows = await db
    .selectFrom('assessmentScales')
    .select(columns)
    .where((eb) => eb.or([eb('schoolId', 'is', null), eb('schoolId', '=', schoolId)]))
    .orderBy((eb) => eb.case().when('schoolId', 'is', null).then(0).else(1).end())
    .orderBy('createdAt')
    .orderBy('builtinKey')
    .orderBy('id')
    .execute();
  return rows.map(toScale);
}

export async function findScale(db: Db, scaleId: string): Promise<Scale | null> {
  const row = await db.selectFrom('assessmentScales').select(columns).where('id', '=', scaleId).executeTakeFirst();
  return row ? toScale(row) : null;
}

export async function insertScale(db: Db, values: { schoolId: string; name: Scale['name']; levels: Scale['levels'] }): Promise<string> {
  const row = await db
    .insertInto('assessmentScales')
    .values({ schoolId: values.schoolId, name: JSON.stringify(values.name), levels: JSON.stringify(values.levels) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateScale(db: Db, scaleId: string, values: { name?: Scale['name'] | undefined; levels?: Scale['levels'] | undefined }): Promise<void> {
  await db
    .updateTable('assessmentScales')
    .set({
      ...(values.name ? { name: JSON.stringify(values.name) } : {}),
      ...(values.levels ? { levels: JSON.stringify(values.levels) } : {}),
      updatedAt: new Date(),
    })
    .where('id', '=', scaleId)
    .where('schoolId', 'is not', null)
    .execute();
}

/** Scales by ids (a subquery of ids, so a caller need not load them first). */
export async function findScales(db: Db, ids: SelectQueryBuilder<Database, 'projects', { scaleId: string | null }>): Promise<Scale[]> {
  const rows = await db.selectFrom('assessmentScales').select(columns).where('id', 'in', ids).execute();
  return rows.map(toScale);
}

/** The built-in 4-step growth scale: what a project without a scale of its own uses. The migration seeds it. */
export async function defaultScale(db: Db): Promise<Scale> {
  const row = await db.selectFrom('assessmentScales').select(columns).where('builtinKey', '=', DEFAULT_SCALE_KEY).executeTakeFirstOrThrow();
  return toScale(row);
}

/**
 * An imported project's own scale (migration 0025) as the app shows scales: it has the project's id
 * and belongs to no school, so no school lists or edits it.
 */
export function importedProjectScale(project: { id: string; updatedAt: Date }, scale: ImportedScale): Scale {
  return { id: project.id, schoolId: null, builtinKey: null, name: scale.name, levels: scale.levels, updatedAt: project.updatedAt.toISOString() };
}
