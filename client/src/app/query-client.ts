import { QueryCache, QueryClient } from '@tanstack/react-query';
import { authKeys } from '../features/auth/queries.ts';
import { isApiError } from '../lib/http.ts';

export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A session that expired while the page was open: mark it gone, the guard then shows sign-in.
      onError: (error, query) => {
        if (isApiError(error, 'unauthenticated') && query.queryKey[0] !== authKeys.me[0]) {
          queryClient.setQueryData(authKeys.me, null);
        }
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        retry: (failureCount, error) => !isApiError(error) || (error.status >= 500 && failureCount < 2),
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
