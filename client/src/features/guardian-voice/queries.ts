import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { GuardianReaction, GuardianSubject } from '../../../../shared/api/guardian-voice.ts';
import { guardianVoiceApi } from './api.ts';

export const guardianVoiceKeys = {
  all: ['guardian-voice'] as const,
  item: (subject: GuardianSubject) => [...guardianVoiceKeys.all, subject.type, subject.id] as const,
  moderation: () => [...guardianVoiceKeys.all, 'moderation'] as const,
};

export const useGuardianVoiceQuery = (subject: GuardianSubject) =>
  useQuery({ queryKey: guardianVoiceKeys.item(subject), queryFn: ({ signal }) => guardianVoiceApi.voice(subject, signal), retry: false });
export const useGuardianModerationQuery = () =>
  useQuery({ queryKey: guardianVoiceKeys.moderation(), queryFn: ({ signal }) => guardianVoiceApi.moderation(signal) });

/** Realtime events carry ids only: the item's voice and the moderation list are read again through the policy. */
export const guardianVoiceChanged = (queryClient: QueryClient, subject?: GuardianSubject | null) =>
  Promise.all([
    queryClient.invalidateQueries({ queryKey: subject ? guardianVoiceKeys.item(subject) : guardianVoiceKeys.all }),
    queryClient.invalidateQueries({ queryKey: guardianVoiceKeys.moderation() }),
  ]);

export function useReactMutation(subject: GuardianSubject) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reaction, given }: { reaction: GuardianReaction; given: boolean }) => guardianVoiceApi.react(subject, reaction, given),
    onSuccess: (voice) => queryClient.setQueryData(guardianVoiceKeys.item(subject), voice),
  });
}
export function useGuardianCommentMutation(subject: GuardianSubject) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => guardianVoiceApi.comment(subject, body),
    onSuccess: () => guardianVoiceChanged(queryClient, subject),
  });
}
export function useGuardianCommentActionMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'approve' | 'hide' | 'report' | 'delete' }) =>
      action === 'report' ? guardianVoiceApi.report(id) : action === 'delete' ? guardianVoiceApi.remove(id) : guardianVoiceApi.moderate(id, action),
    onSuccess: () => guardianVoiceChanged(queryClient),
  });
}
