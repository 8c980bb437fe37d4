import {
  goalAssessmentSchema,
  goalPageSchema,
  type CreateGoalAssessmentRequest,
  type ShareGoalAssessmentRequest,
} from '../../../../shared/api/goal-assessments.ts';
import { apiPath, http } from '../../lib/http.ts';
import { postMultipart } from '../../lib/upload.ts';

export const goalsApi = {
  page: (goalId: string, pupilId: string, signal?: AbortSignal) => http.get(apiPath('/api/goals', goalId, 'pupils', pupilId), goalPageSchema, signal),
  assess: (goalId: string, pupilId: string, body: CreateGoalAssessmentRequest) =>
    http.post(apiPath('/api/goals', goalId, 'pupils', pupilId, 'assessments'), body, goalAssessmentSchema),
  /** With a spoken reflection (issue 10 §2): the fields first, then the recording. */
  assessVoice: (goalId: string, pupilId: string, body: CreateGoalAssessmentRequest, audio: File) => {
    const form = new FormData();
    form.append('data', JSON.stringify(body));
    form.append('audio', audio, audio.name);
    return postMultipart(`${apiPath('/api/goals', goalId, 'pupils', pupilId, 'assessments')}/voice`, form, goalAssessmentSchema);
  },
  share: (assessmentId: string, body: ShareGoalAssessmentRequest) =>
    http.patch(apiPath('/api/goal-assessments', assessmentId, 'sharing'), body, goalAssessmentSchema),
};
