import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type {
  AddShowcaseItemRequest,
  CreateShowcaseRequest,
  CreateShowcaseTemplateRequest,
  Showcase,
  UpdateShowcaseItemRequest,
  UpdateShowcaseRequest,
  UpdateShowcaseTemplateRequest,
} from '../../../../shared/api/showcases.ts';
import { showcasesApi } from './api.ts';

export const showcaseKeys = {
  all: ['showcases'] as const,
  mine: () => [...showcaseKeys.all, 'mine'] as const,
  pupil: (pupilId: string) => [...showcaseKeys.all, 'pupil', pupilId] as const,
  project: (projectId: string) => [...showcaseKeys.all, 'project', projectId] as const,
  detail: (id: string) => [...showcaseKeys.all, 'detail', id] as const,
  templates: (projectId: string) => [...showcaseKeys.all, 'templates', projectId] as const,
};

export const useMyShowcasesQuery = () => useQuery({ queryKey: showcaseKeys.mine(), queryFn: ({ signal }) => showcasesApi.mine(signal) });
export const usePupilShowcasesQuery = (pupilId: string) =>
  useQuery({ queryKey: showcaseKeys.pupil(pupilId), queryFn: ({ signal }) => showcasesApi.ofPupil(pupilId, signal), retry: false });
export const useProjectShowcasesQuery = (projectId: string) =>
  useQuery({ queryKey: showcaseKeys.project(projectId), queryFn: ({ signal }) => showcasesApi.ofProject(projectId, signal), retry: false });
export const useShowcaseQuery = (id: string) =>
  useQuery({ queryKey: showcaseKeys.detail(id), queryFn: ({ signal }) => showcasesApi.get(id, signal), retry: false });
export const useShowcaseTemplatesQuery = (projectId: string) =>
  useQuery({ queryKey: showcaseKeys.templates(projectId), queryFn: ({ signal }) => showcasesApi.templates(projectId, signal), retry: false });

/** Realtime events carry ids only: every showcase view reads again through the policy (a 404 means it is gone for this viewer). */
export const showcasesChanged = (queryClient: QueryClient) => queryClient.invalidateQueries({ queryKey: showcaseKeys.all });

/** Every change answers with the whole showcase: put it in the cache, and let the lists read again. */
function useShowcaseMutation<V>(id: string, fn: (vars: V) => Promise<Showcase>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (showcase) => {
      queryClient.setQueryData(showcaseKeys.detail(id), showcase);
      void queryClient.invalidateQueries({ queryKey: showcaseKeys.mine() });
    },
  });
}

export function useCreateShowcaseMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateShowcaseRequest) => showcasesApi.create(body),
    onSuccess: (s) => {
      queryClient.setQueryData(showcaseKeys.detail(s.id), s);
      void queryClient.invalidateQueries({ queryKey: showcaseKeys.mine() });
    },
  });
}
export const useUpdateShowcaseMutation = (id: string) => useShowcaseMutation(id, (body: UpdateShowcaseRequest) => showcasesApi.update(id, body));
export const useAddShowcaseItemMutation = (id: string) => useShowcaseMutation(id, (body: AddShowcaseItemRequest) => showcasesApi.addItem(id, body));
export const useUpdateShowcaseItemMutation = (id: string) =>
  useShowcaseMutation(id, ({ itemId, body }: { itemId: string; body: UpdateShowcaseItemRequest }) => showcasesApi.updateItem(id, itemId, body));
export const useRemoveShowcaseItemMutation = (id: string) => useShowcaseMutation(id, (itemId: string) => showcasesApi.removeItem(id, itemId));
export const useReorderShowcaseMutation = (id: string) => useShowcaseMutation(id, (itemIds: string[]) => showcasesApi.reorder(id, itemIds));

export function useDeleteShowcaseMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => showcasesApi.remove(id),
    onSuccess: (_r, id) => {
      queryClient.removeQueries({ queryKey: showcaseKeys.detail(id) });
      void queryClient.invalidateQueries({ queryKey: showcaseKeys.mine() });
    },
  });
}

export function useStartFromTemplateMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (templateId: string) => showcasesApi.start(templateId),
    onSuccess: (s) => {
      queryClient.setQueryData(showcaseKeys.detail(s.id), s);
      void queryClient.invalidateQueries({ queryKey: showcaseKeys.mine() });
    },
  });
}

export function useTemplateMutations(projectId: string) {
  const queryClient = useQueryClient();
  const onSuccess = () => void queryClient.invalidateQueries({ queryKey: showcaseKeys.templates(projectId) });
  return {
    create: useMutation({ mutationFn: (body: CreateShowcaseTemplateRequest) => showcasesApi.createTemplate(projectId, body), onSuccess }),
    update: useMutation({
      mutationFn: ({ id, body }: { id: string; body: UpdateShowcaseTemplateRequest }) => showcasesApi.updateTemplate(id, body),
      onSuccess,
    }),
    remove: useMutation({ mutationFn: (id: string) => showcasesApi.removeTemplate(id), onSuccess }),
  };
}
