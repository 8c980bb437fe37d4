import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { SsoMode } from '../../../../shared/api/sso.ts';
import { ssoApi } from './api.ts';

export const ssoKeys = {
  all: ['sso'] as const,
  providers: () => [...ssoKeys.all, 'providers'] as const,
  settings: (schoolId: string) => [...ssoKeys.all, 'settings', schoolId] as const,
};

export const useSsoProvidersQuery = () => useQuery({ queryKey: ssoKeys.providers(), queryFn: ({ signal }) => ssoApi.providers(signal), staleTime: 5 * 60_000 });

export const useSignInSettingsQuery = (schoolId: string) =>
  useQuery({ queryKey: ssoKeys.settings(schoolId), queryFn: ({ signal }) => ssoApi.settings(schoolId, signal) });

export function useUpdateSignInSettingsMutation(schoolId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { passwordSignIn: boolean; providers: Array<{ id: string; mode: SsoMode }> }) => ssoApi.updateSettings(schoolId, body),
    onSuccess: (data) => queryClient.setQueryData(ssoKeys.settings(schoolId), data),
  });
}

export const useLinkCodeMutation = (userId: string, schoolId: string) => useMutation({ mutationFn: () => ssoApi.linkCode(userId, schoolId) });
