import { schoolParamsSchema } from '../../../shared/api/org.ts';
import { bulkUsersRequestSchema, bulkUsersResponseSchema, userDirectoryQuerySchema, userDirectoryResponseSchema } from '../../../shared/api/sign-in-cards.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { userDirectoryService } from './user-directory.service.ts';

export function userDirectoryRoutes(directory: ReturnType<typeof userDirectoryService>): AnyRoute[] {
  const tag = 'Organisation';
  return [
    route({
      method: 'get',
      path: '/api/schools/:schoolId/user-directory',
      tag,
      auth: 'user',
      summary: "The school's people for its admins: search (name or username), filters (role, group, active) and pages",
      params: schoolParamsSchema,
      query: userDirectoryQuerySchema,
      response: userDirectoryResponseSchema,
      handler: ({ actor, params, query }) => directory.list(actor, params.schoolId, query),
    }),
    route({
      method: 'post',
      path: '/api/schools/:schoolId/users/bulk',
      tag,
      auth: 'user',
      summary: 'A bulk action on chosen users: move pupils to a group, deactivate, or activate (the undo of deactivate)',
      params: schoolParamsSchema,
      body: bulkUsersRequestSchema,
      response: bulkUsersResponseSchema,
      handler: async ({ actor, params, body, req }) => ({ changed: await directory.bulk(actor, params.schoolId, body, req.ip ?? null) }),
    }),
  ];
}
