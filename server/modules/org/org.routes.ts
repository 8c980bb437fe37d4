import { okSchema } from '../../../shared/api/common.ts';
import {
  createGroupRequestSchema,
  createGuardianLinkRequestSchema,
  createSchoolRequestSchema,
  createUserRequestSchema,
  groupDetailSchema,
  groupListSchema,
  groupParamsSchema,
  groupSchema,
  guardianLinkListSchema,
  guardianLinkParamsSchema,
  guardianLinkSchema,
  listSchoolUsersQuerySchema,
  memberParamsSchema,
  myChildrenSchema,
  myGroupsSchema,
  putMemberRequestSchema,
  schoolListSchema,
  schoolParamsSchema,
  schoolSchema,
  schoolUserListSchema,
  schoolUserSchema,
  updateGroupRequestSchema,
  updateSchoolRequestSchema,
  updateUserRequestSchema,
  userDetailSchema,
  userParamsSchema,
} from '../../../shared/api/org.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import { groupsService } from './groups.service.ts';
import { guardianLinksService } from './guardian-links.service.ts';
import type { OrgDeps } from './org.deps.ts';
import { schoolsService } from './schools.service.ts';
import { usersService } from './users.service.ts';

export function orgRoutes(deps: OrgDeps): AnyRoute[] {
  const schools = schoolsService(deps);
  const groups = groupsService(deps);
  const users = usersService(deps);
  const links = guardianLinksService(deps);
  const tag = 'Organisation';

  return [
    route({
      method: 'get', path: '/api/schools', tag, auth: 'user', summary: "The signed-in user's schools",
      response: schoolListSchema,
      handler: async ({ actor }) => ({ schools: await schools.list(actor) }),
    }),
    route({
      method: 'post', path: '/api/schools', tag, auth: 'user', summary: 'Create a school (admins); the creator becomes its admin',
      body: createSchoolRequestSchema, response: schoolSchema, status: 201,
      handler: ({ actor, body, req }) => schools.create(actor, body, req.ip),
    }),
    route({
      method: 'get', path: '/api/schools/:schoolId', tag, auth: 'user', summary: 'One school',
      params: schoolParamsSchema, response: schoolSchema,
      handler: ({ actor, params }) => schools.get(actor, params.schoolId),
    }),
    route({
      method: 'patch', path: '/api/schools/:schoolId', tag, auth: 'user', summary: 'Edit a school (its admins)',
      params: schoolParamsSchema, body: updateSchoolRequestSchema, response: schoolSchema,
      handler: ({ actor, params, body, req }) => schools.update(actor, params.schoolId, body, req.ip),
    }),
    route({
      method: 'get', path: '/api/schools/:schoolId/groups', tag, auth: 'user', summary: "A school's groups (its admins and teachers)",
      params: schoolParamsSchema, response: groupListSchema,
      handler: async ({ actor, params }) => ({ groups: await groups.listForSchool(actor, params.schoolId) }),
    }),
    route({
      method: 'post', path: '/api/schools/:schoolId/groups', tag, auth: 'user', summary: 'Create a group (school admins)',
      params: schoolParamsSchema, body: createGroupRequestSchema, response: groupSchema, status: 201,
      handler: ({ actor, params, body, req }) => groups.create(actor, params.schoolId, body, req.ip),
    }),
    route({
      method: 'get', path: '/api/groups/:groupId', tag, auth: 'user', summary: 'A group with its members (school admins, its teachers)',
      params: groupParamsSchema, response: groupDetailSchema,
      handler: ({ actor, params }) => groups.get(actor, params.groupId),
    }),
    route({
      method: 'patch', path: '/api/groups/:groupId', tag, auth: 'user', summary: 'Edit a group (school admins)',
      params: groupParamsSchema, body: updateGroupRequestSchema, response: groupSchema,
      handler: ({ actor, params, body, req }) => groups.update(actor, params.groupId, body, req.ip),
    }),
    route({
      method: 'put', path: '/api/groups/:groupId/members/:userId', tag, auth: 'user', summary: "Add a member or change their role (school admins)",
      params: memberParamsSchema, body: putMemberRequestSchema, response: groupDetailSchema,
      handler: ({ actor, params, body, req }) => groups.putMember(actor, params.groupId, params.userId, body.role, req.ip),
    }),
    route({
      method: 'delete', path: '/api/groups/:groupId/members/:userId', tag, auth: 'user', summary: 'Remove a member (school admins)',
      params: memberParamsSchema, response: groupDetailSchema,
      handler: ({ actor, params, req }) => groups.removeMember(actor, params.groupId, params.userId, req.ip),
    }),
    route({
      method: 'get', path: '/api/schools/:schoolId/users', tag, auth: 'user', summary: "A school's users, optionally by role (school admins)",
      params: schoolParamsSchema, query: listSchoolUsersQuerySchema, response: schoolUserListSchema,
      handler: async ({ actor, params, query }) => ({ users: await users.listForSchool(actor, params.schoolId, query.role) }),
    }),
    route({
      method: 'post', path: '/api/schools/:schoolId/users', tag, auth: 'user', summary: 'Create a user with a role at the school (school admins)',
      params: schoolParamsSchema, body: createUserRequestSchema, response: schoolUserSchema, status: 201,
      handler: ({ actor, params, body, req }) => users.create(actor, params.schoolId, body, req.ip),
    }),
    route({
      method: 'get', path: '/api/users/:userId', tag, auth: 'user', summary: 'One user with roles, groups and guardian links (self, school admins)',
      params: userParamsSchema, response: userDetailSchema,
      handler: ({ actor, params }) => users.get(actor, params.userId),
    }),
    route({
      method: 'patch', path: '/api/users/:userId', tag, auth: 'user', summary: 'Edit a user; deactivating or setting a password ends their sessions (school admins)',
      params: userParamsSchema, body: updateUserRequestSchema, response: userDetailSchema,
      handler: ({ actor, params, body, req }) => users.update(actor, params.userId, body, req.ip),
    }),
    route({
      method: 'get', path: '/api/schools/:schoolId/guardian-links', tag, auth: 'user', summary: "Guardian links of a school's pupils (school admins)",
      params: schoolParamsSchema, response: guardianLinkListSchema,
      handler: async ({ actor, params }) => ({ links: await links.listForSchool(actor, params.schoolId) }),
    }),
    route({
      method: 'post', path: '/api/guardian-links', tag, auth: 'user', summary: "Link a guardian to a pupil (admins of the pupil's school)",
      body: createGuardianLinkRequestSchema, response: guardianLinkSchema, status: 201,
      handler: ({ actor, body, req }) => links.create(actor, body.guardianId, body.pupilId, req.ip),
    }),
    route({
      method: 'delete', path: '/api/guardian-links/:guardianId/:pupilId', tag, auth: 'user', summary: "Remove a guardian link (admins of the pupil's school)",
      params: guardianLinkParamsSchema, response: okSchema,
      handler: async ({ actor, params, req }) => {
        await links.remove(actor, params.guardianId, params.pupilId, req.ip);
        return { ok: true as const };
      },
    }),
    route({
      method: 'get', path: '/api/me/groups', tag: 'Me', auth: 'user', summary: 'My groups; teachers see their pupils',
      response: myGroupsSchema,
      handler: async ({ actor }) => ({ groups: await groups.mine(actor) }),
    }),
    route({
      method: 'get', path: '/api/me/children', tag: 'Me', auth: 'user', summary: "A guardian's children",
      response: myChildrenSchema,
      handler: async ({ actor }) => ({ children: await users.children(actor) }),
    }),
  ];
}
