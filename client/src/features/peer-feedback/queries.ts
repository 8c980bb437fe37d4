import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { CreatePeerFeedbackRequest, PeerSettings } from '../../../../shared/api/peer-feedback.ts';
import { peerApi } from './api.ts';

export const peerKeys = {
  all: ['peer'] as const,
  project: (projectId: string) => [...peerKeys.all, 'project', projectId] as const,
  moderation: (projectId: string) => [...peerKeys.all, 'moderation', projectId] as const,
  work: (artefactId: string) => [...peerKeys.all, 'work', artefactId] as const,
  artefact: (artefactId: string) => [...peerKeys.all, 'artefact', artefactId] as const,
};

export const useProjectPeerWorkQuery = (projectId: string) =>
  useQuery({ queryKey: peerKeys.project(projectId), queryFn: ({ signal }) => peerApi.projectWork(projectId, signal) });
export const usePeerModerationQuery = (projectId: string, enabled: boolean) =>
  useQuery({ queryKey: peerKeys.moderation(projectId), queryFn: ({ signal }) => peerApi.moderation(projectId, signal), enabled });
export const usePeerWorkQuery = (artefactId: string) =>
  useQuery({ queryKey: peerKeys.work(artefactId), queryFn: ({ signal }) => peerApi.work(artefactId, signal), retry: false });
export const useArtefactPeerFeedbackQuery = (artefactId: string) =>
  useQuery({ queryKey: peerKeys.artefact(artefactId), queryFn: ({ signal }) => peerApi.forArtefact(artefactId, signal), retry: false });

/** Realtime events carry ids only: every peer view re-reads through the policy. */
export const peerChanged = (queryClient: QueryClient) => queryClient.invalidateQueries({ queryKey: peerKeys.all });

export function usePeerSettingsMutation(projectId: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (body: PeerSettings) => peerApi.updateSettings(projectId, body), onSuccess: () => peerChanged(queryClient) });
}
export function usePeerShareMutation(artefactId: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (shared: boolean) => peerApi.share(artefactId, shared), onSuccess: () => peerChanged(queryClient) });
}
export function useGivePeerFeedbackMutation(artefactId: string) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (body: CreatePeerFeedbackRequest) => peerApi.create(artefactId, body), onSuccess: () => peerChanged(queryClient) });
}
export function useReportPeerFeedbackMutation() {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: (id: string) => peerApi.report(id), onSuccess: () => peerChanged(queryClient) });
}
export function useModeratePeerFeedbackMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'approve' | 'hide' }) => peerApi.moderate(id, action),
    onSuccess: () => peerChanged(queryClient),
  });
}
