import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BulkUsersRequest, UserDirectoryQuery } from '../../../../shared/api/sign-in-cards.ts';
import { adminKeys } from '../admin/queries.ts';
import { authKeys } from '../auth/queries.ts';
import { cardsApi } from './api.ts';

export const cardKeys = {
  all: ['sign-in-cards'] as const,
  group: (groupId: string) => [...cardKeys.all, 'group', groupId] as const,
  settings: (schoolId: string) => [...cardKeys.all, 'settings', schoolId] as const,
  directory: (schoolId: string, query: UserDirectoryQuery) => [...adminKeys.school(schoolId), 'directory', query] as const,
};

export const useGroupCardsQuery = (groupId: string) =>
  useQuery({ queryKey: cardKeys.group(groupId), queryFn: ({ signal }) => cardsApi.group(groupId, signal) });
export const useCardSettingsQuery = (schoolId: string) =>
  useQuery({ queryKey: cardKeys.settings(schoolId), queryFn: ({ signal }) => cardsApi.settings(schoolId, signal) });
export const useUserDirectoryQuery = (schoolId: string, query: UserDirectoryQuery) =>
  useQuery({
    queryKey: cardKeys.directory(schoolId, query),
    queryFn: ({ signal }) => cardsApi.directory(schoolId, query, signal),
    placeholderData: keepPreviousData,
  });

function useCardMutation<V, R>(fn: (vars: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: cardKeys.all }), queryClient.invalidateQueries({ queryKey: adminKeys.all })]),
  });
}

export const useIssueGroupCardsMutation = (groupId: string) => useCardMutation((pupilIds?: string[]) => cardsApi.issueForGroup(groupId, pupilIds));
export const useGroupPdfMutation = (groupId: string) => useCardMutation((pupilIds?: string[]) => cardsApi.pdfForGroup(groupId, pupilIds));
export const useIssueSchoolCardsMutation = (schoolId: string) => useCardMutation((pupilIds: string[]) => cardsApi.issueForSchool(schoolId, pupilIds));
export const useRevokeCardsMutation = (groupId: string) => useCardMutation((pupilIds?: string[]) => cardsApi.revoke(groupId, pupilIds));
export const useUpdateCardSettingsMutation = (schoolId: string) =>
  useCardMutation((body: { hoursStart: string | null; hoursEnd: string | null }) => cardsApi.updateSettings(schoolId, body));
export const useBulkUsersMutation = (schoolId: string) => useCardMutation((body: BulkUsersRequest) => cardsApi.bulk(schoolId, body));

export function useCardSignInMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => cardsApi.signIn(code),
    onSuccess: (me) => {
      // A shared class tablet: whoever used it before, start clean.
      queryClient.clear();
      queryClient.setQueryData(authKeys.me, me);
    },
  });
}
