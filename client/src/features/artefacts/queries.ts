import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { InfiniteData } from '@tanstack/react-query';
import type { Artefact, ArtefactEvent, CreateArtefactRequest, TimelinePage, UpdateArtefactRequest } from '../../../../shared/api/artefacts.ts';
import { overviewKeys } from '../overview/queries.ts';
import { artefactsApi, type TimelineFilters, type UploadCallbacks } from './api.ts';

export const artefactKeys = {
  all: ['artefacts'] as const,
  timelines: (pupilId: string) => [...artefactKeys.all, 'timeline', pupilId] as const,
  timeline: (pupilId: string, filters: TimelineFilters) => [...artefactKeys.timelines(pupilId), filters] as const,
  /** The pupil's tags (filter chips, suggestions): re-fetched whenever their timelines are. */
  tags: (pupilId: string) => [...artefactKeys.all, 'tags', pupilId] as const,
  detail: (artefactId: string) => [...artefactKeys.all, 'detail', artefactId] as const,
  history: (artefactId: string) => [...artefactKeys.all, 'history', artefactId] as const,
  /** Set (to true) only by the client itself when the server says this user lost access: never fetched. */
  accessLost: (artefactId: string) => [...artefactKeys.all, 'access-lost', artefactId] as const,
};

export function useTimelineQuery(pupilId: string, filters: TimelineFilters) {
  return useInfiniteQuery({
    queryKey: artefactKeys.timeline(pupilId, filters),
    queryFn: ({ pageParam, signal }) => artefactsApi.timeline(pupilId, filters, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}

export const usePupilTagsQuery = (pupilId: string, enabled = true) =>
  useQuery({ queryKey: artefactKeys.tags(pupilId), queryFn: ({ signal }) => artefactsApi.tags(pupilId, signal), enabled });

export const useArtefactQuery = (artefactId: string, enabled = true) =>
  useQuery({ queryKey: artefactKeys.detail(artefactId), queryFn: ({ signal }) => artefactsApi.get(artefactId, signal), enabled });

/** True once the server said this user may no longer see the artefact (it was unshared): pages show that instead of it. */
export function useArtefactAccessLost(artefactId: string): boolean {
  const lost = useQuery<boolean>({ queryKey: artefactKeys.accessLost(artefactId), queryFn: () => false, enabled: false, staleTime: Infinity });
  return lost.data === true;
}

export const useArtefactHistoryQuery = (artefactId: string, enabled: boolean) =>
  useQuery({
    queryKey: artefactKeys.history(artefactId),
    queryFn: ({ signal }) => artefactsApi.history(artefactId, signal),
    enabled,
  });

/** After any change to an artefact: lists that show it are re-fetched; the detail is replaced. */
export function artefactChanged(queryClient: QueryClient, artefact: Artefact | ArtefactEvent): Promise<unknown> {
  // Shared again after an unshare: it may be shown again.
  if (queryClient.getQueryData(artefactKeys.accessLost(artefact.id))) queryClient.setQueryData(artefactKeys.accessLost(artefact.id), false);
  queryClient.setQueryData<Artefact>(artefactKeys.detail(artefact.id), (old) =>
    'unreadFeedbackCount' in artefact ? artefact : old ? { ...artefact, unreadFeedbackCount: old.unreadFeedbackCount } : undefined,
  );
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: artefactKeys.timelines(artefact.owner.id) }),
    queryClient.invalidateQueries({ queryKey: artefactKeys.tags(artefact.owner.id) }),
    queryClient.invalidateQueries({ queryKey: artefactKeys.history(artefact.id) }),
    queryClient.invalidateQueries({ queryKey: overviewKeys.all }),
  ]);
}

export function artefactRemoved(queryClient: QueryClient, artefactId: string, ownerId: string): Promise<unknown> {
  queryClient.removeQueries({ queryKey: artefactKeys.detail(artefactId) });
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: artefactKeys.timelines(ownerId) }),
    queryClient.invalidateQueries({ queryKey: artefactKeys.tags(ownerId) }),
    queryClient.invalidateQueries({ queryKey: overviewKeys.all }),
  ]);
}

/**
 * The receiver lost access to an artefact (it was unshared): it leaves every cached view at once,
 * without waiting for a re-fetch: the detail, its history and feedback, and every timeline page.
 */
export function artefactAccessLost(queryClient: QueryClient, artefactId: string, ownerId: string): Promise<unknown> {
  queryClient.setQueryData(artefactKeys.accessLost(artefactId), true);
  for (const queryKey of [artefactKeys.detail(artefactId), artefactKeys.history(artefactId)]) {
    void queryClient.cancelQueries({ queryKey });
    queryClient.removeQueries({ queryKey });
  }
  queryClient.setQueriesData<InfiniteData<TimelinePage>>({ queryKey: artefactKeys.timelines(ownerId) }, (old) =>
    old ? { ...old, pages: old.pages.map((page) => ({ ...page, items: page.items.filter((item) => item.id !== artefactId) })) } : old,
  );
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: artefactKeys.timelines(ownerId) }),
    queryClient.invalidateQueries({ queryKey: artefactKeys.tags(ownerId) }),
    queryClient.invalidateQueries({ queryKey: overviewKeys.all }),
  ]);
}

export function useCreateArtefactMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ data, files, callbacks }: { data: CreateArtefactRequest; files: readonly File[]; callbacks: UploadCallbacks }) =>
      artefactsApi.create(data, files, callbacks),
    onSuccess: (artefact) => artefactChanged(queryClient, artefact),
  });
}

export function useAddMediaMutation(artefactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ files, callbacks, data }: { files: readonly File[]; callbacks: UploadCallbacks; data?: UpdateArtefactRequest }) =>
      artefactsApi.addMedia(artefactId, files, callbacks, data),
    onSuccess: (artefact) => artefactChanged(queryClient, artefact),
  });
}

export function useUpdateArtefactMutation(artefactId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ body, signal }: { body: UpdateArtefactRequest; signal?: AbortSignal }) => artefactsApi.update(artefactId, body, signal),
    onSuccess: (artefact) => artefactChanged(queryClient, artefact),
  });
}

export function useDeleteArtefactMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (artefact: Artefact) => artefactsApi.remove(artefact.id),
    onSuccess: (_result, artefact) => artefactRemoved(queryClient, artefact.id, artefact.owner.id),
  });
}

export function useRestoreArtefactMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (artefactId: string) => artefactsApi.restore(artefactId),
    onSuccess: (artefact) => artefactChanged(queryClient, artefact),
  });
}
