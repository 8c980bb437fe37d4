import { coverageParamsSchema, coverageSchema, heatmapParamsSchema, heatmapSchema } from '../../../shared/api/insight.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { InsightService } from './insight.service.ts';

/** Issue 10 §6: the teacher's view of a group. */
export function insightRoutes(insight: InsightService): AnyRoute[] {
  const tag = 'Assessment';
  return [
    route({
      method: 'get',
      path: '/api/projects/:projectId/heatmap',
      tag,
      auth: 'user',
      summary: "A project's pupils × goals: each pupil's latest self-assessment and teacher's level, and how much work is linked to each goal",
      params: heatmapParamsSchema,
      response: heatmapSchema,
      handler: ({ actor, params }) => insight.heatmap(actor, params.projectId),
    }),
    route({
      method: 'get',
      path: '/api/groups/:groupId/coverage',
      tag,
      auth: 'user',
      summary: 'Which transversal competences (L1–L7) and subjects each pupil of a group has evidence of this term',
      params: coverageParamsSchema,
      response: coverageSchema,
      handler: ({ actor, params }) => insight.coverage(actor, params.groupId),
    }),
  ];
}
