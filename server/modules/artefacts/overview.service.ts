import { sql } from 'kysely';
import type { GroupOverview } from '../../../shared/api/artefacts.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import type { Db } from '../../db/database.ts';
import { NotFound } from '../../http/errors.ts';
import { mediaUrl } from './artefacts.repo.ts';

const QUEUE_LIMIT = 200;

// "Answered": someone other than the pupil (a teacher) wrote feedback after it was marked ready.
const unanswered = sql<boolean>`not exists (select 1 from feedback f where f.artefact_id = a.id and f.author_id is distinct from a.owner_id and f.created_at >= a.ready_at)`;

/**
 * Whether version `v` reworked the work (content: title, text, links, tags, files) rather than only moving it
 * (project, phase, goals, subjects: versioned since issue 12 §1): a move after feedback is no revision.
 */
const reworked = (v: string) => {
  const content = (alias: string) => {
    const snap = sql.ref(`${alias}.snapshot`);
    return sql`jsonb_build_array(${snap} -> 'title', ${snap} -> 'bodyHtml', ${snap} -> 'links', coalesce(${snap} -> 'tags', '[]'::jsonb), ${snap} -> 'mediaIds')`;
  };
  return sql<boolean>`not exists (select 1 from artefact_versions pv where pv.artefact_id = ${sql.ref(`${v}.artefact_id`)}
    and pv.version = ${sql.ref(`${v}.version`)} - 1 and ${content('pv')} = ${content(v)})`;
};

/** The teacher's view of a group: who has been active, what waits for first feedback, what was revised after it, and what revisions are still to do (issue 10 §4); oldest first. Four queries. */
export function overviewService(db: Db) {
  return {
    async forGroup(actor: Actor, groupId: string): Promise<GroupOverview> {
      const group = await db.selectFrom('groups').select(['id', 'name', 'schoolId']).where('id', '=', groupId).executeTakeFirst();
      if (!group) throw new NotFound('The group');
      authorize(actor, 'group.overview', { type: 'group', schoolId: group.schoolId, groupId }, 'The group');

      const [pupils, queue, revised, requested] = await Promise.all([
        sql<{ id: string; displayName: string; lastActivityAt: Date | null; artefactCount: number; waitingCount: number }>`
          select u.id, u.display_name as "displayName",
            max(a.updated_at) as "lastActivityAt",
            count(a.id)::int as "artefactCount",
            (count(a.id) filter (where a.status = 'ready' and ${unanswered}))::int as "waitingCount"
          from memberships m
          join users u on u.id = m.user_id
          left join artefacts a on a.owner_id = u.id and a.deleted_at is null
          where m.group_id = ${groupId} and m.role = 'pupil' and u.active
          group by u.id, u.display_name
          order by u.display_name`.execute(db),
        sql<{
          artefactId: string;
          title: string;
          kind: GroupOverview['queue'][number]['kind'];
          ownerId: string;
          ownerName: string;
          projectId: string | null;
          readyAt: Date;
          thumbId: string | null;
        }>`
          select a.id as "artefactId", a.title, a.kind, a.owner_id as "ownerId", u.display_name as "ownerName",
            a.project_id as "projectId", a.ready_at as "readyAt",
            (select mi.id from media_items mi where mi.artefact_id = a.id and mi.removed_at is null and mi.variants ? 'thumb'
              order by mi.position limit 1) as "thumbId"
          from artefacts a
          join memberships m on m.user_id = a.owner_id and m.group_id = ${groupId} and m.role = 'pupil'
          join users u on u.id = a.owner_id
          where a.status = 'ready' and a.deleted_at is null and ${unanswered}
          order by a.ready_at asc, a.id
          limit ${QUEUE_LIMIT}`.execute(db),
        // Issue 10 §4. Revised after feedback: a version newer than the latest teacher feedback;
        // `sinceVersion` is the version that feedback was about (the diff's left side).
        sql<{
          artefactId: string;
          title: string;
          kind: GroupOverview['queue'][number]['kind'];
          ownerId: string;
          ownerName: string;
          version: number;
          sinceVersion: number;
          revisedAt: Date;
        }>`
          select a.id as "artefactId", a.title, a.kind, a.owner_id as "ownerId", u.display_name as "ownerName", a.version,
            coalesce((select max(v.version) from artefact_versions v where v.artefact_id = a.id and v.created_at <= t.last_at), 1) as "sinceVersion",
            (select max(v.created_at) from artefact_versions v where v.artefact_id = a.id and ${reworked('v')}) as "revisedAt"
          from artefacts a
          join memberships m on m.user_id = a.owner_id and m.group_id = ${groupId} and m.role = 'pupil'
          join users u on u.id = a.owner_id
          join lateral (select max(f.created_at) as last_at from feedback f where f.artefact_id = a.id and f.author_id is distinct from a.owner_id) t on t.last_at is not null
          where a.deleted_at is null
            and exists (select 1 from artefact_versions v where v.artefact_id = a.id and v.created_at > t.last_at and ${reworked('v')})
          order by "revisedAt" asc, a.id
          limit ${QUEUE_LIMIT}`.execute(db),
        // Revision requested, not yet done: a teacher's request to revise that no version answered.
        sql<{
          artefactId: string;
          title: string;
          kind: GroupOverview['queue'][number]['kind'];
          ownerId: string;
          ownerName: string;
          feedbackId: string;
          requestedAt: Date;
        }>`
          select a.id as "artefactId", a.title, a.kind, a.owner_id as "ownerId", u.display_name as "ownerName", f.id as "feedbackId", f.created_at as "requestedAt"
          from feedback f
          join artefacts a on a.id = f.artefact_id and a.deleted_at is null
          join memberships m on m.user_id = a.owner_id and m.group_id = ${groupId} and m.role = 'pupil'
          join users u on u.id = a.owner_id
          where f.revise and f.answered_version is null
          order by f.created_at asc, f.id
          limit ${QUEUE_LIMIT}`.execute(db),
      ]);
      return {
        group: { id: group.id, name: group.name },
        pupils: pupils.rows.map((p) => ({ ...p, lastActivityAt: p.lastActivityAt ? new Date(p.lastActivityAt).toISOString() : null })),
        queue: queue.rows.map((q) => ({
          artefactId: q.artefactId,
          title: q.title,
          kind: q.kind,
          owner: { id: q.ownerId, displayName: q.ownerName },
          projectId: q.projectId,
          readyAt: new Date(q.readyAt).toISOString(),
          thumbUrl: q.thumbId ? mediaUrl(q.thumbId, 'thumb') : null,
        })),
        revised: revised.rows.map((r) => ({
          artefactId: r.artefactId,
          title: r.title,
          kind: r.kind,
          owner: { id: r.ownerId, displayName: r.ownerName },
          version: r.version,
          sinceVersion: Number(r.sinceVersion),
          revisedAt: new Date(r.revisedAt).toISOString(),
        })),
        revisionRequested: requested.rows.map((r) => ({
          artefactId: r.artefactId,
          title: r.title,
          kind: r.kind,
          owner: { id: r.ownerId, displayName: r.ownerName },
          feedbackId: r.feedbackId,
          requestedAt: new Date(r.requestedAt).toISOString(),
        })),
      };
    },
  };
}
