import { sql } from 'kysely';
import type { BulkUsersRequest, DirectoryUser, UserDirectoryResponse, userDirectoryQuerySchema } from '../../../shared/api/sign-in-cards.ts';
import type { SchoolRole } from '../../../shared/roles.ts';
import type { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { authorize, schoolsWhere } from '../../auth/policy.ts';
import { BadRequest, Forbidden, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { OrgDeps } from './org.deps.ts';

type DirectoryQuery = z.output<typeof userDirectoryQuerySchema>;

/** `%` and `_` typed into the search box are letters, not wildcards. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The admin's user list (issue 11 §6): search, filters and paging in one query; bulk actions in one transaction each. */
export function userDirectoryService({ db, endUserSessions }: OrgDeps) {
  return {
    async list(actor: Actor, schoolId: string, query: DirectoryQuery): Promise<UserDirectoryResponse> {
      authorize(actor, 'user.list', { type: 'school', schoolId }, 'The school');
      // A group filter names one of this school's groups: another school's would tell who of this school's people are in it.
      if (query.groupId && !(await db.selectFrom('groups').select('id').where('id', '=', query.groupId).where('schoolId', '=', schoolId).executeTakeFirst()))
        throw new NotFound('The group');
      const filters = [
        query.role
          ? sql`exists (select 1 from school_roles r where r.user_id = u.id and r.school_id = ${schoolId} and r.role = ${query.role})`
          : sql`exists (select 1 from school_roles r where r.user_id = u.id and r.school_id = ${schoolId})`,
      ];
      if (query.q) filters.push(sql`(u.display_name ilike ${likePattern(query.q)} or u.username ilike ${likePattern(query.q)})`);
      if (query.groupId) filters.push(sql`exists (select 1 from memberships m where m.user_id = u.id and m.group_id = ${query.groupId})`);
      if (query.active) filters.push(sql`u.active = ${query.active === 'true'}`);
      const offset = (query.page - 1) * query.pageSize;
      // One statement: the count of all matches, and (lateral) the page's rows with their roles and groups at this school.
      const result = await sql<{ total: string | number; users: DirectoryUser[] | null }>`
        with matches as (select u.id, u.username, u.display_name, u.active from users u where ${sql.join(filters, sql` and `)})
        select (select count(*) from matches) as total,
          (select json_agg(p order by p."displayName", p.id) from (
            select m.id, m.username, m.display_name as "displayName", m.active,
              coalesce((select json_agg(r.role order by r.role) from school_roles r where r.user_id = m.id and r.school_id = ${schoolId}), '[]'::json) as roles,
              coalesce((select json_agg(json_build_object('id', g.id, 'name', g.name) order by g.name)
                from memberships ms join groups g on g.id = ms.group_id where ms.user_id = m.id and g.school_id = ${schoolId}), '[]'::json) as groups
            from matches m order by m.display_name, m.id limit ${query.pageSize} offset ${offset}
          ) p) as users`.execute(db);
      const row = result.rows[0];
      return { users: row?.users ?? [], total: Number(row?.total ?? 0), page: query.page, pageSize: query.pageSize };
    },

    async bulk(actor: Actor, schoolId: string, input: BulkUsersRequest, ip: string | null): Promise<number> {
      authorize(actor, 'user.bulkManage', { type: 'school', schoolId }, 'The school');
      const ids = [...new Set(input.userIds)];
      const roles = await db.selectFrom('schoolRoles').select(['userId', 'schoolId', 'role']).where('userId', 'in', ids).execute();
      const here = new Set(roles.filter((r) => r.schoolId === schoolId).map((r) => r.userId));
      if (ids.some((id) => !here.has(id))) throw new NotFound('Some of the chosen users');
      if (input.action === 'moveToGroup') return moveToGroup(actor, schoolId, ids, input.groupId, roles, ip);
      // The active flag shuts out (or lets back in) the whole account: as `user.manageAccount`, only an admin of
      // every school the account belongs to. Never one's own account.
      const adminOf = new Set(schoolsWhere(actor, 'admin'));
      if (roles.some((r) => !adminOf.has(r.schoolId)))
        throw new Forbidden('Some of the chosen accounts also belong to a school you do not administer; ask its admin.');
      if (ids.includes(actor.id)) throw new BadRequest('You cannot deactivate your own account.');
      const active = input.action === 'activate';
      const changed = await db.transaction().execute(async (trx) => {
        const rows = await trx
          .updateTable('users')
          .set({ active, updatedAt: new Date() })
          .where('id', 'in', ids)
          .where('active', '=', !active)
          .returning('id')
          .execute();
        for (const r of rows) {
          await recordAudit(trx, {
            actorId: actor.id,
            action: 'user.update',
            subjectType: 'user',
            subjectId: r.id,
            subjectUserId: r.id,
            details: { fields: ['active'], bulk: true },
            ip,
          });
        }
        return rows.map((r) => r.id);
      });
      // After commit: a deactivated account's sessions and sockets end at once.
      if (!active) for (const id of changed) await endUserSessions(id, 'deactivated');
      return changed.length;
    },
  };

  /** Pupils leave their other groups at this school and join `groupId` (as the school year changes a class). */
  async function moveToGroup(
    actor: Actor,
    schoolId: string,
    ids: string[],
    groupId: string,
    roles: Array<{ userId: string; schoolId: string; role: SchoolRole }>,
    ip: string | null,
  ) {
    const group = await db.selectFrom('groups').select(['id', 'schoolId']).where('id', '=', groupId).executeTakeFirst();
    if (!group || group.schoolId !== schoolId) throw new NotFound('The group');
    const pupils = new Set(roles.filter((r) => r.schoolId === schoolId && r.role === 'pupil').map((r) => r.userId));
    if (ids.some((id) => !pupils.has(id))) throw new BadRequest('Only pupils are moved between groups; some of the chosen users are not pupils.');
    return db.transaction().execute(async (trx) => {
      const schoolGroups = trx.selectFrom('groups').select('id').where('schoolId', '=', schoolId);
      await trx
        .deleteFrom('memberships')
        .where('userId', 'in', ids)
        .where('role', '=', 'pupil')
        .where('groupId', '<>', groupId)
        .where('groupId', 'in', schoolGroups)
        .execute();
      await trx
        .insertInto('memberships')
        .values(ids.map((userId) => ({ groupId, userId, role: 'pupil' as const })))
        .onConflict((oc) => oc.columns(['groupId', 'userId']).doUpdateSet({ role: 'pupil' }))
        .execute();
      for (const id of ids) {
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'group.members.move',
          subjectType: 'group',
          subjectId: groupId,
          subjectUserId: id,
          details: { bulk: true },
          ip,
        });
      }
      return ids.length;
    });
  }
}
