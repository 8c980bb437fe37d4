import {
  createGoalAssessmentRequestSchema,
  goalAssessmentParamsSchema,
  goalAssessmentSchema,
  goalPageSchema,
  goalPupilParamsSchema,
  shareGoalAssessmentRequestSchema,
} from '../../../shared/api/goal-assessments.ts';
import { route, type AnyRoute } from '../../http/route.ts';
import type { GoalAssessmentsService } from './goal-assessments.service.ts';

export function goalAssessmentRoutes(assessments: GoalAssessmentsService): AnyRoute[] {
  const tag = 'Assessment';
  return [
    route({
      method: 'get',
      path: '/api/goals/:goalId/pupils/:pupilId',
      tag,
      auth: 'user',
      summary: "A pupil's goal page: the goal, its scale, the evidence and the assessments over time the viewer may see",
      params: goalPupilParamsSchema,
      response: goalPageSchema,
      handler: ({ actor, params }) => assessments.page(actor, params.goalId, params.pupilId),
    }),
    route({
      method: 'post',
      path: '/api/goals/:goalId/pupils/:pupilId/assessments',
      tag,
      auth: 'user',
      summary: "Assess a goal: the pupil's self-assessment, or a teacher's level (kept alongside every earlier one)",
      params: goalPupilParamsSchema,
      body: createGoalAssessmentRequestSchema,
      response: goalAssessmentSchema,
      status: 201,
      handler: ({ actor, params, body, req }) => assessments.create(actor, params.goalId, params.pupilId, body, req.ip),
    }),
    route({
      method: 'patch',
      path: '/api/goal-assessments/:assessmentId/sharing',
      tag,
      auth: 'user',
      summary: 'Share an assessment with guardians, or stop sharing it (the pupil)',
      params: goalAssessmentParamsSchema,
      body: shareGoalAssessmentRequestSchema,
      response: goalAssessmentSchema,
      handler: ({ actor, params, body, req }) => assessments.share(actor, params.assessmentId, body.sharedWithGuardians, req.ip),
    }),
  ];
}
