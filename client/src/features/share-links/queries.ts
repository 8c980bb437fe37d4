import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateShareLinkRequest, ShareSubject } from '../../../../shared/api/share-links.ts';
import { shareLinksApi } from './api.ts';

export const shareLinkKeys = {
  all: ['share-links'] as const,
  of: (subject: ShareSubject) => [...shareLinkKeys.all, subject.type, subject.id] as const,
};

export const useShareLinksQuery = (subject: ShareSubject) =>
  useQuery({ queryKey: shareLinkKeys.of(subject), queryFn: ({ signal }) => shareLinksApi.list(subject, signal), retry: false });

export function useCreateShareLinkMutation(subject: ShareSubject) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Omit<CreateShareLinkRequest, 'subject'>) => shareLinksApi.create({ ...body, subject }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: shareLinkKeys.of(subject) }),
  });
}

export function useRevokeShareLinkMutation(subject: ShareSubject) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (linkId: string) => shareLinksApi.revoke(linkId),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: shareLinkKeys.of(subject) }),
  });
}
