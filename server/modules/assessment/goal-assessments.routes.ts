import {
  createGoalAssessmentRequestSchema,
  goalAssessmentParamsSchema,
  goalAssessmentSchema,
  goalPageSchema,
  goalPupilParamsSchema,
  shareGoalAssessmentRequestSchema,
} from '../../../shared/api/goal-assessments.ts';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { route, type AnyRoute } from '../../http/route.ts';
import { uploadedVoice } from '../../media/voice.ts';
import type { GoalAssessmentsService } from './goal-assessments.service.ts';

const multipartVoice = z.object({
  data: z.string().describe('JSON of the assessment (CreateGoalAssessmentRequest), sent before the file'),
  audio: z.string().meta({ format: 'binary' }).describe('The spoken reflection (WebM, Ogg, MP3, M4A, WAV …)'),
});

/** `voiceUpload`: the upload step of the spoken-reflection route (who may assess here, checked before the body is read). */
export function goalAssessmentRoutes(assessments: GoalAssessmentsService, voiceUpload: RequestHandler): AnyRoute[] {
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
    // --- Voice reflections (issue 10, section 2) ---
    route({
      method: 'post',
      path: '/api/goals/:goalId/pupils/:pupilId/assessments/voice',
      tag,
      auth: 'user',
      status: 201,
      before: [voiceUpload],
      summary: 'Assess a goal with a spoken reflection (multipart `data` + `audio`), stored and stripped like other audio',
      multipartDoc: multipartVoice,
      params: goalPupilParamsSchema,
      response: goalAssessmentSchema,
      handler: ({ actor, params, req }) =>
        assessments.createVoice(actor, params.goalId, params.pupilId, (req.body as { data?: unknown } | undefined)?.data, uploadedVoice(req), req.ip),
    }),
    route({
      method: 'get',
      path: '/api/goal-assessments/:assessmentId/voice',
      tag,
      auth: 'user',
      summary: 'The spoken reflection of an assessment: after the policy check, a redirect to a short-lived signed URL',
      params: goalAssessmentParamsSchema,
      handler: async ({ actor, params, res }) => {
        const url = await assessments.voiceUrl(actor, params.assessmentId);
        res.setHeader('Cache-Control', 'private, max-age=60');
        res.redirect(302, url);
      },
    }),
  ];
}
