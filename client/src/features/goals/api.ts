import {
  goalAssessmentSchema,
  goalPageSchema,
  type CreateGoalAssessmentRequest,
  type ShareGoalAssessmentRequest,
} from '../../../../shared/api/goal-assessments.ts';
import { apiPath, http } from '../../lib/http.ts';

export const goalsApi = {
  page: (goalId: string, pupilId: string, signal?: AbortSignal) => http.get(apiPath('/api/goals', goalId, 'pupils', pupilId), goalPageSchema, signal),
  assess: (goalId: string, pupilId: string, body: CreateGoalAssessmentRequest) =>
    http.post(apiPath('/api/goals', goalId, 'pupils', pupilId, 'assessments'), body, goalAssessmentSchema),
  share: (assessmentId: string, body: ShareGoalAssessmentRequest) =>
    http.patch(apiPath('/api/goal-assessments', assessmentId, 'sharing'), body, goalAssessmentSchema),
};
