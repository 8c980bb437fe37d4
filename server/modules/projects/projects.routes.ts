import { createProjectRequestSchema, projectListSchema, projectParamsSchema, projectSchema, updateProjectRequestSchema } from '../../../shared/api/projects.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { ProjectsService } from './projects.service.ts';

export function projectRoutes(projects: ProjectsService): AnyRoute[] {
  const tag = 'Projects';
  return [
    route({
      method: 'get',
      path: '/api/projects',
      tag,
      auth: 'user',
      summary: 'Projects the user teaches, takes part in, has a child in, or administers',
      response: projectListSchema,
      handler: async ({ actor }) => ({ projects: await projects.list(actor) }),
    }),
    route({
      method: 'post',
      path: '/api/projects',
      tag,
      auth: 'user',
      summary: 'Create a phenomenon-based project (teachers and admins of the school)',
      body: createProjectRequestSchema,
      response: projectSchema,
      status: 201,
      handler: ({ actor, body, req }) => projects.create(actor, body, req.ip),
    }),
    route({
      method: 'get',
      path: '/api/projects/:projectId',
      tag,
      auth: 'user',
      summary: 'One project with phases, goals, teachers and groups',
      params: projectParamsSchema,
      response: projectSchema,
      handler: ({ actor, params }) => projects.get(actor, params.projectId),
    }),
    route({
      method: 'patch',
      path: '/api/projects/:projectId',
      tag,
      auth: 'user',
      summary: "Edit a project (its teachers and the school's admins)",
      params: projectParamsSchema,
      body: updateProjectRequestSchema,
      response: projectSchema,
      handler: ({ actor, params, body, req }) => projects.update(actor, params.projectId, body, req.ip),
    }),
  ];
}
