import { guardianSeenSql, guardianVersionSql } from '../guardian-sharing/guardian-sharing.sql.ts';
import { sql } from 'kysely';
import type { PupilTags } from '../../../shared/api/tags.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize, portfolioScope, type PortfolioScope } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { NotFound } from '../../http/errors.ts';
import { pupilFacts } from './artefacts.repo.ts';

/** More would not make useful filter chips; the most used come first. */
const MAX_LISTED = 200;

/**
 * The tags of a pupil's artefacts that this viewer may see (the timeline's scope from the policy: a
 * guardian sees the tags of shared work only, a project's teacher those of the project's work), with
 * how many artefacts carry each. Tags differing only in case are one, shown in their most used spelling.
 */
export async function pupilTags(db: Db, actor: Actor, pupilId: string): Promise<PupilTags> {
  const pupil = await pupilFacts(db, pupilId);
  if (!pupil) throw new NotFound('The pupil');
  authorize(actor, 'portfolio.read', pupil.resource, 'The pupil');
  const scope = portfolioScope(actor, pupil.resource, pupil.projectsTaughtBy(actor.id));
  if (!scope) throw new NotFound('The pupil');
  if (scope.kind === 'projects' && scope.projectIds.length === 0) return { tags: [] };
  // Issue 12 §1: a guardian's tags are those of the version they see (a pending edit's tags are not listed).
  const { rows } = await sql<{ tag: string; count: number }>`
    select mode() within group (order by t) as tag, count(*)::int as count
    from artefacts a cross join lateral unnest(${scope.kind === 'shared' ? guardianSeenSql('a').tags : sql`a.tags`}) as t
    where a.owner_id = ${pupilId} and a.deleted_at is null and ${scopeCondition(scope)}
    group by lower(t)
    order by count(*) desc, lower(t)
    limit ${MAX_LISTED}`.execute(db);
  return { tags: rows.map((r) => ({ tag: r.tag, count: r.count })) };
}

function scopeCondition(scope: PortfolioScope) {
  if (scope.kind === 'shared') return sql`${guardianVersionSql('a')} is not null`;
  if (scope.kind === 'projects') return sql`a.project_id = any(${[...scope.projectIds]}::uuid[])`;
  return sql`true`;
}
