import type { z } from 'zod';
import type { createGroupRequestSchema, Group, GroupDetail, MyGroup, updateGroupRequestSchema } from '../../../shared/api/org.ts';
import type { GroupRole } from '../../../shared/roles.ts';
import type { Actor } from '../../auth/actor.ts';
import { authorize } from '../../auth/policy.ts';
import { BadRequest, NotFound } from '../../http/errors.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { OrgDeps } from './org.deps.ts';
import { groupWithCount, userHasSchoolRole } from './org.repo.ts';

type GroupRowLike = { id: string; schoolId: string; name: string; schoolYear: string | null; memberCount: number | null };
const presentGroup = (g: GroupRowLike): Group => ({ ...g, memberCount: g.memberCount ?? 0 });

export function groupsService({ db }: OrgDeps) {
  async function loadGroup(groupId: string) {
    const group = await groupWithCount(db).where('groups.id', '=', groupId).executeTakeFirst();
    if (!group) throw new NotFound('The group');
    return group;
  }

  async function members(groupId: string) {
    return db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.userId')
      .select(['users.id as userId', 'users.username', 'users.displayName', 'memberships.role'])
      .where('memberships.groupId', '=', groupId)
      .orderBy('memberships.role', 'desc')
      .orderBy('users.displayName')
      .execute();
  }

  return {
    async listForSchool(actor: Actor, schoolId: string): Promise<Group[]> {
      authorize(actor, 'group.list', { type: 'school', schoolId }, 'The school');
      const rows = await groupWithCount(db).where('groups.schoolId', '=', schoolId).orderBy('groups.name').execute();
      return rows.map(presentGroup);
    },

    async create(actor: Actor, schoolId: string, input: z.infer<typeof createGroupRequestSchema>, ip?: string): Promise<Group> {
      authorize(actor, 'group.create', { type: 'school', schoolId }, 'The school');
      const row = await db.transaction().execute(async (trx) => {
        const group = await trx
          .insertInto('groups')
          .values({ schoolId, name: input.name, schoolYear: input.schoolYear ?? null })
          .returning(['id', 'schoolId', 'name', 'schoolYear'])
          .executeTakeFirstOrThrow();
        await recordAudit(trx, { actorId: actor.id, action: 'group.create', subjectType: 'group', subjectId: group.id, ip });
        return group;
      });
      return presentGroup({ ...row, memberCount: 0 });
    },

    async get(actor: Actor, groupId: string): Promise<GroupDetail> {
      const group = await loadGroup(groupId);
      authorize(actor, 'group.read', { type: 'group', schoolId: group.schoolId, groupId }, 'The group');
      return { group: presentGroup(group), members: await members(groupId) };
    },

    async update(actor: Actor, groupId: string, input: z.infer<typeof updateGroupRequestSchema>, ip?: string): Promise<Group> {
      const group = await loadGroup(groupId);
      authorize(actor, 'group.update', { type: 'group', schoolId: group.schoolId, groupId }, 'The group');
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('groups')
          .set({ ...input, updatedAt: new Date() })
          .where('id', '=', groupId)
          .execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'group.update',
          subjectType: 'group',
          subjectId: groupId,
          details: { fields: Object.keys(input) },
          ip,
        });
      });
      return presentGroup(await loadGroup(groupId));
    },

    /** Adds a member or changes their role. The user must hold the same role at the group's school. */
    async putMember(actor: Actor, groupId: string, userId: string, role: GroupRole, ip?: string): Promise<GroupDetail> {
      const group = await loadGroup(groupId);
      authorize(actor, 'group.members.manage', { type: 'group', schoolId: group.schoolId, groupId }, 'The group');
      if (!(await userHasSchoolRole(db, userId, group.schoolId, role))) {
        throw new BadRequest(`This user is not a ${role} at the group's school.`, [{ path: 'params.userId', message: `must be a ${role} at this school` }]);
      }
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('memberships')
          .values({ groupId, userId, role })
          .onConflict((oc) => oc.columns(['groupId', 'userId']).doUpdateSet({ role }))
          .execute();
        await recordAudit(trx, {
          actorId: actor.id,
          action: 'membership.put',
          subjectType: 'group',
          subjectId: groupId,
          subjectUserId: userId,
          details: { role },
          ip,
        });
      });
      return { group: presentGroup(await loadGroup(groupId)), members: await members(groupId) };
    },

    async removeMember(actor: Actor, groupId: string, userId: string, ip?: string): Promise<GroupDetail> {
      const group = await loadGroup(groupId);
      authorize(actor, 'group.members.manage', { type: 'group', schoolId: group.schoolId, groupId }, 'The group');
      await db.transaction().execute(async (trx) => {
        const removed = await trx.deleteFrom('memberships').where('groupId', '=', groupId).where('userId', '=', userId).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) throw new NotFound('The member');
        await recordAudit(trx, { actorId: actor.id, action: 'membership.delete', subjectType: 'group', subjectId: groupId, subjectUserId: userId, ip });
      });
      return { group: presentGroup(await loadGroup(groupId)), members: await members(groupId) };
    },

    /** The actor's own groups with their pupils and teachers: the teacher's home page. Two queries whatever the count. */
    async mine(actor: Actor): Promise<MyGroup[]> {
      const groups = await db
        .selectFrom('memberships')
        .innerJoin('groups', 'groups.id', 'memberships.groupId')
        .innerJoin('schools', 'schools.id', 'groups.schoolId')
        .select(['groups.id', 'groups.name', 'groups.schoolYear', 'memberships.role', 'schools.id as schoolId', 'schools.name as schoolName'])
        .where('memberships.userId', '=', actor.id)
        .orderBy('schools.name')
        .orderBy('groups.name')
        .execute();
      if (groups.length === 0) return [];
      const people = await db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.userId')
        .select(['memberships.groupId', 'memberships.role', 'users.id', 'users.displayName'])
        .where(
          'memberships.groupId',
          'in',
          groups.map((g) => g.id),
        )
        .where('users.active', '=', true)
        .orderBy('users.displayName')
        .execute();
      return groups.map((g) => {
        const inGroup = people.filter((p) => p.groupId === g.id);
        // A pupil sees who teaches the group, but not the classmates' list.
        const pupils = g.role === 'teacher' ? inGroup.filter((p) => p.role === 'pupil') : [];
        return {
          id: g.id,
          name: g.name,
          schoolYear: g.schoolYear,
          school: { id: g.schoolId, name: g.schoolName },
          role: g.role,
          pupils: pupils.map(({ id, displayName }) => ({ id, displayName })),
          teachers: inGroup.filter((p) => p.role === 'teacher').map(({ id, displayName }) => ({ id, displayName })),
        };
      });
    },
  };
}
