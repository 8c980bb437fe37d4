import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { CreateGoalAssessmentRequest } from '../../../../shared/api/goal-assessments.ts';
import { goalsApi } from './api.ts';

export const goalKeys = {
  all: ['goals'] as const,
  page: (goalId: string, pupilId: string) => [...goalKeys.all, 'page', goalId, pupilId] as const,
};

export const useGoalPageQuery = (goalId: string, pupilId: string) =>
  useQuery({
    queryKey: goalKeys.page(goalId, pupilId),
    queryFn: ({ signal }) => goalsApi.page(goalId, pupilId, signal),
    enabled: Boolean(goalId && pupilId),
  });

export function useAssessGoalMutation(goalId: string, pupilId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    // With a recording, the spoken reflection goes along (issue 10 §2).
    mutationFn: ({ audio, ...body }: CreateGoalAssessmentRequest & { audio?: File | null }) =>
      audio ? goalsApi.assessVoice(goalId, pupilId, body, audio) : goalsApi.assess(goalId, pupilId, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: goalKeys.page(goalId, pupilId) }),
  });
}

export function useShareAssessmentMutation(goalId: string, pupilId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ assessmentId, shared }: { assessmentId: string; shared: boolean }) => goalsApi.share(assessmentId, { sharedWithGuardians: shared }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: goalKeys.page(goalId, pupilId) }),
  });
}

/** A realtime event about a pupil's goal: the page is fetched again, through the policy (events carry no content). */
export function goalAssessmentsChanged(queryClient: QueryClient, goalId: string, pupilId: string) {
  return queryClient.invalidateQueries({ queryKey: goalKeys.page(goalId, pupilId) });
}
