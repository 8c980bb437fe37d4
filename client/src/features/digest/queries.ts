import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { NotificationPreferences } from '../../../../shared/api/digest.ts';
import { digestApi } from './api.ts';

export const digestKeys = {
  preferences: ['notification-preferences'] as const,
  week: (week: string | null) => ['digest', week ?? 'current'] as const,
};

export const usePreferencesQuery = () => useQuery({ queryKey: digestKeys.preferences, queryFn: ({ signal }) => digestApi.preferences(signal) });

export function useSavePreferencesMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (p: NotificationPreferences) => digestApi.savePreferences(p),
    onSuccess: (view) => queryClient.setQueryData(digestKeys.preferences, view),
  });
}

export const useDigestQuery = (week: string | null) => useQuery({ queryKey: digestKeys.week(week), queryFn: ({ signal }) => digestApi.digest(week, signal) });
