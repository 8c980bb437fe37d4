import type { ExportScope } from '../../../../shared/api/portability.ts';
import type { ShowcaseDoc } from '../../../../shared/portability/portfolio-format.ts';
import type { Db } from '../../../db/database.ts';
import { showcasesDb } from '../../showcases/showcase-tables.ts';

/**
 * The pupil's showcases as `portfolio.json` states them (format 4), in two queries. A shared export
 * (a guardian's) holds only showcases shared with guardians, and of their items only text blocks and
 * artefacts the export itself holds: a showcase never carries private work into a guardian's archive.
 */
export async function loadShowcaseDocs(db: Db, pupilId: string, scope: ExportScope, exported: ReadonlySet<string>): Promise<ShowcaseDoc[]> {
  const sdb = showcasesDb(db);
  let query = sdb.selectFrom('showcases').selectAll().where('ownerId', '=', pupilId);
  if (scope === 'shared') query = query.where('visibility', '=', 'guardians');
  const showcases = await query.orderBy('createdAt', 'desc').orderBy('id', 'desc').execute();
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
