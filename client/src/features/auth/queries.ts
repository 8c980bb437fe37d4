import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { LoginRequest, MeResponse } from '../../../../shared/api/auth.ts';
import type { Locale } from '../../../../shared/roles.ts';
import { isApiError } from '../../lib/http.ts';
import { authApi } from './api.ts';

export const authKeys = {
  me: ['me'] as const,
};

export function useMeQuery() {
  return useQuery({
    queryKey: authKeys.me,
    queryFn: ({ signal }) => authApi.me(signal),
    staleTime: 5 * 60_000,
  });
}

/** Forgets everything the previous user could see, and marks the session as gone. */
export function endSessionInCache(queryClient: QueryClient): void {
  queryClient.cancelQueries();
  queryClient.clear();
  queryClient.setQueryData<MeResponse | null>(authKeys.me, null);
}

export function useLoginMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => authApi.login(body),
    onSuccess: (me) => {
      // A different person may be signing in on a shared school computer: start clean.
      queryClient.clear();
      queryClient.setQueryData(authKeys.me, me);
    },
  });
}

/**
 * Signs out on the server. The caller navigates to the sign-in page and then calls
 * endSessionInCache, in that order: clearing first would unmount the caller mid-way.
 */
export function useLogoutMutation() {
  return useMutation({
    mutationFn: async (): Promise<{ url: string; label: string } | null> => {
      try {
        return (await authApi.logoutWithProvider()).providerLogout;
      } catch (error) {
        // Already signed out (expired, or ended elsewhere): that is what was wanted.
        if (!isApiError(error, 'unauthenticated')) throw error;
        return null;
      }
    },
  });
}

export function useUpdateLocaleMutation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (locale: Locale | null) => authApi.updateMe({ locale }),
    onSuccess: (me) => queryClient.setQueryData(authKeys.me, me),
  });
}
