import type { ExportScope } from '../../../../shared/api/portability.ts';
import type { ShowcaseDoc } from '../../../../shared/portability/portfolio-format.ts';
import { showcaseSharedWithGuardians } from '../../../auth/policy.ts';
import type { Db } from '../../../db/database.ts';
import { showcasesDb } from '../../showcases/showcase-tables.ts';
import { showcaseFactsWhere } from '../../showcases/showcases.repo.ts';

/** Far above what a pupil can hold (an import may bring more than the per-pupil limit): every showcase is weighed. */
const MAX_EXPORTED_SHOWCASES = 100_000;

/**
 * The pupil's showcases as `portfolio.json` states them (format 4), in two queries. A shared export
 * (a guardian's) holds only showcases shared with guardians, and of their items only text blocks and
 * artefacts the export itself holds: a showcase never carries private work into a guardian's archive.
 * Which showcases guardians see is the policy's one check (showcaseSharedWithGuardians), never a test of
 * its own here, so the archive holds what the app shows them and any condition added there holds here too.
 */
export async function loadShowcaseDocs(db: Db, pupilId: string, scope: ExportScope, exported: ReadonlySet<string>): Promise<ShowcaseDoc[]> {
  const sdb = showcasesDb(db);
  const all = await sdb.selectFrom('showcases').selectAll().where('ownerId', '=', pupilId).orderBy('createdAt', 'desc').orderBy('id', 'desc').execute();
  const forGuardians =
    scope === 'shared'
      ? new Set(
          (await showcaseFactsWhere(db, { ownerId: pupilId }, MAX_EXPORTED_SHOWCASES))
            .filter((f) => showcaseSharedWithGuardians(f.resource))
            .map((f) => f.row.id),
        )
      : null;
  const showcases = forGuardians ? all.filter((s) => forGuardians.has(s.id)) : all;
  if (showcases.length === 0) return [];
  const items = await sdb
    .selectFrom('showcaseItems')
    .selectAll()
    .where(
      'showcaseId',
      'in',
      showcases.map((s) => s.id),
    )
    .orderBy('showcaseId')
    .orderBy('position')
    .execute();
  return showcases.map((s) => ({
    id: s.id,
    title: s.title,
    introHtml: s.introHtml,
    visibility: s.visibility,
    projectId: s.projectId,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    origin: s.origin,
    items: items
      .filter((i) => i.showcaseId === s.id && (i.artefactId === null || exported.has(i.artefactId)))
      .map((i) => ({ artefactId: i.artefactId, heading: i.heading, bodyHtml: i.bodyHtml })),
  }));
}
