import { MAX_SHOWCASES_PER_PUPIL } from '../../../../shared/api/showcases.ts';
import type { Db } from '../../../db/database.ts';
import { insertImportedGuardianComments } from '../../guardian-voice/guardian-voice.repo.ts';
import { showcasesDb } from '../../showcases/showcase-tables.ts';
import type { PlannedShowcase } from './import-plan.ts';

/**
 * Writes an import's showcases for `pupilId`, after its artefacts (in the same transaction). An item
 * keeps its artefact only when that artefact is the target pupil's own and not deleted: a plan is built
 * from an archive, which may name anyone's work, so the one check is made here for every format. An
 * imported showcase is private, as everything an import brings: sharing it is the pupil's choice.
 */
export async function insertImportedShowcases(trx: Db, planned: readonly PlannedShowcase[], pupilId: string): Promise<number> {
  if (planned.length === 0) return 0;
  const sdb = showcasesDb(trx);
  // The app's per-pupil limit holds for imports too (an archive may hold thousands): the pupil's row locked
  // as insertShowcase locks it, so an import and a new showcase at once cannot both pass it. Beyond it the
  // rest are left out, as items beyond a showcase's limit are.
  await trx.selectFrom('users').select('id').where('id', '=', pupilId).forUpdate().executeTakeFirst();
  const { n } = await sdb
    .selectFrom('showcases')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('ownerId', '=', pupilId)
    .executeTakeFirstOrThrow();
  const showcases = planned.slice(0, Math.max(0, MAX_SHOWCASES_PER_PUPIL - Number(n)));
  if (showcases.length === 0) return 0;
  const named = [...new Set(showcases.flatMap((s) => s.items.flatMap((i) => (i.artefactId ? [i.artefactId] : []))))];
  const owned = new Set(
    named.length
      ? (await trx.selectFrom('artefacts').select('id').where('id', 'in', named).where('ownerId', '=', pupilId).where('deletedAt', 'is', null).execute()).map(
          (r) => r.id,
        )
      : [],
  );
  await sdb
    .insertInto('showcases')
    .values(
      showcases.map((s) => {
        const updatedAt = s.updatedAt ?? s.createdAt;
        return {
          id: s.id,
          ownerId: pupilId,
          title: s.title.slice(0, 200) || '–',
          introHtml: s.introHtml,
          visibility: 'private' as const,
          projectId: s.projectId,
          origin: s.origin ? JSON.stringify(s.origin) : null,
          ...(s.createdAt ? { createdAt: s.createdAt } : {}),
          ...(updatedAt ? { updatedAt } : {}),
        };
      }),
    )
    .execute();
  const items = showcases.flatMap((s) =>
    s.items
      .filter((i) => i.artefactId === null || owned.has(i.artefactId))
      // A text block with nothing in it says nothing; an artefact stands on its own.
      .filter((i) => i.artefactId !== null || i.heading.trim() || i.bodyHtml.trim())
      .map((i, position) => ({
        showcaseId: s.id,
        position,
        artefactId: i.artefactId,
        heading: i.heading.slice(0, 200),
        bodyHtml: i.bodyHtml,
        templateSlot: null,
      })),
  );
  for (let i = 0; i < items.length; i += 1000)
    await sdb
      .insertInto('showcaseItems')
      .values(items.slice(i, i + 1000))
      .execute();
  // Issue 12 §2 on showcases: their guardian comments, on the showcases written here only (not those beyond the limit).
  const comments = showcases.flatMap((s) => (s.guardianComments ?? []).map((c) => ({ ...c, showcaseId: s.id, pupilId })));
  for (let i = 0; i < comments.length; i += 1000) await insertImportedGuardianComments(trx, comments.slice(i, i + 1000));
  return showcases.length;
}
