import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { GuardianReaction } from '../../../../shared/api/guardian-voice.ts';
import { guardianVoiceApi } from './api.ts';

export const guardianVoiceKeys = {
  all: ['guardian-voice'] as const,
  artefact: (artefactId: string) => [...guardianVoiceKeys.all, 'artefact', artefactId] as const,
  moderation: () => [...guardianVoiceKeys.all, 'moderation'] as const,
};

export const useGuardianVoiceQuery = (artefactId: string) =>
  useQuery({ queryKey: guardianVoiceKeys.artefact(artefactId), queryFn: ({ signal }) => guardianVoiceApi.voice(artefactId, signal), retry: false });
export const useGuardianModerationQuery = () =>
  useQuery({ queryKey: guardianVoiceKeys.moderation(), queryFn: ({ signal }) => guardianVoiceApi.moderation(signal) });

/** Realtime events carry ids only: the item's voice and the moderation list are read again through the policy. */
export const guardianVoiceChanged = (queryClient: QueryClient, artefactId?: string) =>
  Promise.all([
    queryClient.invalidateQueries({ queryKey: artefactId ? guardianVoiceKeys.artefact(artefactId) : guardianVoiceKeys.all }),
    queryClient.invalidateQueries({ queryKey: guardianVoiceKeys.moderation() }),
  ]);

export function useReactMutation(artefactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reaction, given }: { reaction: GuardianReaction; given: boolean }) => guardianVoiceApi.react(artefactId, reaction, given),
    onSuccess: (voice) => queryClient.setQueryData(guardianVoiceKeys.artefact(artefactId), voice),
  });
}
export function useGuardianCommentMutation(artefactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => guardianVoiceApi.comment(artefactId, body),
    onSuccess: () => guardianVoiceChanged(queryClient, artefactId),
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
