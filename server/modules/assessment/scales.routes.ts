import { schoolParamsSchema } from '../../../shared/api/org.ts';
import { createScaleRequestSchema, scaleListSchema, scaleParamsSchema, scaleSchema, updateScaleRequestSchema } from '../../../shared/api/scales.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { ScalesService } from './scales.service.ts';

export function scaleRoutes(scales: ScalesService): AnyRoute[] {
  const tag = 'Assessment';
  return [
    route({
      method: 'get',
      path: '/api/schools/:schoolId/scales',
      tag,
      auth: 'user',
      summary: "Assessment scales a school's projects may use: the built-ins and the school's own",
      params: schoolParamsSchema,
      response: scaleListSchema,
      handler: async ({ actor, params }) => ({ scales: await scales.list(actor, params.schoolId) }),
    }),
    route({
      method: 'post',
      path: '/api/schools/:schoolId/scales',
      tag,
      auth: 'user',
      summary: "Add an assessment scale to the school (the school's admins)",
      params: schoolParamsSchema,
      body: createScaleRequestSchema,
      response: scaleSchema,
      status: 201,
      handler: ({ actor, params, body, req }) => scales.create(actor, params.schoolId, body, req.ip),
    }),
    route({
      method: 'patch',
      path: '/api/scales/:scaleId',
      tag,
      auth: 'user',
      summary: "Edit one of the school's own assessment scales (its admins; built-ins are read-only)",
      params: scaleParamsSchema,
      body: updateScaleRequestSchema,
      response: scaleSchema,
      handler: ({ actor, params, body, req }) => scales.update(actor, params.scaleId, body, req.ip),
    }),
  ];
}
